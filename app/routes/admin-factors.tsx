import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import type { FactorSetFiles } from '#app/domain/factors/types.ts'
import { formatDateTime, formatDecimal } from '#app/i18n/format.ts'
import type { Message, MessageKey, MessageParams } from '#app/i18n/index.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { importFactorSet, publishConnections, publishFactorSet, retireFactorSet } from '#app/services/factor-sets.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb, getDbKind } from '#app/utils/db.server.ts'
import { findVersionInForce, listFactorRows, listFactorSets } from '#db/models/factor-sets.ts'
import { StackTable } from '#app/components/stack-table.tsx'
import { unitText } from '#app/components/source-note.tsx'
import { parseFormData, requireForm, type FieldErrors } from '#app/utils/forms.server.ts'
import { useFieldErrors } from '#app/components/field-errors.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, ['admin'], context)
  const db = await getDb()
  const [sets, inForce] = await Promise.all([listFactorSets(db), findVersionInForce(db)])
  // ?factors=<version>: that set's factors listed below the sets, drafts included (they are not public yet).
  const wanted = new URL(request.url).searchParams.get('factors')
  const shown = sets.find((s) => s.version === wanted) ?? null
  const factors = shown ? await listFactorRows(db, shown.version) : null
  return { sets, inForce: inForce ?? null, factors: shown && factors ? { version: shown.version, rows: factors } : null }
}

const fileFields = ['setJson', 'factorsCsv', 'gridRegionsCsv'] as const
type FileField = (typeof fileFields)[number]
const standardNames: Record<FileField, string> = { setJson: 'set.json', factorsCsv: 'factors.csv', gridRegionsCsv: 'grid-regions.csv' }
const maxFileMb = 4

interface LoadErrorView {
  file: string
  row: number | null
  field: string | null
  key: MessageKey
  params: MessageParams
}

type ActionResult =
  | { ok: true; notice: Message }
  | { ok: false; errors: FieldErrors<FileField>; loadErrors?: LoadErrorView[] }

const versionSchema = z.object({ version: z.string().regex(/^\d{4}\.\d+$/) })

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireRole(request, ['admin'])
  const maxBodyBytes = 3 * maxFileMb * 1024 * 1024 + 64 * 1024
  if (Number(request.headers.get('content-length') ?? 0) > maxBodyBytes) {
    return data<ActionResult>({ ok: false, errors: { form: { key: 'adminFactors.error.tooLarge', params: { max: maxFileMb } } } }, { status: 413 })
  }
  const db = await getDb()
  const form = await requireForm(request, { maxBytes: maxBodyBytes })
  const intent = form.get('intent')
  const now = new Date()

  if (intent === 'upload') {
    const fields: FieldErrors<FileField> = {}
    const files: Partial<FactorSetFiles> = {}
    for (const field of fileFields) {
      const file = form.get(field)
      if (!(file instanceof File) || file.size === 0) {
        fields[field] = { key: 'adminFactors.error.fileMissing', params: { file: standardNames[field] } }
        continue
      }
      if (file.size > maxFileMb * 1024 * 1024) {
        fields[field] = { key: 'adminFactors.error.tooLarge', params: { max: maxFileMb } }
        continue
      }
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer())
      } catch {
        fields[field] = { key: 'adminFactors.error.notText' }
        continue
      }
      // errors name the file as the admin chose it, so it is the one to open
      files[field] = { name: file.name || standardNames[field], text }
    }
    if (Object.keys(fields).length > 0) return data<ActionResult>({ ok: false, errors: fields }, { status: 400 })
    const result = await importFactorSet(db, files as FactorSetFiles, { actor, as: 'draft', now })
    if (!result.ok) {
      const loadErrors = result.errors.map((e) => ({ file: e.file, row: e.row, field: e.field, key: e.key, params: e.params }))
      return data<ActionResult>(
        { ok: false, errors: { form: { key: 'adminFactors.refused', params: { count: loadErrors.length } } }, loadErrors },
        { status: 400 },
      )
    }
    return data<ActionResult>({
      ok: true,
      notice: result.unchanged
        ? { key: 'adminFactors.unchanged', params: { version: result.version } }
        : { key: 'adminFactors.stored', params: { version: result.version, sha: result.contentSha256.slice(0, 12) } },
    })
  }

  const parsed = parseFormData(form, versionSchema, { fields: [] })
  if (!parsed.ok) return data<ActionResult>({ ok: false, errors: parsed.errors }, { status: 400 })
  const version = parsed.data.version
  if (intent === 'publish') {
    const result = await publishFactorSet(db, actor, version, { now, parallel: publishConnections(await getDbKind()) })
    if (!result.ok) return data<ActionResult>({ ok: false, errors: { form: result.error } }, { status: 400 })
    const s = result.summary
    return data<ActionResult>({
      ok: true,
      notice: {
        key: 'adminFactors.published',
        params: {
          version,
          examined: s?.examined ?? 0,
          changed: s?.changed ?? 0,
          restatements: s?.restatements ?? 0,
          failed: s?.failed ?? 0,
          seconds: (s?.seconds ?? 0).toFixed(1),
        },
      },
    })
  }
  if (intent === 'retire') {
    const result = await retireFactorSet(db, actor, version, { now })
    if (!result.ok) return data<ActionResult>({ ok: false, errors: { form: result.error } }, { status: 400 })
    return data<ActionResult>({ ok: true, notice: { key: 'adminFactors.retired', params: { version } } })
  }
  throw new Response('Unknown intent', { status: 400 })
}

export default function AdminFactors() {
  const { sets, inForce, factors } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const t = useT()
  const locale = useLocale()
  const failed = result && !result.ok ? result : null
  const n = (v: string | number) => formatDecimal(locale, v)
  const notice = result?.ok
    ? {
        ...result.notice,
        params: Object.fromEntries(
          Object.entries(result.notice.params ?? {}).map(([k, v]) => [k, typeof v === 'number' ? n(v) : v]),
        ),
      }
    : null
  const { fieldError, invalid } = useFieldErrors<FileField | 'form'>(failed?.errors ?? {})

  return (
    <section className="card" data-testid="admin-factors">
      <h1>{t('adminFactors.title')}</h1>
      <p className="muted">{t('adminFactors.intro')}</p>
      {notice && (
        <p className="notice" role="status" data-testid="factor-notice">
          {t(notice.key, notice.params)}
        </p>
      )}
      {failed?.errors.form && (
        <p className="error-banner" role="alert" data-testid="factor-error">
          {t(failed.errors.form.key, failed.errors.form.params)}
        </p>
      )}
      {failed?.loadErrors && (
        <StackTable data-testid="factor-load-errors">
            <thead>
              <tr>
                <th>{t('adminFactors.errors.file')}</th>
                <th className="num">{t('adminFactors.errors.row')}</th>
                <th>{t('adminFactors.errors.field')}</th>
                <th>{t('adminFactors.errors.message')}</th>
              </tr>
            </thead>
            <tbody>
              {failed.loadErrors.map((e, i) => (
                <tr key={i}>
                  <td className="mono">{e.file}</td>
                  <td className="num">{e.row ?? '—'}</td>
                  <td className="mono">{e.field ?? '—'}</td>
                  <td>{t(e.key, e.params)}</td>
                </tr>
              ))}
            </tbody>
          </StackTable>
      )}

      {sets.length === 0 ? (
        <p>{t('adminFactors.none')}</p>
      ) : (
        <StackTable data-testid="factor-sets">
            <thead>
              <tr>
                <th>{t('adminFactors.col.version')}</th>
                <th>{t('adminFactors.col.status')}</th>
                <th>{t('adminFactors.col.releaseDate')}</th>
                <th className="num">{t('adminFactors.col.factors')}</th>
                <th>{t('adminFactors.col.checksum')}</th>
                <th>{t('adminFactors.col.published')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {sets.map((s) => (
                <tr key={s.version} data-version={s.version}>
                  <td className="mono">{s.version}</td>
                  <td>
                    <span className={`set-badge ${s.status}`}>{t(`adminFactors.status.${s.status}`)}</span>
                    {s.version === inForce && <> <span className="set-badge">{t('adminFactors.inForce')}</span></>}
                  </td>
                  <td>{s.releaseDate}</td>
                  <td className="num">{s.factorCount}</td>
                  <td className="mono small break">{s.contentSha256}</td>
                  <td className="small">
                    {s.publishedAt ? formatDateTime(locale, s.publishedAt) : '—'}
                    {s.publishedBy && <div className="muted">{s.publishedBy}</div>}
                  </td>
                  <td>
                    {s.status === 'draft' && (
                      <Form method="post" className="inline">
                        <input type="hidden" name="version" value={s.version} />
                        <button type="submit" name="intent" value="publish" className="primary" disabled={busy}>
                          {t('adminFactors.publish')}
                        </button>
                      </Form>
                    )}
                    {s.status === 'published' && s.version !== inForce && (
                      <Form method="post" className="inline">
                        <input type="hidden" name="version" value={s.version} />
                        <button type="submit" name="intent" value="retire" className="secondary" disabled={busy}>
                          {t('adminFactors.retire')}
                        </button>
                      </Form>
                    )}
                    <div>
                      <Link to={`?factors=${s.version}#factor-list`} data-testid={`list-factors-${s.version}`}>{t('adminFactors.listFactors')}</Link>
                    </div>
                    {s.status !== 'draft' && (
                      <div>
                        <Link to={`/methodology?version=${s.version}`}>{t('adminFactors.view')}</Link>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </StackTable>
      )}

      {factors && (
        <section id="factor-list" data-testid="factor-list">
          <h2>{t('adminFactors.factorList', { version: factors.version, count: factors.rows.length })}</h2>
          <StackTable className="factor-table">
            <thead>
              <tr>
                <th>{t('methodology.col.id')}</th>
                <th className="num">{t('methodology.col.value')}</th>
                <th>{t('methodology.col.region')}</th>
                <th>{t('methodology.col.years')}</th>
                <th>{t('methodology.col.quality')}</th>
                <th>{t('methodology.col.source')}</th>
              </tr>
            </thead>
            <tbody>
              {factors.rows.map((f) => (
                <tr key={f.id}>
                  <td>
                    <span className="mono break">{f.id}</span>
                    <br />
                    <span className="muted small mono break">{f.quantity} · {f.boundary}</span>
                  </td>
                  <td className="num">
                    {f.value} <span className="muted small">{unitText(f.unit)}</span>
                  </td>
                  <td className="mono">{f.region}</td>
                  <td>
                    {f.validToYear === null ? `${f.validFromYear}–` : `${f.validFromYear}–${f.validToYear}`}
                  </td>
                  <td>{t('methodology.tier', { tier: f.dataQuality })}</td>
                  <td className="small">
                    {f.sourceDocument}
                    {f.sourceTable && <>; {f.sourceTable}</>}
                  </td>
                </tr>
              ))}
            </tbody>
          </StackTable>
        </section>
      )}

      <h2>{t('adminFactors.upload')}</h2>
      <p className="hint">
        {t('adminFactors.upload.hint')} <Link to="/admin/formats" data-testid="formats-link">{t('adminFactors.formatsLink')} →</Link>
      </p>
      <Form method="post" encType="multipart/form-data" className="form-grid" noValidate data-testid="factor-upload">
        <input type="hidden" name="intent" value="upload" />
        {fileFields.map((field) => (
          <label className="field" key={field}>
            <span>{t(`adminFactors.upload.${field}`)}</span>
            <input
              type="file"
              name={field}
              accept={field === 'setJson' ? '.json,application/json' : '.csv,text/csv'}
              {...invalid(field)}
            />
            {fieldError(field)}
          </label>
        ))}
        <div>
          <button type="submit" className="primary" disabled={busy}>
            {t('adminFactors.upload.submit')}
          </button>
        </div>
      </Form>
    </section>
  )
}
