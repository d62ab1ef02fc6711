import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { logout } from '#app/utils/auth.server.ts'

export async function action({ request }: ActionFunctionArgs) {
  const setCookie = await logout(request)
  throw redirect('/login?signedOut=1', { headers: { 'Set-Cookie': setCookie } })
}

export async function loader() {
  throw redirect('/')
}
