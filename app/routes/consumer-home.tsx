import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { formatDate } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { findUserProfile } from '#db/models/users.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['consumer'])
  const profile = await findUserProfile(await getDb(), viewer.userId)
  if (!profile) throw new Response('Not found', { status: 404 })
  return { profile }
}

export default function ConsumerHome() {
  const { profile } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card narrow" data-testid="home-consumer">
      <h1>{t('consumerHome.title')}</h1>
      <dl className="facts">
        <dt>{t('consumerHome.username')}</dt>
        <dd>{profile.username}</dd>
        <dt>{t('consumerHome.memberSince')}</dt>
        <dd>{formatDate(locale, profile.createdAt)}</dd>
      </dl>
    </section>
  )
}
