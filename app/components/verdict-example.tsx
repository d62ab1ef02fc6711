import { StackTable } from '#app/components/stack-table.tsx'
import Decimal from 'decimal.js'
import { getMetric } from '#app/domain/metrics/definitions.ts'
import { evaluateTarget, methodologyKeys, ruleParams, type SeriesPoint } from '#app/domain/metrics/status.ts'
import type { Target } from '#app/domain/metrics/targets.ts'
import { periodLabel } from '#app/domain/periods/label.ts'
import { parsePeriod } from '#app/domain/periods/period.ts'
import { formatPercent } from '#app/i18n/format.ts'
import type { MessageKey } from '#app/i18n/index.ts'
import { useLocale, useT } from '#app/i18n/react.ts'

/**
 * The verdict rules as written for people, and a worked example run through
 * the same evaluateTarget the reports use, so that the page cannot drift
 * from the code: a district's no-repack rate, six complete months, one of
 * them below the coverage floor, judged for the third quarter of 2026
 * against 90% by end-2027, then the same figures after that deadline.
 */

const outlets = 8
const months: { month: string; original: number; ecommerce: number; reporting: number }[] = [
  { month: '2026-04', original: 700, ecommerce: 1000, reporting: 8 },
  { month: '2026-05', original: 720, ecommerce: 1000, reporting: 8 },
  { month: '2026-06', original: 50, ecommerce: 100, reporting: 1 },
  { month: '2026-07', original: 760, ecommerce: 1000, reporting: 7 },
  { month: '2026-08', original: 780, ecommerce: 1000, reporting: 8 },
  { month: '2026-09', original: 800, ecommerce: 1000, reporting: 8 },
]
const quarter = months.slice(3)
const target: Target = { metric: 'no_repack_rate', comparison: '>=', value: new Decimal('0.9'), deadline: '2027-12-31', kind: 'rate', note: null }

export function verdictExample() {
  const series: SeriesPoint[] = months.map((m) => ({
    month: m.month,
    value: new Decimal(m.original).dividedBy(m.ecommerce),
    coverage: new Decimal(m.reporting).dividedBy(outlets),
  }))
  const numerator = quarter.reduce((sum, m) => sum + m.original, 0)
  const denominator = quarter.reduce((sum, m) => sum + m.ecommerce, 0)
  const reported = quarter.reduce((sum, m) => sum + m.reporting, 0)
  const pooled = new Decimal(numerator).dividedBy(denominator)
  const coverage = new Decimal(reported).dividedBy(outlets * quarter.length)
  const before = evaluateTarget(target, series, { periodEnd: '2026-09-30', pooled, coverage })
  const after = evaluateTarget(target, series, { periodEnd: '2028-03-31', pooled, coverage })
  if (before.kind !== 'status' || after.kind !== 'status') throw new Error('a rate target gives a status')
  return { series, numerator, denominator, reported, pooled, coverage, before, after }
}

export function VerdictRules() {
  const t = useT()
  const locale = useLocale()
  const params = ruleParams()
  const example = verdictExample()
  const month = (value: string) => {
    const parsed = parsePeriod(value)
    return parsed.ok ? periodLabel(parsed.period, locale) : value
  }
  const percent = (value: Decimal | null) => formatPercent(locale, value?.toFixed() ?? null, 1)
  return (
    <section className="card" data-testid="verdict-rules">
      <h2>{t('metrics.methodology.title')}</h2>
      {methodologyKeys.map((key) => (
        <p key={key}>{t(key, params)}</p>
      ))}
      <p data-testid="verdict-missing">{t('verdicts.rules.missing')}</p>
      <h3>{t('verdicts.example.title')}</h3>
      <p>{t('verdicts.example.setting', { outlets, metric: t(`metric.${target.metric}.name` as MessageKey), value: percent(target.value), deadline: target.deadline })}</p>
      <StackTable className="report-table" data-testid="verdict-example">
        <thead>
          <tr>
            <th>{t('verdicts.example.month')}</th>
            <th className="num">{t(`metric.field.${getMetric(target.metric).numerator}` as MessageKey)}</th>
            <th className="num">{t(`metric.field.${getMetric(target.metric).denominator!}` as MessageKey)}</th>
            <th className="num">{t('reports.table.value')}</th>
            <th className="num">{t('reports.table.coverage')}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((m, i) => (
            <tr key={m.month}>
              <td>{month(m.month)}</td>
              <td className="num">{m.original}</td>
              <td className="num">{m.ecommerce}</td>
              <td className="num">{percent(example.series[i]!.value)}</td>
              <td className="num">{m.reporting} / {outlets} = {percent(example.series[i]!.coverage ?? null)}</td>
            </tr>
          ))}
        </tbody>
      </StackTable>
      <ol className="verdict-steps">
        <li>{t('verdicts.example.pooled', { numerator: example.numerator, denominator: example.denominator, value: percent(example.pooled) })}</li>
        <li>{t('verdicts.example.coverage', { reported: example.reported, outletMonths: outlets * quarter.length, value: percent(example.coverage), minCoverage: params.minCoverage })}</li>
        <li>{t('verdicts.example.notYet', { value: percent(example.pooled), target: percent(target.value) })}</li>
        <li data-testid="verdict-example-left-out">
          {t('verdicts.example.trend', {
            leftOut: example.before.lowCoverageMonths.map(month).join('、'),
            slope: percent(example.before.slopePerMonth),
            projected: percent(example.before.projected),
            status: t(`metrics.status.${example.before.status}`),
          })}
        </li>
        <li>{t('verdicts.example.after', { value: percent(example.after.pooled), status: t(`metrics.status.${example.after.status}`) })}</li>
      </ol>
    </section>
  )
}
