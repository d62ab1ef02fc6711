import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { defaultLocale, isLocale } from '#app/i18n/locales.ts'
import { safeRedirect } from '#app/utils/auth.server.ts'
import { localeCookie } from '#app/utils/locale.server.ts'

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData()
  const requested = form.get('locale')
  const locale = isLocale(requested) ? requested : defaultLocale
  throw redirect(safeRedirect(form.get('redirectTo'), '/'), { headers: { 'Set-Cookie': localeCookie(locale, request) } })
}

export async function loader() {
  throw redirect('/')
}
