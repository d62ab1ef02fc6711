import { Link } from '@remix-run/react'
import { recordDefinitions } from '#app/domain/activity/definitions.ts'
import { dateRanges } from '#app/domain/glance/month.ts'
import { metricLabelKeys } from '#app/domain/metrics/definitions.ts'
import { formatDate, formatDecimal } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { metricValueText, periodText, scopeHref, StatusBadge, targetText } from '#app/routes/reports-view.tsx'
import type { GlanceMetric, MonthGlance, OutletGlance } from '#app/services/outlet-month.server.ts'
import { StackTable } from './stack-table.tsx'

/** The outlet home page's month: figures, targets, what is missing, last month beside it. */
export function MonthAtGlance({ glance, outletId }: { glance: OutletGlance; outletId: number }) {
  const t = useT()
  const locale = useLocale()
  const { thisMonth, lastMonth, missing } = glance
  const thisLabel = t('glance.thisMonth', { month: periodText(thisMonth.month, locale) })
  const lastLabel = t('glance.lastMonth', { month: periodText(lastMonth.month, locale) })
  const lastByCode = new Map(lastMonth.metrics.map((m) => [m.code, m]))
  return (
    <section className="card" data-testid="month-glance">
      <h2 style={{ marginTop: 0 }}>{t('glance.title')}</h2>
      {!lastMonth.submitted && (
        <p className="warning" data-testid="submit-reminder">
          {t('glance.remindSubmit', { month: periodText(lastMonth.month, locale) })}{' '}
          <Link to={`/activity?month=${lastMonth.month}`}>{t('glance.goSubmit', { month: periodText(lastMonth.month, locale) })} →</Link>
        </p>
      )}
      <p className="hint">{t('glance.running')}</p>
      <div className="glance-months">
        <MonthFigures month={thisMonth} label={thisLabel} testId="glance-this" />
        <MonthFigures month={lastMonth} label={lastLabel} testId="glance-last" />
      </div>
      <details open={thisMonth.records > 0 || lastMonth.records > 0} className="glance-details">
      <summary>{t('glance.compareCaption')}</summary>
      <StackTable data-testid="glance-metrics" className="glance-table">
        <thead>
          <tr>
            <th>{t('glance.metric')}</th>
            <th>{thisLabel}</th>
            <th>{lastLabel}</th>
            <th>{t('glance.target')}</th>
          </tr>
        </thead>
        <tbody>
          {thisMonth.metrics.map((m) => (
            <tr key={m.code} data-metric={m.code}>
              <td>{t(metricLabelKeys(m.code).name)}</td>
              <td><MetricCell metric={m} locale={locale} /></td>
              <td><MetricCell metric={lastByCode.get(m.code) ?? null} locale={locale} /></td>
              <td>{m.target ? targetText(locale, t, m.target) : <span className="muted">{t('glance.noTarget')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </StackTable>
      </details>
      <h3>{t('glance.missingTitle')}</h3>
      <div data-testid="glance-missing">
        {missing.missingDays.length === 0 && missing.monthlyRecords.length === 0 ? (
          <p className="notice">{t('glance.missingNothing')}</p>
        ) : (
          <>
            {missing.missingDays.length > 0 && (
              <p>
                {t('glance.missingDays', {
                  days: dateRanges(missing.missingDays)
                    .map((r) => (r.from === r.to ? dayText(locale, r.from) : t('glance.dayRange', { from: dayText(locale, r.from), to: dayText(locale, r.to) })))
                    .join(locale === 'en' ? ', ' : '、'),
                  count: missing.missingDays.length,
                })}{' '}
                <Link to={`/activity/shipment_stats/new?date=${missing.missingDays[missing.missingDays.length - 1]}`}>{t('outletHome.enterToday')}</Link>
              </p>
            )}
            {missing.monthlyRecords.length > 0 && (
              <>
                <p style={{ marginBottom: 0 }}>{t('glance.missingMonthly')}</p>
                <ul className="missing-list">
                  {missing.monthlyRecords.map((code) => (
                    <li key={code} data-record={code}>
                      <Link to={`/activity/${code}/new?month=${thisMonth.month}`}>{t(recordDefinitions[code].label)}</Link>
                    </li>
                  ))}
                </ul>
                <p className="hint">{t('glance.monthlyLater')}</p>
              </>
            )}
          </>
        )}
      </div>
      <p>
        <Link to={scopeHref(`outlet:${outletId}`, { period: lastMonth.month })}>{t('glance.fullReport')} →</Link>
      </p>
    </section>
  )
}

function dayText(locale: Locale, date: string): string {
  return locale === 'en' ? formatDate(locale, date) : `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`
}

function MonthFigures({ month, label, testId }: { month: MonthGlance; label: string; testId: string }) {
  const t = useT()
  const locale = useLocale()
  const kg = (value: string | null) => (value === null ? t('glance.noData') : t('glance.kg', { value: formatDecimal(locale, value, 1) }))
  return (
    <div className="glance-month" data-testid={testId}>
      <h3>
        {label}{' '}
        {month.submitted && <span className="badge">{t('glance.submitted', { month: periodText(month.month, locale) })}</span>}
      </h3>
      <div className="stats">
        <div className="stat" data-figure="parcels">
          <span className="stat-value small-value">{month.parcels === null ? t('glance.noData') : t('glance.parcelsValue', { value: formatDecimal(locale, month.parcels, 0) })}</span>
          <span className="stat-label">{t('glance.parcels')}</span>
        </div>
        <div className="stat" data-figure="co2e">
          <span className="stat-value small-value">{kg(month.co2eKg)}</span>
          <span className="stat-label">{t('glance.co2e')}</span>
        </div>
        <div className="stat" data-figure="avoided">
          <span className="stat-value small-value">{kg(month.avoidedCo2eKg)}</span>
          <span className="stat-label">{t('glance.avoided')}</span>
        </div>
      </div>
      {month.factorSetVersions.length > 0 && <p className="small muted">{t('glance.factorSet', { versions: month.factorSetVersions.join(', ') })}</p>}
    </div>
  )
}

function MetricCell({ metric, locale }: { metric: GlanceMetric | null; locale: Locale }) {
  const t = useT()
  if (!metric || metric.value === null) return <span className="muted">{t('glance.noData')}</span>
  return (
    <>
      <span className="metric-value">{metricValueText(locale, t, metric.code, metric.value)}</span>{' '}
      {metric.status && <StatusBadge status={metric.status} />}
      {metric.meetsSoFar !== null && <span className="small muted status-reason">{t(metric.meetsSoFar ? 'glance.soFarMeets' : 'glance.soFarBelow')}</span>}
    </>
  )
}
