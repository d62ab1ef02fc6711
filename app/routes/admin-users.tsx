import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { int4Id } from '#app/domain/ids.ts'
import { roles, type Role } from '#app/domain/access.ts'
import { newUserSchema } from '#app/domain/users.ts'
import type { Message } from '#app/i18n/index.ts'
import { useFieldErrors } from '#app/components/field-errors.tsx'
import { useLocale, useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { parseFormData, readForm, unreadableForm, type FieldErrors } from '#app/utils/forms.server.ts'
import { listUsers } from '#db/models/users.ts'
import { changeUserStatus, createUser, signOutEverywhere } from '#app/services/users.server.ts'
import { StackTable } from '#app/components/stack-table.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, ['admin'], context)
  return { users: await listUsers(await getDb()) }
}

type Field = 'username' | 'displayName' | 'password' | 'role' | 'scope'
const userFields: readonly Field[] = ['username', 'displayName', 'password', 'role', 'scope']
type ActionResult = { ok: true; notice: Message } | { ok: false; errors: FieldErrors<Field>; values?: Record<string, string> }

const userIdSchema = int4Id

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireRole(request, ['admin'])
  const db = await getDb()
  const form = await readForm(request)
  if (!form) return data<ActionResult>({ ok: false, errors: unreadableForm }, { status: 400 })
  const intent = form.get('intent')

  if (intent === 'create') {
    const parsed = parseFormData<typeof newUserSchema, Field>(form, newUserSchema, { secret: ['password'], fields: userFields })
    if (!parsed.ok) return data<ActionResult>({ ok: false, errors: parsed.errors, values: parsed.values }, { status: 400 })
    const result = await createUser(db, actor, parsed.data)
    if (!result.ok) return data<ActionResult>({ ok: false, errors: { [result.field]: result.error }, values: parsed.values }, { status: 400 })
    return data<ActionResult>({ ok: true, notice: { key: 'admin.users.created', params: { username: parsed.data.username } } })
  }

  const userId = userIdSchema.safeParse(form.get('userId'))
  if (!userId.success) return data<ActionResult>({ ok: false, errors: { form: { key: 'form.error.invalid' } } }, { status: 400 })
  if (intent === 'disable' || intent === 'enable') {
    if (intent === 'disable' && userId.data === actor.userId) {
      return data<ActionResult>({ ok: false, errors: { form: { key: 'admin.error.self' } } }, { status: 400 })
    }
    await changeUserStatus(db, actor, userId.data, intent === 'disable')
    return data<ActionResult>({ ok: true, notice: { key: 'admin.users.updated', params: { username: String(form.get('username') ?? '').slice(0, 64) } } })
  }
  if (intent === 'revoke') {
    const count = await signOutEverywhere(db, actor, userId.data)
    return data<ActionResult>({ ok: true, notice: { key: 'admin.users.revoked', params: { count } } })
  }
  return data<ActionResult>({ ok: false, errors: { form: { key: 'form.error.invalid' } } }, { status: 400 })
}

export default function AdminUsers() {
  const { users } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const errors = result && !result.ok ? result.errors : {}
  const values = result && !result.ok ? (result.values ?? {}) : {}
  const { fieldError } = useFieldErrors<Field>(errors)
  return (
    <section className="card">
      <h1>{t('admin.users.title')}</h1>
      {result?.ok && <p className="notice" role="status">{t(result.notice.key, result.notice.params)}</p>}
      {errors.form && <p className="error-banner" role="alert">{t(errors.form.key)}</p>}
      <StackTable data-testid="user-table">
          <thead>
            <tr>
              <th>{t('admin.users.username')}</th>
              <th>{t('admin.users.displayName')}</th>
              <th>{t('admin.users.role')}</th>
              <th>{t('admin.users.scope')}</th>
              <th>{t('admin.users.status')}</th>
              <th className="num">{t('admin.users.sessions')}</th>
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td className="mono">{u.username}</td>
                <td>{u.displayName}</td>
                <td>{t(`role.${u.role}`)}</td>
                <td>{(locale === 'zh-CN' ? u.scopeZh : u.scopeEn) ?? '—'}</td>
                <td>{u.disabled ? t('admin.users.disabled') : t('admin.users.active')}</td>
                <td className="num">{u.activeSessions}</td>
                <td>
                  <Form method="post" className="inline">
                    <input type="hidden" name="userId" value={u.id} />
                    <input type="hidden" name="username" value={u.username} />
                    <button type="submit" name="intent" value={u.disabled ? 'enable' : 'disable'} className="linkish">
                      {u.disabled ? t('admin.users.enable') : t('admin.users.disable')}
                    </button>{' '}
                    <button type="submit" name="intent" value="revoke" className="linkish">{t('admin.users.revoke')}</button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </StackTable>
      <h2>{t('admin.users.create')}</h2>
      <Form method="post" className="form-grid" noValidate>
        <input type="hidden" name="intent" value="create" />
        <label className="field"><span>{t('admin.users.username')}</span>
          <input name="username" defaultValue={values.username} autoCapitalize="none" aria-invalid={errors.username ? true : undefined} />{fieldError('username')}</label>
        <label className="field"><span>{t('admin.users.displayName')}</span>
          <input name="displayName" defaultValue={values.displayName} aria-invalid={errors.displayName ? true : undefined} />{fieldError('displayName')}</label>
        <label className="field"><span>{t('admin.users.password')}</span>
          <input name="password" type="password" autoComplete="new-password" aria-invalid={errors.password ? true : undefined} />{fieldError('password')}</label>
        <label className="field"><span>{t('admin.users.role')}</span>
          <select name="role" defaultValue={values.role ?? 'outlet_operator'}>
            {roles.map((r: Role) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </select>{fieldError('role')}</label>
        <label className="field"><span>{t('admin.users.scope')}</span>
          <input name="scope" defaultValue={values.scope} aria-invalid={errors.scope ? true : undefined} aria-describedby="scope-hint" />
          <span className="hint" id="scope-hint">{t('admin.users.scopeHint')}</span>{fieldError('scope')}</label>
        <div><button type="submit" className="primary">{t('admin.users.create')}</button></div>
      </Form>
    </section>
  )
}
