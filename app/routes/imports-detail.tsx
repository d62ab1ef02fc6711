import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect } from 'react'
import { z } from 'zod'
import { ImportFallbacks } from '#app/components/fallback-notes.tsx'
import { recordDefinitions } from '#app/domain/activity/definitions.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import type { Message } from '#app/i18n/index.ts'
import { formatDate, formatDateTime, formatDecimal, formatPercent } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { batchPage, cancelJob, startCommit, startPreview, uploaderRoles } from '#app/services/imports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { ImportSample } from '#app/components/import-sample.tsx'
import { StackTable } from '#app/components/stack-table.tsx'
import { parseForm, type FieldErrors } from '#app/utils/forms.server.ts'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, uploaderRoles, context)
  const page = await batchPage(await getDb(), viewer, params.id ?? '')
  if (!page) throw new Response('Not found', { status: 404 })
  return page
}

type ActionResult = { errors: FieldErrors }

// The reason is cut to what the batch stores, as before, rather than refused.
const batchSchema = z.object({
  intent: z.enum(['commit', 'recheck', 'cancel']),
  replace: z.string().optional(),
  reason: z.string().optional().transform((value) => (value ?? '').trim().slice(0, 500)),
})

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireRole(request, uploaderRoles)
  const db = await getDb()
  const id = params.id ?? ''
  const page = await batchPage(db, viewer, id)
  if (!page) throw new Response('Not found', { status: 404 })
  const parsed = await parseForm(request, batchSchema, { fields: [] })
  if (!parsed.ok) return data<ActionResult>({ errors: parsed.errors }, { status: 400 })
  const replace = parsed.data.replace === 'on'
  const reason = parsed.data.reason || null
  if (parsed.data.intent === 'commit') {
    const result = await startCommit(db, viewer, id, { replace, reason })
    if (!result.ok) return data<ActionResult>({ errors: { form: result.error } }, { status: 409 })
  } else if (parsed.data.intent === 'recheck') {
    await db.updateTable('import_batches').set({ replace_existing: replace, reason }).where('id', '=', page.id).where('status', 'in', ['validated', 'failed']).execute()
    const result = await startPreview(db, viewer, id)
    if (!result.ok) return data<ActionResult>({ errors: { form: result.error } }, { status: 409 })
  } else {
    const result = await cancelJob(db, viewer, id)
    if (!result.ok) return data<ActionResult>({ errors: { form: result.error } }, { status: 409 })
  }
  throw redirect(`/imports/${id}`)
}

const running = new Set(['uploaded', 'validating', 'committing'])
const delimiterKey = { ',': 'importPages.delimiter.comma', '\t': 'importPages.delimiter.tab', ';': 'importPages.delimiter.semicolon' } as const

export default function ImportDetail() {
  const loaded = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const fetcher = useFetcher<typeof loader>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  // While the job runs, the page asks for the batch again every second.
  const batch = fetcher.data && fetcher.data.id === loaded.id ? fetcher.data : loaded
  const busy = running.has(batch.status)
  useEffect(() => {
    if (!busy) return
    const timer = setInterval(() => {
      if (fetcher.state === 'idle') fetcher.load(`/imports/${loaded.id}`)
    }, 1000)
    return () => clearInterval(timer)
  }, [busy, loaded.id, fetcher])

  const report = batch.report
  const definition = recordDefinitions[batch.recordType]
  const share = batch.fileBytes > 0 ? Math.min(1, batch.progress.bytes / batch.fileBytes) : 0
  const committed = batch.status === 'committed'
  const fileErrors = report?.fileIssues.filter((i) => i.severity === 'error') ?? []
  const warnings = report?.fileIssues.filter((i) => i.severity === 'warning') ?? []
  const canCommit = batch.status === 'validated' && report !== null && report.accepted > 0 && fileErrors.length === 0 && !report.alreadyImported
  return (
    <section className="card" data-testid="import-detail" data-status={batch.status}>
      <p className="small">
        <Link to="/imports">← {t('importPages.title')}</Link>
      </p>
      <h1>{t('importPages.detailTitle', { file: batch.fileName })}</h1>
      <p className="muted">
        {t(definition.label)} · {t(`importPages.status.${batch.status}`)} · {batch.uploadedBy ?? '—'} · {formatDateTime(locale, batch.createdAt)}
      </p>
      {result?.errors.form && <p className="error-banner" role="alert">{t(result.errors.form.key, result.errors.form.params)}</p>}
      {batch.failure && (
        <p className="error-banner" role="alert" data-testid="import-failed">
          {t(batch.failure.key, batch.failure.params)}
        </p>
      )}
      {busy && (
        <div className="progress" data-testid="processing-progress" role="status">
          <progress max={1} value={share} />
          <span>{t('importPages.processing', { rows: formatDecimal(locale, batch.progress.rows), percent: formatPercent(locale, share, 0) })}</span>
          <noscript>
            <p>
              {t('importPages.processingNoJs')} <Link to={`/imports/${batch.id}`}>{t('importPages.refresh')}</Link>
            </p>
          </noscript>
          <Form method="post" className="inline-form">
            <button type="submit" name="intent" value="cancel" className="secondary" data-testid="cancel-job" title={t('importJobs.cancelHint')}>
              {t('importJobs.cancel')}
            </button>
          </Form>
        </div>
      )}
      {committed && report && (
        <p className="notice" role="status" data-testid="import-committed">
          {t('importPages.committed', { count: formatDecimal(locale, report.accepted) })}
        </p>
      )}
      {report?.alreadyImported && (
        <p className="warning" data-testid="already-imported">
          {t('importPages.alreadyImported', { date: formatDate(locale, report.alreadyImported.committedAt), id: report.alreadyImported.batchId })}
        </p>
      )}
      {report && (
        <>
          {(fileErrors.length > 0 || warnings.length > 0) && (
            <>
              <h2>{t('importPages.fileProblems')}</h2>
              <ul data-testid="file-issues">
                {[...fileErrors, ...warnings].map((issue, i) => (
                  <li key={i} className={issue.severity === 'error' ? 'field-error' : 'muted'}>
                    {issueMessage(issue, locale)}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="stats" data-testid="import-counts">
            <Stat label={t('importPages.counts.rows')} value={formatDecimal(locale, report.rows)} name="rows" />
            <Stat label={t(committed ? 'importPages.counts.acceptedDone' : 'importPages.counts.accepted')} value={formatDecimal(locale, report.accepted)} name="accepted" />
            <Stat label={t('importPages.counts.duplicates')} value={formatDecimal(locale, report.duplicates)} name="duplicates" />
            <Stat label={t('importPages.counts.rejected')} value={formatDecimal(locale, report.rejected)} name="rejected" />
          </div>
          {(report.replaced > 0 || report.restated > 0) && (
            <p className="small">
              {t('importPages.counts.replaced')} {formatDecimal(locale, report.replaced)} · {t('importPages.counts.restated')} {formatDecimal(locale, report.restated)}
            </p>
          )}
          <p className="small muted">
            {t('importPages.encoding', { encoding: report.encoding ?? '—', delimiter: t(delimiterKey[report.delimiter as ',' | '\t' | ';'] ?? 'importPages.delimiter.comma') })}
            {report.factorSetVersion && (
              <>
                {' · '}
                {t('importPages.emissions', {
                  co2e: formatDecimal(locale, report.co2eKg, 1),
                  avoided: formatDecimal(locale, report.avoidedCo2eKg, 1),
                  version: report.factorSetVersion,
                })}
              </>
            )}
          </p>
          <ImportFallbacks t={t} locale={locale} fallbacks={report.fallbacks} />
          {!committed && report.sample && <ImportSample sample={report.sample} definition={definition} accepted={report.accepted} />}
          <h2>{t('importPages.errors')}</h2>
          {report.errors.length === 0 ? (
            <p className="muted">{t('importPages.noErrors')}</p>
          ) : (
            <>
              <StackTable data-testid="import-errors">
                  <thead>
                    <tr>
                      <th>{t('importPages.row')}</th>
                      <th>{t('importPages.column')}</th>
                      <th>{t('importPages.message')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.errors.map((e, i) => (
                      <tr key={`${e.row}-${i}`}>
                        <td>{t('importPreview.sampleRow', { row: e.row })}</td>
                        <td className="import-column">{e.column ?? '—'}</td>
                        <td>{issueMessage(e, locale)}</td>
                      </tr>
                    ))}
                  </tbody>
                </StackTable>
              {report.errorsTruncated && <p className="small muted">{t('importPages.errorsTruncated', { count: report.errors.length })}</p>}
            </>
          )}
          {report.rejected > 0 && (
            <p>
              <a href={`/imports/${batch.id}/rejected.csv`} download data-testid="download-rejected">
                {t('importPages.downloadRejected')}
              </a>
            </p>
          )}
        </>
      )}
      {!busy && !committed && (report || batch.status === 'failed') && (
        <Form method="post" className="form-grid commit-form">
          <label className="checkbox">
            <input type="checkbox" name="replace" defaultChecked={batch.replaceExisting} /> <span>{t('importPages.replace')}</span>
          </label>
          <label className="field">
            <span>{t('importPages.reason')}</span>
            <textarea name="reason" rows={2} maxLength={500} defaultValue={batch.reason ?? ''} />
          </label>
          {report && (
            <p className="hint" data-testid="commit-hint">
              {canCommit
                ? t('importPreview.willWrite', {
                    accepted: formatDecimal(locale, report.accepted),
                    created: formatDecimal(locale, report.created),
                    replaced: formatDecimal(locale, report.replaced),
                    rejected: formatDecimal(locale, report.rejected),
                    duplicates: formatDecimal(locale, report.duplicates),
                  })
                : t('importPages.nothingToCommit')}
            </p>
          )}
          <div>
            {canCommit && (
              <button type="submit" name="intent" value="commit" className="primary" disabled={navigation.state !== 'idle'} data-testid="commit">
                {t('importPages.commit', { count: formatDecimal(locale, report!.accepted) })}
              </button>
            )}{' '}
            <button type="submit" name="intent" value="recheck" className="secondary" data-testid="recheck">
              {t('importPages.recheck')}
            </button>
          </div>
        </Form>
      )}
      {!busy && (
        <p>
          <Link to={`/imports/new?recordType=${batch.recordType}`}>{t('importPages.another')}</Link>
        </p>
      )}
    </section>
  )
}

function Stat({ label, value, name }: { label: string; value: string; name: string }) {
  return (
    <div className="stat" data-testid={`count-${name}`}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </div>
  )
}
