import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { int4Id } from '#app/domain/ids.ts'
import { recordCodes, recordDefinitions } from '#app/domain/activity/definitions.ts'
import type { EnumName } from '#app/domain/activity/enums.ts'
import type { FieldDefinition } from '#app/domain/activity/fields.ts'
import { optionLabel } from '#app/domain/activity/messages.ts'
import { formatDateTime, formatDecimal } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { activityWriterRoles } from '#app/domain/access.ts'
import { chinaToday, monthOverview, submitOutletMonth } from '#app/services/activity.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { listVisibleOutlets } from '#db/models/outlets.ts'
import { parseForm, type FieldErrors } from '#app/utils/forms.server.ts'

const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/
const querySchema = z.object({
  month: z.string().regex(monthPattern).optional().catch(undefined),
  outlet: int4Id.optional().catch(undefined),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, activityWriterRoles, context)
  const db = await getDb()
  const url = new URL(request.url)
  const query = querySchema.parse(Object.fromEntries(url.searchParams))
  const today = chinaToday()
  const month = query.month ?? today.slice(0, 7)
  const outlets = (await listVisibleOutlets(db, viewer)).map((o) => ({ id: o.id, code: o.code, nameZh: o.nameZh, nameEn: o.nameEn }))
  const outletId = viewer.role === 'outlet_operator' ? viewer.outletId! : (query.outlet ?? outlets[0]?.id)
  if (outletId === undefined) throw new Response('Not found', { status: 404 })
  const overview = await monthOverview(db, viewer, outletId, month)
  if (!overview) throw new Response('Not found', { status: 404 })
  return { month, today, outlets: viewer.role === 'outlet_operator' ? [] : outlets, ...overview }
}

type ActionResult = { errors: FieldErrors }

const submitSchema = z.object({ intent: z.literal('submit'), outletId: int4Id, month: z.string().regex(monthPattern) })

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireRole(request, activityWriterRoles)
  const parsed = await parseForm(request, submitSchema)
  // The form's fields are hidden: whatever is wrong with them, the month could not be submitted.
  if (!parsed.ok) return data<ActionResult>({ errors: { form: parsed.errors.form ?? { key: 'activityPages.error.badMonth' } } }, { status: 400 })
  const result = await submitOutletMonth(await getDb(), viewer, parsed.data.outletId, parsed.data.month)
  if (!result.ok) return data<ActionResult>({ errors: { form: result.error } }, { status: 400 })
  throw redirect(`/activity?month=${parsed.data.month}&outlet=${parsed.data.outletId}&submitted=1`)
}

/** The field shown first in a record's row (the date, the plate, the item). */
function summaryFields(code: (typeof recordCodes)[number]): FieldDefinition[] {
  const fields = recordDefinitions[code].fields as readonly FieldDefinition[]
  return fields.filter((f) => f.kind !== 'code' || f.ref !== 'outlet').filter((f) => f.code !== 'siteCode' && f.code !== 'dataQuality').slice(0, 3)
}

export default function ActivityPage() {
  const { month, today, outlets, outlet, counts, recent, submitted } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [search] = useSearchParams()
  const t = useT()
  const locale = useLocale()
  const canSubmit = !submitted && month <= today.slice(0, 7)
  return (
    <section className="card" data-testid="activity-page">
      <h1>{t('activityPages.title')}</h1>
      <p className="muted">{t('activityPages.intro')}</p>
      <Form method="get" className="inline-form">
        {outlets.length > 0 && (
          <label className="field">
            <span>{t('activityPages.outlet')}</span>
            <select name="outlet" defaultValue={outlet.id}>
              {outlets.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.code} · {localName(locale, o)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>{t('activityPages.month')}</span>
          <input type="month" name="month" defaultValue={month} max={today.slice(0, 7)} />
        </label>
        <div>
          <button type="submit" className="secondary">{t('activityPages.show')}</button>
        </div>
      </Form>
      <p>
        <strong>{localName(locale, outlet)}</strong> <span className="mono">{outlet.code}</span>
      </p>
      {search.get('submitted') && <p className="notice" role="status">{t('activityPages.submittedNotice', { month })}</p>}
      {result?.errors.form && <p className="error-banner" role="alert">{t(result.errors.form.key, result.errors.form.params)}</p>}
      {submitted ? (
        <p className="notice" data-testid="month-locked">
          {t('activityPages.submitted', { month, at: formatDateTime(locale, submitted.at), by: submitted.by ?? '—' })}
        </p>
      ) : (
        <p className="muted" data-testid="month-open">{t('activityPages.openMonth', { month })}</p>
      )}

      <div className="record-types">
        {recordCodes.map((code) => {
          const isRegister = code === 'vehicles'
          const rows = recent[code] ?? []
          return (
            <section key={code} className="record-type" data-testid={`records-${code}`}>
              <h2>{t(recordDefinitions[code].label)}</h2>
              <p className="small muted">
                {isRegister ? t('activityPages.registerCount', { count: rows.length }) : t('activityPages.count', { count: formatDecimal(locale, counts[code] ?? 0) })}
              </p>
              <p className="actions">
                <Link className="button" to={`/activity/${code}/new${code === 'vehicles' ? '' : `?outletCode=${encodeURIComponent(outlet.code)}&siteCode=${encodeURIComponent(outlet.code)}`}`}>
                  {t('activityPages.add')}
                </Link>{' '}
                <Link to={`/imports/new?recordType=${code}`}>{t('activityPages.upload')}</Link>
              </p>
              {rows.length > 0 && (
                <ul className="record-list">
                  {rows.map((r) => (
                    <li key={r.id}>
                      <Link to={`/activity/${code}/${r.id}`}>
                        {summaryFields(code)
                          .map((f) => (f.kind === 'enum' && r.values[f.code] ? optionLabel(f.enum.name as EnumName, r.values[f.code]!, locale) : r.values[f.code]))
                          .filter(Boolean)
                          .join(' · ')}
                      </Link>
                      {r.restatementReason && <span className="badge warn">{t('activityPages.record.restatedTitle')}</span>}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )
        })}
      </div>

      {canSubmit && (
        <Form method="post" className="submit-month">
          <input type="hidden" name="intent" value="submit" />
          <input type="hidden" name="outletId" value={outlet.id} />
          <input type="hidden" name="month" value={month} />
          <p className="hint">{t('activityPages.submitHint')}</p>
          <button type="submit" className="primary" data-testid="submit-month">
            {t('activityPages.submitMonth', { month })}
          </button>
        </Form>
      )}
    </section>
  )
}
