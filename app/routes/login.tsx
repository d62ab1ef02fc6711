import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { useFieldErrors } from '#app/components/field-errors.tsx'
import { useT } from '#app/i18n/react.ts'
import { getSessionUser, homeFor, login, safeRedirect } from '#app/utils/auth.server.ts'
import { parseForm, type FieldErrors } from '#app/utils/forms.server.ts'

export const meta: MetaFunction = () => [{ title: '登录 · 绿色快递协同平台' }]

const loginSchema = z.object({
  username: z.string({ required_error: 'login.error.usernameRequired' }).trim().min(1, 'login.error.usernameRequired').max(200, 'login.error.invalid'),
  password: z.string({ required_error: 'login.error.passwordRequired' }).min(1, 'login.error.passwordRequired').max(1000, 'login.error.invalid'),
  redirectTo: z.string().max(2048).optional(),
})

type Field = 'username' | 'password'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getSessionUser(request, context)
  if (user) throw redirect(homeFor(user.role))
  return null
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = await parseForm<typeof loginSchema, Field>(request, loginSchema, { secret: ['password'], fields: ['username', 'password'] })
  if (!parsed.ok) return data({ errors: parsed.errors, username: parsed.values.username ?? '' }, { status: 400 })
  const result = await login(request, parsed.data.username, parsed.data.password)
  if (!result.ok) {
    const errors: FieldErrors<Field> =
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
  const errors: FieldErrors<Field> = actionData?.errors ?? {}
  const { fieldError, invalid } = useFieldErrors<Field | 'form'>(errors)
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
            {...invalid('username')}
            required
          />
          {fieldError('username')}
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            {...invalid('password')}
            required
          />
          {fieldError('password')}
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
