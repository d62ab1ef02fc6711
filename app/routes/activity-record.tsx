import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { isRecordCode, recordDefinitions } from '#app/domain/activity/definitions.ts'
import type { FieldDefinition } from '#app/domain/activity/fields.ts'
import { optionLabel } from '#app/domain/activity/messages.ts'
import { activityWriterRoles, outletViewerRoles } from '#app/domain/access.ts'
import { FallbackNotes } from '#app/components/fallback-notes.tsx'
import { fieldValueText } from '#app/components/field-value.ts'
import { hasMessage } from '#app/i18n/index.ts'
import { formatDateTime, formatDecimal } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { recordPage, type PresentedRecord } from '#app/services/activity.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  if (!isRecordCode(params.recordType)) throw new Response('Not found', { status: 404 })
  const page = await recordPage(await getDb(), viewer, params.recordType, params.id ?? '')
  if (!page) throw new Response('Not found', { status: 404 })
  return { recordCode: params.recordType, ...page, canEdit: activityWriterRoles.includes(viewer.role) }
}

export default function ActivityRecord() {
  const { recordCode, record, replaced, replacedBy, results, history, canEdit } = useLoaderData<typeof loader>()
  const [search] = useSearchParams()
  const t = useT()
  const locale = useLocale()
  const definition = recordDefinitions[recordCode]
  const fields = definition.fields as readonly FieldDefinition[]
  const saved = search.get('saved')
  const original: PresentedRecord | undefined = replaced[0]
  return (
    <section className="card" data-testid="activity-record">
      <p className="small">
        <Link to={`/activity?month=${record.month?.slice(0, 7) ?? ''}&outlet=${record.outletId}`}>← {t('activityPages.title')}</Link>
      </p>
      <h1>{t('activityPages.record.title', { recordType: t(definition.label), id: record.id })}</h1>
      {saved === 'created' && <p className="notice" role="status">{t('activityPages.form.created')}</p>}
      {saved === 'updated' && <p className="notice" role="status">{t('activityPages.form.updated')}</p>}
      {saved === 'restated' && <p className="notice" role="status">{t('activityPages.form.restated')}</p>}
      <p>
        {localName(locale, { nameZh: record.outletNameZh, nameEn: record.outletNameEn })} <span className="mono">{record.outletCode}</span>{' '}
        {record.current ? <span className="badge">{t('activityPages.currentBadge')}</span> : <span className="badge muted">{t('activityPages.supersededBadge')}</span>}{' '}
        {record.locked && <span className="badge warn">{t('activityPages.lockedBadge')}</span>}
      </p>
      {replacedBy && (
        <p className="warning">
          {t('activityPages.record.replacedBy', { at: formatDateTime(locale, record.supersededAt ?? replacedBy.createdAt), id: replacedBy.id })}{' '}
          <Link to={`/activity/${recordCode}/${replacedBy.id}`}>{t('activityPages.record.viewCurrent')}</Link>
        </p>
      )}

      {original ? (
        <>
          <h2>{t('activityPages.record.restatedTitle')}</h2>
          {record.restatementReason && <p data-testid="restatement-reason">{t('activityPages.record.reason', { reason: record.restatementReason })}</p>}
          <div className="table-wrap">
            <table className="compare" data-testid="restatement-compare">
              <thead>
                <tr>
                  <th>{t('activityPages.record.field')}</th>
                  <th>
                    <Link to={`/activity/${recordCode}/${original.id}`}>{t('activityPages.record.original', { id: original.id })}</Link>
                  </th>
                  <th>{t('activityPages.record.restatement', { id: record.id })}</th>
                </tr>
              </thead>
              <tbody>
                {fields.map((field) => {
                  const before = fieldValueText(field, original.values[field.code], locale)
                  const after = fieldValueText(field, record.values[field.code], locale)
                  return (
                    <tr key={field.code} className={before !== after ? 'changed' : undefined}>
                      <td>{t(field.label)}</td>
                      <td className={field.kind === 'count' || field.kind === 'decimal' ? 'num' : undefined}>{before}</td>
                      <td className={field.kind === 'count' || field.kind === 'decimal' ? 'num' : undefined}>{after}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <dl className="facts" data-testid="record-values">
          {fields.map((field) => (
            <div key={field.code} style={{ display: 'contents' }}>
              <dt>{t(field.label)}</dt>
              <dd className={field.kind === 'count' || field.kind === 'decimal' ? 'numeric' : undefined}>{fieldValueText(field, record.values[field.code], locale)}</dd>
            </div>
          ))}
        </dl>
      )}
      <dl className="facts">
        <dt>{t('activityPages.record.source')}</dt>
        <dd>{hasMessage(`activityPages.record.source.${record.source}`) ? t(`activityPages.record.source.${record.source}` as 'activityPages.record.source.form') : record.source}</dd>
        <dt>{t('activityPages.record.createdBy')}</dt>
        <dd>{record.createdBy ?? '—'}</dd>
        <dt>{t('activityPages.record.createdAt')}</dt>
        <dd>{record.createdAt ? formatDateTime(locale, record.createdAt) : '—'}</dd>
      </dl>
      {canEdit && record.current && (
        <p>
          <Link className="button" to={`/activity/${recordCode}/${record.id}/edit`} data-testid="edit-record">
            {t('activityPages.edit')}
          </Link>
        </p>
      )}

      <h2>{t('activityPages.record.emissions')}</h2>
      {results.length === 0 ? (
        <p className="muted">{t('activityPages.record.noResults')}</p>
      ) : (
        <ul className="history" data-testid="record-results">
          {results.map((r) => (
            <li key={`${r.recordId}-${r.factorSetVersion}`}>
              <span className="mono">#{r.recordId}</span> · {t('activityPages.record.factorSet', { version: r.factorSetVersion })} ·{' '}
              {r.category === 'avoided'
                ? t('activityPages.record.avoided', { value: formatDecimal(locale, r.avoidedCo2eKg, 3) })
                : t('activityPages.record.co2e', { value: formatDecimal(locale, r.co2eKg, 3) })}{' '}
              · {t(`activityPages.record.resultStatus.${r.status}` as 'activityPages.record.resultStatus.current')}
              <FallbackNotes t={t} notes={r.fallbacks} />
            </li>
          ))}
        </ul>
      )}

      <h2>{t('activityPages.record.history')}</h2>
      {history.length === 0 ? (
        <p className="muted">{t('activityPages.record.noHistory')}</p>
      ) : (
        <ul className="history" data-testid="record-history">
          {history.map((h) => (
            <li key={h.id}>
              {formatDateTime(locale, h.occurredAt)} · {h.actor ?? '—'} ·{' '}
              {hasMessage(`activityPages.record.action.${h.action}`) ? t(`activityPages.record.action.${h.action}` as 'activityPages.record.action.activity.create') : h.action}
              {h.reason ? ` · ${h.reason}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
