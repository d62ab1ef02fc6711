import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { useFieldErrors } from '#app/components/field-errors.tsx'
import { useT } from '#app/i18n/react.ts'
import { claimAccount, type ClaimField } from '#app/services/credit-claim.server.ts'
import { clientIp, getSessionUser, homeFor } from '#app/utils/auth.server.ts'
import { creditKeys } from '#app/utils/credits-env.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { parseForm, type FieldErrors } from '#app/utils/forms.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getSessionUser(request, context)
  if (user) throw redirect(homeFor(user.role))
  return null
}

// Username and password follow the admin's rules for new users (app/domain/users.ts).
const claimSchema = z.object({
  memberCode: z.string().trim().min(1, 'credits.error.memberCodeInvalid').max(40, 'credits.error.memberCodeInvalid'),
  phone: z.string().trim().min(1, 'credits.error.phoneInvalid').max(40, 'credits.error.phoneInvalid'),
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{3,64}$/, 'admin.error.username'),
  displayName: z.string().trim().min(1, 'creditPages.claim.error.displayName').max(100, 'creditPages.claim.error.displayName'),
  password: z.string().min(10, 'admin.error.password').max(200, 'admin.error.password'),
})

type Field = ClaimField | 'displayName' | 'password'
const claimFields: readonly Field[] = ['memberCode', 'phone', 'username', 'displayName', 'password']
type ActionResult = { ok: true; username: string } | { ok: false; errors: FieldErrors<Field>; values: Record<string, string> }

export async function action({ request }: ActionFunctionArgs) {
  const parsed = await parseForm<typeof claimSchema, Field>(request, claimSchema, { secret: ['password'], fields: claimFields })
  if (!parsed.ok) return data<ActionResult>({ ok: false, errors: parsed.errors, values: parsed.values }, { status: 400 })
  const outcome = await claimAccount(await getDb(), creditKeys(), parsed.data, clientIp(request), new Date())
  if (!outcome.ok) {
    const limited = outcome.errors.form?.key === 'creditPages.claim.error.rateLimited'
    return data<ActionResult>({ ok: false, errors: outcome.errors, values: parsed.values }, { status: limited ? 429 : 400 })
  }
  return data<ActionResult>({ ok: true, username: outcome.username })
}

export default function Claim() {
  const t = useT()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  // every hook before the early return (rules of hooks): a successful claim renders less, never fewer hooks
  const errors = result && !result.ok ? result.errors : {}
  const values = result && !result.ok ? result.values : {}
  const { fieldError, invalid } = useFieldErrors<Field>(errors)
  if (result?.ok) {
    return (
      <section className="card narrow">
        <h1>{t('creditPages.claim.title')}</h1>
        <p className="notice" role="status" data-testid="claimed">{t('creditPages.claim.done', { username: result.username })}</p>
        <p>
          <Link to="/login" className="button">{t('creditPages.claim.signIn')}</Link>
        </p>
      </section>
    )
  }
  return (
    <section className="card narrow">
      <h1>{t('creditPages.claim.title')}</h1>
      <p className="muted">{t('creditPages.claim.intro')}</p>
      {errors.form && <p className="error-banner" role="alert">{t(errors.form.key, errors.form.params)}</p>}
      <Form method="post" noValidate>
        <label className="field">
          <span>{t('creditPages.claim.memberCode')}</span>
          <input name="memberCode" defaultValue={values.memberCode} autoCapitalize="characters" autoComplete="off" {...invalid('memberCode')} />
          {fieldError('memberCode')}
        </label>
        <label className="field">
          <span>{t('creditPages.claim.phone')}</span>
          <input name="phone" type="tel" inputMode="tel" defaultValue={values.phone} autoComplete="tel" {...invalid('phone')} />
          {fieldError('phone')}
        </label>
        <label className="field">
          <span>{t('creditPages.claim.username')}</span>
          <input name="username" defaultValue={values.username} autoCapitalize="none" autoComplete="username" {...invalid('username')} />
          <span className="hint">{t('creditPages.claim.usernameHint')}</span>
          {fieldError('username')}
        </label>
        <label className="field">
          <span>{t('creditPages.claim.displayName')}</span>
          <input name="displayName" defaultValue={values.displayName} autoComplete="name" {...invalid('displayName')} />
          {fieldError('displayName')}
        </label>
        <label className="field">
          <span>{t('creditPages.claim.password')}</span>
          <input name="password" type="password" autoComplete="new-password" {...invalid('password')} />
          <span className="hint">{t('creditPages.claim.passwordHint')}</span>
          {fieldError('password')}
        </label>
        <button type="submit" className="primary" disabled={navigation.state === 'submitting'}>
          {t('creditPages.claim.submit')}
        </button>
      </Form>
    </section>
  )
}
