import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useMemo, useState, type FormEvent } from 'react'
import type { ActivityContext, FieldIssue, VehicleProfile } from '#app/domain/activity/context.ts'
import { isRecordCode, recordDefinitions, type RecordCode } from '#app/domain/activity/definitions.ts'
import type { EnumName } from '#app/domain/activity/enums.ts'
import type { FieldDefinition } from '#app/domain/activity/fields.ts'
import { enumOptions, issueMessage } from '#app/domain/activity/messages.ts'
import { issuesByField, issuesFromZodError, recordSchema } from '#app/domain/activity/schema.ts'
import type { Message, MessageKey } from '#app/i18n/index.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { activityWriterRoles } from '#app/domain/access.ts'
import { chinaToday, editableRecord, formOptions, saveRecordFromForm } from '#app/services/activity.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { readCookie, serializeCookie } from '#app/utils/cookies.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { dataQualities } from '#app/domain/activity/enums.ts'
import { requireForm } from '#app/utils/forms.server.ts'

// One module for two routes (routes.ts): /activity/:recordType/new and
// /activity/:recordType/:id/edit. The form is a plain POST that works without
// JavaScript; with it, the record's own schema checks the entries in the
// browser first, with the lookups the browser has (the viewer's outlets,
// catalog items and vehicles), and the server checks everything again.

function recordCodeOf(params: { recordType?: string }): RecordCode {
  if (!isRecordCode(params.recordType)) throw new Response('Not found', { status: 404 })
  return params.recordType
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, activityWriterRoles, context)
  const recordCode = recordCodeOf(params)
  const db = await getDb()
  const options = await formOptions(db, viewer, recordCode)
  const today = chinaToday()
  let values: Record<string, string> = {}
  let existing: { id: string; month: string | null; locked: boolean } | null = null
  if (params.id !== undefined) {
    const record = await editableRecord(db, viewer, recordCode, params.id)
    if (!record || !record.current) throw new Response('Not found', { status: 404 })
    values = record.values
    existing = { id: record.id, month: record.month, locked: record.locked }
  } else {
    // Prefill from the link that led here (today's date, the outlet).
    const url = new URL(request.url)
    for (const field of recordDefinitions[recordCode].fields) {
      const value = url.searchParams.get(field.code)
      if (value !== null) values[field.code] = value.slice(0, 100)
    }
    if (options.outlets.length === 1) {
      for (const field of recordDefinitions[recordCode].fields) {
        if (field.kind === 'code' && (field.ref === 'outlet' || field.ref === 'site')) values[field.code] ??= options.outlets[0]!.code
      }
    }
    // Sensible defaults: today and this month in China's time, and the data
    // quality last chosen for this kind of record (measured until then: a clerk
    // at the counter reads the figures off the day's scans and meters).
    for (const field of recordDefinitions[recordCode].fields as readonly FieldDefinition[]) {
      if (values[field.code] !== undefined) continue
      if (field.kind === 'date' && (field.code === 'date' || field.code === 'asOfDate')) values[field.code] = today
      else if (field.kind === 'month' || field.kind === 'dateOrMonth') values[field.code] = today.slice(0, 7)
      else if (field.code === 'dataQuality') values[field.code] = rememberedQuality(request, recordCode)
    }
  }
  return { recordCode, options, today, values, existing }
}

type ActionResult = { ok: false; issues: FieldIssue[]; formError: Message | null; values: Record<string, string> }

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireRole(request, activityWriterRoles)
  const recordCode = recordCodeOf(params)
  const form = await requireForm(request)
  const reason = typeof form.get('reason') === 'string' ? String(form.get('reason')) : undefined
  const result = await saveRecordFromForm(await getDb(), viewer, recordCode, form, {
    ...(params.id !== undefined ? { recordId: params.id } : {}),
    ...(reason !== undefined ? { reason } : {}),
  })
  if (result.ok) {
    const quality = form.get('dataQuality')
    const remember = typeof quality === 'string' && isQuality(quality) ? { 'Set-Cookie': serializeCookie(qualityCookie(recordCode), quality, request, { maxAgeSeconds: 365 * 24 * 3600 }) } : undefined
    throw redirect(`/activity/${recordCode}/${result.id}?saved=${result.status}`, remember ? { headers: remember } : undefined)
  }
  return data<ActionResult>({ ok: false, issues: result.issues, formError: result.formError ?? null, values: { ...result.values, reason: reason ?? '' } }, { status: 400 })
}

const qualityCookie = (recordCode: RecordCode) => `gp_dq_${recordCode}`
const isQuality = (value: string): boolean => (dataQualities.options as readonly string[]).includes(value)

function rememberedQuality(request: Request, recordCode: RecordCode): string {
  const saved = readCookie(request, qualityCookie(recordCode))
  return saved !== undefined && isQuality(saved) ? saved : 'measured'
}

type Options = Awaited<ReturnType<typeof loader>>['options']

/** What the browser can check: the outlets, items and vehicles it was given, no plausibility ranges. */
function browserContext(options: Options, today: string): ActivityContext {
  const outlets = new Set(options.outlets.map((o) => o.code))
  const items = new Set(options.items.map((i) => i.code))
  const vehicles = new Map<string, VehicleProfile>(
    options.vehicles.map((v) => [v.plate, { vehicleClass: v.vehicleClass, energy: v.energy, inServiceFrom: v.inServiceFrom, inServiceTo: v.inServiceTo }]),
  )
  return {
    today,
    lookups: {
      outlet: (code) => (outlets.has(code) ? 'ok' : 'unknown'),
      site: (code) => (outlets.has(code) ? 'ok' : 'unknown'),
      ...(options.items.length > 0 ? { packagingItem: (code: string) => items.has(code) } : {}),
      ...(options.vehicles.length > 0 ? { vehicle: (plate: string) => vehicles.get(plate) ?? 'unknown' } : {}),
    },
  }
}

export default function ActivityForm() {
  const { recordCode, options, today, values: loaded, existing } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  const definition = recordDefinitions[recordCode]
  const [clientIssues, setClientIssues] = useState<FieldIssue[] | null>(null)
  const issues = clientIssues ?? result?.issues ?? []
  const byField = useMemo(() => issuesByField(issues), [issues])
  const values = result?.values ?? loaded
  const context = useMemo(() => browserContext(options, today), [options, today])
  const busy = navigation.state !== 'idle'

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const parsed = recordSchema(definition, context).safeParse(new FormData(event.currentTarget))
    if (parsed.success) {
      setClientIssues(null)
      return
    }
    event.preventDefault()
    setClientIssues(issuesFromZodError(parsed.error))
    const first = event.currentTarget.querySelector('[aria-invalid="true"]') as HTMLElement | null
    first?.focus()
  }

  const title = existing ? 'activityPages.form.editTitle' : 'activityPages.form.newTitle'
  return (
    <section className="card activity-form" data-testid="activity-form">
      <p className="small">
        <Link to="/activity">← {t('activityPages.title')}</Link>
      </p>
      <h1>{t(title, { recordType: t(definition.label) })}</h1>
      {existing?.locked && existing.month && (
        <p className="warning" role="note">{t('activityPages.form.lockedWarning', { month: existing.month.slice(0, 7) })}</p>
      )}
      {result?.formError && (
        <p className="error-banner" role="alert" data-testid="form-error">
          {t(result.formError.key, result.formError.params)}
        </p>
      )}
      {issues.length > 0 && (
        <p className="error-banner" role="alert" data-testid="error-summary">
          {t('activityPages.form.errorSummary', { count: issues.length })}
        </p>
      )}
      <Form method="post" noValidate onSubmit={onSubmit} key={JSON.stringify(result?.values ?? null)} className="form-grid">
        {(definition.fields as readonly FieldDefinition[]).map((field) => (
          <FieldInput
            key={field.code}
            field={field}
            value={values[field.code] ?? ''}
            issues={byField[field.code] ?? []}
            options={options}
            today={today}
            locale={locale}
          />
        ))}
        <label className="field">
          <span>
            {t('activityPages.form.reason')} {!existing?.locked && <span className="muted small">（{t('activityPages.form.optional')}）</span>}
          </span>
          <textarea name="reason" rows={2} maxLength={500} defaultValue={result?.values.reason ?? ''} aria-describedby="reason-hint" />
          <span className="hint" id="reason-hint">{t('activityPages.form.reasonHint')}</span>
        </label>
        {(byField[''] ?? []).map((issue, i) => (
          <p key={i} className="field-error">{issueMessage(issue, locale)}</p>
        ))}
        <div>
          <button type="submit" className="primary" disabled={busy} data-testid="save">
            {t('activityPages.form.save')}
          </button>
        </div>
      </Form>
    </section>
  )
}

function FieldInput({
  field,
  value,
  issues,
  options,
  today,
  locale,
}: {
  field: FieldDefinition
  value: string
  issues: FieldIssue[]
  options: Options
  today: string
  locale: 'zh-CN' | 'en'
}) {
  const t = useT()
  const id = `f-${field.code}`
  const errorId = `${id}-error`
  const invalid = issues.length > 0
  const common = {
    id,
    name: field.code,
    defaultValue: value,
    'aria-invalid': invalid ? (true as const) : undefined,
    'aria-describedby': invalid ? errorId : undefined,
  }
  let input: JSX.Element
  let hint: MessageKey | null = null
  if (field.kind === 'code' && (field.ref === 'outlet' || field.ref === 'site')) {
    input = (
      <select {...common}>
        {options.outlets.length !== 1 && <option value="">{t('activityPages.form.choose')}</option>}
        {options.outlets.map((o) => (
          <option key={o.code} value={o.code}>
            {o.code} · {localName(locale, o)}
          </option>
        ))}
      </select>
    )
  } else if (field.kind === 'code' && field.ref === 'packagingItem') {
    input = (
      <select {...common}>
        <option value="">{t('activityPages.form.choose')}</option>
        {options.items.map((i) => (
          <option key={i.code} value={i.code}>
            {i.code} · {localName(locale, i)}
          </option>
        ))}
      </select>
    )
  } else if (field.kind === 'plate' && field.ref === 'vehicle') {
    input = (
      <select {...common}>
        <option value="">{t('activityPages.form.choose')}</option>
        {options.vehicles.map((v) => (
          <option key={v.plate} value={v.plate}>
            {v.plate}
          </option>
        ))}
      </select>
    )
    if (options.vehicles.length === 0) hint = 'activityPages.form.noVehicles'
  } else if (field.kind === 'enum') {
    input = (
      <select {...common}>
        {!field.required && <option value="">—</option>}
        {field.required && value === '' && <option value="">{t('activityPages.form.choose')}</option>}
        {enumOptions(field.enum.name as EnumName, locale).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    )
  } else if (field.kind === 'date') {
    input = <input type="date" {...common} {...(field.allowFuture ? {} : { max: today })} />
  } else if (field.kind === 'month') {
    input = <input type="month" {...common} max={today.slice(0, 7)} placeholder="2024-03" />
  } else if (field.kind === 'dateOrMonth') {
    input = <input type="text" {...common} placeholder="2024-03" inputMode="numeric" />
    hint = 'activityPages.form.periodHint'
  } else if (field.kind === 'count') {
    input = <input type="text" inputMode="numeric" autoComplete="off" {...common} />
  } else if (field.kind === 'decimal') {
    input = <input type="text" inputMode="decimal" autoComplete="off" {...common} />
  } else if (field.kind === 'plate') {
    input = <input type="text" autoCapitalize="characters" autoComplete="off" {...common} />
  } else {
    input = <input type="text" {...common} />
  }
  return (
    <label className="field" htmlFor={id}>
      <span>
        {t(field.label)}
        {!field.required && <span className="muted small">（{t('activityPages.form.optional')}）</span>}
      </span>
      {input}
      {hint && <span className="hint">{t(hint)}</span>}
      {invalid && (
        <span className="field-error" id={errorId} data-testid={`error-${field.code}`}>
          {issues.map((issue) => issueMessage(issue, locale)).join(' ')}
        </span>
      )}
    </label>
  )
}
