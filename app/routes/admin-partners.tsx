import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { int4Id } from '#app/domain/ids.ts'
import { formatDate, formatDateTime } from '#app/i18n/format.ts'
import type { Message } from '#app/i18n/index.ts'
import { useFieldErrors } from '#app/components/field-errors.tsx'
import { useLocale, useT } from '#app/i18n/react.ts'
import { createPartner, createPartnerKey, partnersForAdmin, revokePartnerKey } from '#app/services/partners.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { creditKeys } from '#app/utils/credits-env.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { StackTable } from '#app/components/stack-table.tsx'
import { issuesToFieldErrors, requireForm } from '#app/utils/forms.server.ts'

// This page shows a new key's secret once: no browser or proxy may keep a copy.
// Remix sends a document's headers only through this export, so the action's own
// Cache-Control would not reach the page without it.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'no-store' })

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, ['admin'], context)
  return { partners: await partnersForAdmin(await getDb()) }
}

const createSchema = z.object({
  name: z.string().trim().min(1, 'creditPages.partners.error.nameRequired').max(100, 'creditPages.partners.error.nameRequired'),
  ratePerSecond: z
    .string()
    .trim()
    .regex(/^\d{1,5}(\.\d{1,3})?$/, 'creditPages.partners.error.rate')
    .refine((value) => Number(value) >= 0.1 && Number(value) <= 10000, 'creditPages.partners.error.rate'),
  burst: z.coerce
    .number({ invalid_type_error: 'creditPages.partners.error.burst' })
    .int('creditPages.partners.error.burst')
    .min(1, 'creditPages.partners.error.burst')
    .max(100000, 'creditPages.partners.error.burst'),
})

type Field = 'name' | 'ratePerSecond' | 'burst' | 'form'
const createFields: readonly Field[] = ['name', 'ratePerSecond', 'burst']
type ActionResult =
  | { ok: true; issued?: { name: string; keyId: string; secret: string; fingerprint: string }; notice?: Message }
  | { ok: false; errors: Partial<Record<Field, Message>>; values?: Record<string, string> }

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireRole(request, ['admin'])
  const db = await getDb()
  const form = Object.fromEntries(await requireForm(request))
  const intent = form.intent

  if (intent === 'create') {
    const values = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)]))
    const parsed = createSchema.safeParse(form)
    if (!parsed.success) return data<ActionResult>({ ok: false, errors: issuesToFieldErrors<Field>(parsed.error.issues, createFields), values }, { status: 400 })
    const created = await createPartner(db, actor, creditKeys(), parsed.data)
    if (!created.ok) return data<ActionResult>({ ok: false, errors: { name: created.error }, values }, { status: 400 })
    const { keyId, secret, fingerprint } = created.issued
    return data<ActionResult>({ ok: true, issued: { name: parsed.data.name, keyId, secret, fingerprint: fingerprint.slice(0, 12) } }, { headers: { 'Cache-Control': 'no-store' } })
  }
  if (intent === 'newKey') {
    const partnerId = int4Id.safeParse(form.partnerId)
    if (!partnerId.success) throw new Response('Bad request', { status: 400 })
    const issued = await createPartnerKey(db, actor, creditKeys(), partnerId.data)
    if (!issued) throw new Response('Not found', { status: 404 })
    return data<ActionResult>(
      { ok: true, issued: { name: String(form.partnerName ?? ''), keyId: issued.keyId, secret: issued.secret, fingerprint: issued.fingerprint.slice(0, 12) } },
      { headers: { 'Cache-Control': 'no-store' } },
    )
  }
  if (intent === 'revoke') {
    const keyId = z.string().regex(/^gpk_[0-9a-f]{24}$/).safeParse(form.keyId)
    if (!keyId.success) throw new Response('Bad request', { status: 400 })
    const revoked = await revokePartnerKey(db, actor, keyId.data, new Date())
    if (!revoked) return data<ActionResult>({ ok: false, errors: { form: { key: 'creditPages.partners.error.keyNotFound' } } }, { status: 404 })
    return data<ActionResult>({ ok: true, notice: { key: 'creditPages.partners.revokedNotice', params: { keyId: keyId.data } } })
  }
  throw new Response('Unknown intent', { status: 400 })
}

export default function AdminPartners() {
  const { partners } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const errors = result && !result.ok ? result.errors : {}
  const values = result && !result.ok ? (result.values ?? {}) : {}
  const { fieldError, invalid } = useFieldErrors<Field>(errors)

  return (
    <section className="card" data-testid="admin-partners">
      <h1>{t('creditPages.partners.title')}</h1>
      <p className="muted">
        {t('creditPages.partners.intro')} <a href="/api/openapi.json">{t('creditPages.partners.docs')}</a>
      </p>
      {result?.ok && result.issued && (
        <div className="secret-box" role="status" data-testid="issued-key">
          <p>{t('creditPages.partners.issued', { name: result.issued.name })}</p>
          <dl className="facts">
            <dt>{t('creditPages.partners.keyId')}</dt>
            <dd className="mono" data-testid="issued-key-id">{result.issued.keyId}</dd>
            <dt>{t('creditPages.partners.secret')}</dt>
            <dd className="mono" data-testid="issued-secret">{result.issued.secret}</dd>
            <dt>{t('creditPages.partners.fingerprint')}</dt>
            <dd className="mono">{result.issued.fingerprint}</dd>
          </dl>
        </div>
      )}
      {result?.ok && result.notice && <p className="notice" role="status">{t(result.notice.key, result.notice.params)}</p>}
      {errors.form && <p className="error-banner" role="alert">{t(errors.form.key, errors.form.params)}</p>}

      {partners.length === 0 ? (
        <p className="muted">{t('creditPages.partners.none')}</p>
      ) : (
        <StackTable data-testid="partner-table">
            <thead>
              <tr>
                <th>{t('creditPages.partners.name')}</th>
                <th>{t('creditPages.partners.keyId')}</th>
                <th>{t('creditPages.partners.fingerprint')}</th>
                <th>{t('creditPages.partners.created')}</th>
                <th>{t('creditPages.partners.status')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {partners.flatMap((p) => [
                ...p.keys.map((k, i) => (
                  <tr key={k.keyId}>
                    <td>{i === 0 ? p.name : ''}</td>
                    <td className="mono">{k.keyId}</td>
                    <td className="mono">{k.fingerprint}</td>
                    <td>{formatDateTime(locale, k.createdAt)}</td>
                    <td>{k.revokedAt ? t('creditPages.partners.revoked', { date: formatDate(locale, k.revokedAt) }) : t('creditPages.partners.active')}</td>
                    <td>
                      {!k.revokedAt && (
                        <Form method="post" className="inline">
                          <input type="hidden" name="keyId" value={k.keyId} />
                          <button type="submit" name="intent" value="revoke" className="linkish">{t('creditPages.partners.revoke')}</button>
                        </Form>
                      )}
                    </td>
                  </tr>
                )),
                <tr key={`new-${p.id}`}>
                  <td>{p.keys.length === 0 ? p.name : ''}</td>
                  <td colSpan={5}>
                    <Form method="post" className="inline">
                      <input type="hidden" name="partnerId" value={p.id} />
                      <input type="hidden" name="partnerName" value={p.name} />
                      <button type="submit" name="intent" value="newKey" className="linkish">{t('creditPages.partners.newKey')}</button>
                    </Form>
                  </td>
                </tr>,
              ])}
            </tbody>
          </StackTable>
      )}

      <h2>{t('creditPages.partners.create')}</h2>
      <Form method="post" className="form-grid" noValidate>
        <input type="hidden" name="intent" value="create" />
        <label className="field">
          <span>{t('creditPages.partners.name')}</span>
          <input name="name" defaultValue={values.name} {...invalid('name')} />
          {fieldError('name')}
        </label>
        <label className="field">
          <span>{t('creditPages.partners.rate')}</span>
          <input name="ratePerSecond" inputMode="decimal" defaultValue={values.ratePerSecond ?? '20'} {...invalid('ratePerSecond')} />
          {fieldError('ratePerSecond')}
        </label>
        <label className="field">
          <span>{t('creditPages.partners.burst')}</span>
          <input name="burst" inputMode="numeric" defaultValue={values.burst ?? '100'} {...invalid('burst')} />
          {fieldError('burst')}
        </label>
        <div>
          <button type="submit" className="primary">{t('creditPages.partners.create')}</button>
        </div>
      </Form>
    </section>
  )
}
