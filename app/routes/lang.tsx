import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { defaultLocale, isLocale } from '#app/i18n/locales.ts'
import { safeRedirect } from '#app/utils/auth.server.ts'
import { readForm } from '#app/utils/forms.server.ts'
import { localeCookie } from '#app/utils/locale.server.ts'

export async function action({ request }: ActionFunctionArgs) {
  // An unreadable form still switches to the default language and goes home: never a 500.
  const form = await readForm(request)
  const requested = form?.get('locale') ?? null
  const locale = isLocale(requested) ? requested : defaultLocale
  throw redirect(safeRedirect(form?.get('redirectTo'), '/'), { headers: { 'Set-Cookie': localeCookie(locale, request) } })
}

export async function loader() {
  throw redirect('/')
}
