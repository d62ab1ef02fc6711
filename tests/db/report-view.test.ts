import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compactMetricRow, loadReportPage, reportPageView, type ReportPageData } from '#app/services/reports.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// What a report page sends of its report (reportPageView) and what the bureau
// overview sends of a metric row (compactMetricRow): the figures the page
// shows, unchanged, and not the target's source, the drill-down rows' own
// totals or the generation time.

let t: TestDatabase
let data: ReportPageData
const now = new Date('2026-11-22T08:00:00Z')

beforeAll(async () => {
  t = await createTestDatabase({ seed: true, activity: true })
  const page = await loadReportPage(t.db, await viewerOf(t.db, 'bureau.henan'), { kind: 'region', regionCode: '410000' }, new URLSearchParams({ period: '2025' }), now)
  if (!page.ok) throw new Error(`the province's report answered ${page.status}`)
  data = page.data
})
afterAll(() => t?.close())

describe('a report as its page shows it', () => {
  it('keeps every figure of the report, the period choices and the role', () => {
    const report = data.report!
    expect(report.children.length).toBeGreaterThan(0)
    expect(report.metrics.some((m) => m.target !== null)).toBe(true)
    const view = reportPageView(data)
    const { metrics, children, ...rest } = view.report!
    const { metrics: _m, children: _c, generatedAt, ...expected } = report
    expect(generatedAt).toBe(now.toISOString())
    expect(rest).toEqual(expected)
    expect('generatedAt' in rest).toBe(false)
    expect({ periods: view.periods, period: view.period, invalidPeriod: view.invalidPeriod, role: view.role }).toEqual({
      periods: data.periods,
      period: '2025',
      invalidPeriod: null,
      role: 'bureau_officer',
    })
    expect(metrics).toEqual(
      report.metrics.map((m) => ({
        ...m,
        target: m.target && {
          setName: m.target.setName,
          deadlinePassed: m.target.deadlinePassed,
          metric: m.target.metric,
          comparison: m.target.comparison,
          value: m.target.value,
          deadline: m.target.deadline,
          kind: m.target.kind,
        },
      })),
    )
    expect(children).toEqual(
      report.children.map((c) => ({
        key: c.key,
        param: c.param,
        name: c.name,
        coverage: c.coverage,
        metric: { ...compactMetricRow(c.metric), numerator: c.metric.numerator, denominator: c.metric.denominator },
      })),
    )
  })

  it('cuts a metric row to its compact cells: value, coverage, target in words, badge or share', () => {
    const withTarget = data.report!.metrics.filter((m) => m.target !== null && m.evaluation !== null)
    const status = withTarget.find((m) => m.evaluation!.kind === 'status')!
    const contribution = withTarget.find((m) => m.evaluation!.kind === 'contribution')!
    for (const row of [status, contribution]) {
      const compact = compactMetricRow(row)
      expect(compact).toEqual({
        code: row.code,
        value: row.value,
        coverage: row.coverage,
        target: { metric: row.target!.metric, comparison: row.target!.comparison, value: row.target!.value, deadline: row.target!.deadline, kind: row.target!.kind },
        evaluation:
          row.evaluation!.kind === 'status'
            ? { kind: 'status', status: row.evaluation!.status }
            : {
                kind: 'contribution',
                contribution: row.evaluation!.contribution,
                noData: row.evaluation!.noData,
                targetYear: row.evaluation!.targetYear,
              },
      })
    }
    expect(compactMetricRow({ ...status, target: null, evaluation: null })).toEqual({ code: status.code, value: status.value, coverage: status.coverage, target: null, evaluation: null })
  })
})
