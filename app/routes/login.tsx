import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import type { Message } from '#app/i18n/index.ts'
import { useT } from '#app/i18n/react.ts'
import { getSessionUser, homeFor, login, safeRedirect } from '#app/utils/auth.server.ts'

export const meta: MetaFunction = () => [{ title: '登录 · 绿色快递协同平台' }]

const loginSchema = z.object({
  username: z.string().trim().min(1, 'login.error.usernameRequired'),
  password: z.string().min(1, 'login.error.passwordRequired'),
  redirectTo: z.string().optional(),
})

type FieldErrors = Partial<Record<'username' | 'password' | 'form', Message>>

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request)
  if (user) throw redirect(homeFor(user.role))
  return null
}

export async function action({ request }: ActionFunctionArgs) {
  const form = Object.fromEntries(await request.formData())
  const parsed = loginSchema.safeParse(form)
  if (!parsed.success) {
    const errors: FieldErrors = {}
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as 'username' | 'password'
      errors[field] ??= { key: issue.message as Message['key'] }
    }
    return data({ errors, username: String(form.username ?? '') }, { status: 400 })
  }
  const result = await login(request, parsed.data.username, parsed.data.password)
  if (!result.ok) {
    const errors: FieldErrors =
      result.reason === 'rate_limited'
        ? { form: { key: 'login.error.rateLimited', params: { minutes: result.retryAfterMinutes } } }
        : { form: { key: 'login.error.invalid' } }
    return data({ errors, username: parsed.data.username }, { status: result.reason === 'rate_limited' ? 429 : 400 })
  }
  throw redirect(safeRedirect(parsed.data.redirectTo, homeFor(result.user.role)), {
    headers: { 'Set-Cookie': result.setCookie },
  })
}

export default function Login() {
  const t = useT()
  const actionData = useActionData<typeof action>()
  const [params] = useSearchParams()
  const navigation = useNavigation()
  const errors = actionData?.errors ?? {}
  return (
    <section className="card narrow">
      <h1>{t('login.title')}</h1>
      <p className="muted">{t('app.tagline')}</p>
      {params.get('signedOut') && <p className="notice" role="status">{t('login.signedOut')}</p>}
      {errors.form && (
        <p className="error-banner" role="alert" data-testid="login-error">
          {t(errors.form.key, errors.form.params)}
        </p>
      )}
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <label className="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            defaultValue={actionData?.username ?? ''}
            aria-invalid={errors.username ? true : undefined}
            aria-describedby={errors.username ? 'username-error' : undefined}
            required
          />
          {errors.username && <span id="username-error" className="field-error">{t(errors.username.key)}</span>}
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={errors.password ? 'password-error' : undefined}
            required
          />
          {errors.password && <span id="password-error" className="field-error">{t(errors.password.key)}</span>}
        </label>
        <button type="submit" className="primary" disabled={navigation.state === 'submitting'}>
          {t('login.submit')}
        </button>
      </Form>
      <p>
        <Link to="/claim">{t('creditPages.claim.link')}</Link>
      </p>
      <p className="muted small">{t('login.demoHint')}</p>
    </section>
  )
}
