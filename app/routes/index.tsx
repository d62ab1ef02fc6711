import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { homeFor, getSessionUser } from '#app/utils/auth.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getSessionUser(request, context)
  throw redirect(user ? homeFor(user.role) : '/login')
}
