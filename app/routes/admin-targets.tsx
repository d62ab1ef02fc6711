import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { int4Id } from '#app/domain/ids.ts'
import { metricLabelKeys, type MetricCode } from '#app/domain/metrics/definitions.ts'
import type { MessageKey } from '#app/i18n/index.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import {
  addTarget,
  createTargetSet,
  deleteTarget,
  deleteTargetSet,
  fieldErrors,
  targetAdminData,
  targetFormSchema,
  targetSetFormSchema,
  updateTarget,
  updateTargetSet,
  type AdminTargetSet,
  type ChangeResult,
  type FieldErrors,
} from '#app/services/targets.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { StackTable } from '#app/components/stack-table.tsx'
import { requireForm } from '#app/utils/forms.server.ts'
import { useFieldErrors } from '#app/components/field-errors.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, ['admin'], context)
  return targetAdminData(await getDb())
}

type ActionResult = (ChangeResult & { form: string; values?: Record<string, string> })

const setIdSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)
const targetIdSchema = int4Id

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireRole(request, ['admin'])
  const db = await getDb()
  const form = await requireForm(request)
  const intent = String(form.get('intent') ?? '')
  const values = Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)]))
  const reply = (result: ChangeResult, formName: string) =>
    data<ActionResult>({ ...result, form: formName, ...(result.ok ? {} : { values }) }, { status: result.ok ? 200 : 400 })

  if (intent === 'createSet' || intent === 'updateSet') {
    const parsed = targetSetFormSchema.safeParse(values)
    if (!parsed.success) return reply({ ok: false, errors: fieldErrors(parsed.error) }, 'set')
    const result = intent === 'createSet' ? await createTargetSet(db, actor, parsed.data) : await updateTargetSet(db, actor, parsed.data)
    return reply(result, 'set')
  }
  const setId = setIdSchema.safeParse(form.get('setId'))
  if (!setId.success) throw new Response('Bad request', { status: 400 })
  if (intent === 'deleteSet') return reply(await deleteTargetSet(db, actor, setId.data), 'set')
  if (intent === 'addTarget' || intent === 'updateTarget') {
    const formName = intent === 'addTarget' ? 'newTarget' : `target:${String(form.get('targetId'))}`
    const parsed = targetFormSchema.safeParse(values)
    if (!parsed.success) return reply({ ok: false, errors: fieldErrors(parsed.error) }, formName)
    const fields = { ...parsed.data, metric: parsed.data.metric }
    if (intent === 'addTarget') return reply(await addTarget(db, actor, setId.data, fields), formName)
    const targetId = targetIdSchema.safeParse(form.get('targetId'))
    if (!targetId.success) throw new Response('Bad request', { status: 400 })
    return reply(await updateTarget(db, actor, setId.data, targetId.data, fields), formName)
  }
  if (intent === 'deleteTarget') {
    const targetId = targetIdSchema.safeParse(form.get('targetId'))
    if (!targetId.success) throw new Response('Bad request', { status: 400 })
    return reply(await deleteTarget(db, actor, setId.data, targetId.data), `target:${targetId.data}`)
  }
  throw new Response('Unknown intent', { status: 400 })
}

export default function AdminTargets() {
  const { sets, brands, metrics } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [search] = useSearchParams()
  const t = useT()
  const locale = useLocale()
  const { say } = useFieldErrors({})
  const selected = sets.find((s) => s.id === search.get('set')) ?? null
  const errorsFor = (formName: string): FieldErrors => (result && !result.ok && result.form === formName ? result.errors : {})
  const valuesFor = (formName: string) => (result && !result.ok && result.form === formName ? (result.values ?? {}) : {})
  return (
    <section className="card" data-testid="admin-targets">
      <h1>{t('adminTargets.title')}</h1>
      <p className="muted">{t('adminTargets.intro')}</p>
      {result?.ok && <p className="notice" role="status">{say(result.notice)}</p>}
      {result && !result.ok && result.errors.form && <p className="error-banner" role="alert">{say(result.errors.form)}</p>}

      {selected ? (
        <>
          <p><Link to="/admin/targets">← {t('adminTargets.back')}</Link></p>
          <h2>{localName(locale, { nameZh: selected.name.zh, nameEn: selected.name.en })} <span className="mono small">{selected.id}</span></h2>
          <SetForm set={selected} errors={errorsFor('set')} values={valuesFor('set')} brands={brands} />
          <Form method="post" className="inline">
            <input type="hidden" name="setId" value={selected.id} />
            <button type="submit" name="intent" value="deleteSet" className="secondary">{t('adminTargets.deleteSet')}</button>
          </Form>
          <h2>{t('adminTargets.targets')}</h2>
          {selected.targets.length === 0 && <p className="muted">{t('adminTargets.noTargets')}</p>}
          {selected.targets.map((target) => (
            <TargetForm
              key={target.id}
              setId={selected.id}
              target={target}
              metrics={metrics}
              errors={errorsFor(`target:${target.id}`)}
              values={valuesFor(`target:${target.id}`)}
            />
          ))}
          <h3>{t('adminTargets.addTarget')}</h3>
          <TargetForm setId={selected.id} target={null} metrics={metrics} errors={errorsFor('newTarget')} values={valuesFor('newTarget')} />
        </>
      ) : (
        <>
          <h2>{t('adminTargets.sets')}</h2>
          <StackTable data-testid="target-set-table">
              <thead>
                <tr>
                  <th>{t('adminTargets.field.id')}</th>
                  <th>{t('adminTargets.field.nameZh')}</th>
                  <th>{t('adminTargets.field.region')}</th>
                  <th>{t('adminTargets.field.brand')}</th>
                  <th className="num">{t('adminTargets.targets')}</th>
                  <th>{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {sets.map((set) => (
                  <tr key={set.id}>
                    <td className="mono">{set.id}</td>
                    <td>
                      {localName(locale, { nameZh: set.name.zh, nameEn: set.name.en })}
                      <br />
                      <span className="small muted">{t(`adminTargets.origin.${set.origin}`)}</span>
                    </td>
                    <td className="mono">{set.region}</td>
                    <td className="mono">{set.brand ?? '—'}</td>
                    <td className="num">{set.targets.length}</td>
                    <td><Link to={`/admin/targets?set=${set.id}`}>{t('adminTargets.edit')}</Link></td>
                  </tr>
                ))}
              </tbody>
            </StackTable>
          <h2>{t('adminTargets.create')}</h2>
          <SetForm set={null} errors={errorsFor('set')} values={valuesFor('set')} brands={brands} />
        </>
      )}
    </section>
  )
}

function SetForm({
  set,
  errors,
  values,
  brands,
}: {
  set: AdminTargetSet | null
  errors: FieldErrors
  values: Record<string, string>
  brands: { code: string; nameZh: string; nameEn: string }[]
}) {
  const t = useT()
  const locale = useLocale()
  const { fieldError, invalid } = useFieldErrors(errors)
  const initial: Record<string, string> = set
    ? {
        id: set.id,
        nameZh: set.name.zh,
        nameEn: set.name.en,
        sourceTitle: set.source.title,
        sourceIssuer: set.source.issuer,
        sourceNumber: set.source.number ?? '',
        sourceDate: set.source.date,
        sourceUrl: set.source.url ?? '',
        sourceVerification: set.source.verification,
        regionCode: set.region,
        brandCode: set.brand ?? '',
      }
    : {}
  const value = (name: string) => values[name] ?? initial[name] ?? ''
  const field = (name: string, label: MessageKey, hint?: MessageKey, multiline = false) => (
    <label className="field" key={name}>
      <span>{t(label)}</span>
      {multiline ? (
        <textarea name={name} defaultValue={value(name)} rows={3} {...invalid(name)} />
      ) : (
        <input name={name} defaultValue={value(name)} {...invalid(name)} readOnly={name === 'id' && set !== null} />
      )}
      {hint && <span className="hint">{t(hint)}</span>}
      {fieldError(name)}
    </label>
  )
  return (
    <Form method="post" className="form-grid" noValidate data-testid={set ? 'edit-set-form' : 'new-set-form'}>
      <input type="hidden" name="intent" value={set ? 'updateSet' : 'createSet'} />
      {set && <input type="hidden" name="setId" value={set.id} />}
      {field('id', 'adminTargets.field.id', 'adminTargets.field.idHint')}
      {field('regionCode', 'adminTargets.field.region', 'adminTargets.field.regionHint')}
      {field('nameZh', 'adminTargets.field.nameZh')}
      {field('nameEn', 'adminTargets.field.nameEn')}
      {field('sourceTitle', 'adminTargets.field.sourceTitle')}
      {field('sourceIssuer', 'adminTargets.field.sourceIssuer')}
      {field('sourceNumber', 'adminTargets.field.sourceNumber')}
      {field('sourceDate', 'adminTargets.field.sourceDate', 'adminTargets.field.sourceDateHint')}
      {field('sourceUrl', 'adminTargets.field.sourceUrl')}
      <label className="field">
        <span>{t('adminTargets.field.brand')}</span>
        <select name="brandCode" defaultValue={value('brandCode')} {...invalid('brandCode')}>
          <option value="">—</option>
          {brands.map((b) => <option key={b.code} value={b.code}>{localName(locale, b)} ({b.code})</option>)}
        </select>
        <span className="hint">{t('adminTargets.field.brandHint')}</span>
        {fieldError('brandCode')}
      </label>
      {field('sourceVerification', 'adminTargets.field.sourceVerification', 'adminTargets.field.sourceVerificationHint', true)}
      <div><button type="submit" className="primary">{t('adminTargets.saveSet')}</button></div>
    </Form>
  )
}

function TargetForm({
  setId,
  target,
  metrics,
  errors,
  values,
}: {
  setId: string
  target: AdminTargetSet['targets'][number] | null
  metrics: MetricCode[]
  errors: FieldErrors
  values: Record<string, string>
}) {
  const t = useT()
  const initial: Record<string, string> = target
    ? { metric: target.metric, comparison: target.comparison, value: target.value, deadline: target.deadline, kind: target.kind, note: target.note ?? '' }
    : { comparison: '>=', kind: 'rate' }
  const value = (name: string) => values[name] ?? initial[name] ?? ''
  const { fieldError, invalid } = useFieldErrors(errors)
  return (
    <Form method="post" className="form-grid target-form" noValidate data-testid={target ? `target-form-${target.id}` : 'new-target-form'}>
      <input type="hidden" name="setId" value={setId} />
      {target && <input type="hidden" name="targetId" value={target.id} />}
      <label className="field">
        <span>{t('adminTargets.field.metric')}</span>
        <select name="metric" defaultValue={value('metric')} {...invalid('metric')}>
          <option value="">—</option>
          {metrics.map((m) => <option key={m} value={m}>{t(metricLabelKeys(m).name)}</option>)}
        </select>
        {fieldError('metric')}
      </label>
      <label className="field">
        <span>{t('adminTargets.field.comparison')}</span>
        <select name="comparison" defaultValue={value('comparison')} {...invalid('comparison')}>
          <option value=">=">{t('adminTargets.comparison.gte')}</option>
          <option value="<=">{t('adminTargets.comparison.lte')}</option>
          <option value="==">{t('adminTargets.comparison.eq')}</option>
        </select>
        {fieldError('comparison')}
      </label>
      <label className="field">
        <span>{t('adminTargets.field.value')}</span>
        <input name="value" defaultValue={value('value')} inputMode="decimal" {...invalid('value')} />
        <span className="hint">{t('adminTargets.field.valueHint')}</span>
        {fieldError('value')}
      </label>
      <label className="field">
        <span>{t('adminTargets.field.deadline')}</span>
        <input name="deadline" type="date" defaultValue={value('deadline')} {...invalid('deadline')} />
        {fieldError('deadline')}
      </label>
      <label className="field">
        <span>{t('adminTargets.field.kind')}</span>
        <select name="kind" defaultValue={value('kind')} {...invalid('kind')}>
          <option value="rate">{t('metrics.targetKind.rate')}</option>
          <option value="national_count">{t('metrics.targetKind.national_count')}</option>
          <option value="relative_to_baseline">{t('metrics.targetKind.relative_to_baseline')}</option>
        </select>
        {fieldError('kind')}
      </label>
      <label className="field">
        <span>{t('adminTargets.field.note')}</span>
        <input name="note" defaultValue={value('note')} />
      </label>
      <div>
        <button type="submit" name="intent" value={target ? 'updateTarget' : 'addTarget'} className="primary">
          {target ? t('adminTargets.saveTarget') : t('adminTargets.addTarget')}
        </button>{' '}
        {target && (
          <button type="submit" name="intent" value="deleteTarget" className="secondary">{t('adminTargets.deleteTarget')}</button>
        )}
      </div>
    </Form>
  )
}
