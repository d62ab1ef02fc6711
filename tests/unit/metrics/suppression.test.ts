import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { benchmarkCell, type ReportingCell } from '#app/domain/metrics/suppression.ts'
import { translate } from '#app/i18n/index.ts'

const cells = (...spec: [string, string, number][]): ReportingCell[] => spec.map(([month, district, outlets]) => ({ month, district, outlets }))

describe('benchmarkCell', () => {
  const value = new Decimal('0.93')

  it('hides a cell with 2 reporting outlets of other brands from a brand admin, with a reason', () => {
    const cell = benchmarkCell({ cells: cells(['2025-05', '410105', 2]), viewerRole: 'carrier_admin', value })
    expect(cell).toEqual({
      suppressed: true,
      value: null,
      reason: { key: 'metrics.benchmark.suppressed', params: { minimum: 3 } },
    })
    if (!cell.suppressed) return
    expect(translate('zh-CN', cell.reason.key, cell.reason.params)).toBe('报送数据的其他品牌网点少于3个（或其中某个区县、某个月份如此），为保护商业信息不予显示。')
  })

  it('hides it from an outlet operator too, at 1 outlet, and when no other brand reported at all', () => {
    expect(benchmarkCell({ cells: cells(['2025-05', '410105', 2]), viewerRole: 'outlet_operator', value }).suppressed).toBe(true)
    expect(benchmarkCell({ cells: cells(['2025-05', '410105', 1]), viewerRole: 'carrier_admin', value }).suppressed).toBe(true)
    expect(benchmarkCell({ cells: [], viewerRole: 'carrier_admin', value }).suppressed).toBe(true)
  })

  it('a city with 5 reporting outlets is hidden when one of its districts has 2: city − district = the 2', () => {
    // Jinshui 3, Zhongyuan 2 in May: the city's 5 would give Zhongyuan's 2 by subtracting Jinshui.
    const city = cells(['2025-05', '410105', 3], ['2025-05', '410102', 2])
    expect(benchmarkCell({ cells: city, viewerRole: 'carrier_admin', value }).suppressed).toBe(true)
    // A district with no other-brand outlet reporting hides nothing.
    const other = cells(['2025-05', '410105', 3], ['2025-05', '410104', 0])
    expect(benchmarkCell({ cells: other, viewerRole: 'carrier_admin', value })).toEqual({ suppressed: false, value })
  })

  it('a quarter is hidden when one of its months is: quarter − shown months = the hidden month', () => {
    const quarter = cells(['2025-04', '410105', 3], ['2025-05', '410105', 4], ['2025-06', '410105', 2])
    expect(benchmarkCell({ cells: quarter, viewerRole: 'carrier_admin', value }).suppressed).toBe(true)
    expect(benchmarkCell({ cells: quarter.slice(0, 2), viewerRole: 'carrier_admin', value }).suppressed).toBe(false)
  })

  it('shows every cell to a bureau officer and an admin, who regulate every outlet', () => {
    expect(benchmarkCell({ cells: cells(['2025-05', '410105', 2]), viewerRole: 'bureau_officer', value })).toEqual({ suppressed: false, value })
    expect(benchmarkCell({ cells: [], viewerRole: 'admin', value })).toEqual({ suppressed: false, value })
  })

  it('shows exactly 3 reporting other-brand outlets to anyone', () => {
    expect(benchmarkCell({ cells: cells(['2025-05', '410105', 3]), viewerRole: 'carrier_admin', value })).toEqual({ suppressed: false, value })
    expect(benchmarkCell({ cells: cells(['2025-05', '410105', 3]), viewerRole: 'outlet_operator' })).toEqual({ suppressed: false, value: null })
  })

  it('refuses a count that is not a whole non-negative number', () => {
    expect(() => benchmarkCell({ cells: cells(['2025-05', '410105', -1]), viewerRole: 'admin' })).toThrow()
    expect(() => benchmarkCell({ cells: cells(['2025-05', '410105', 2.5]), viewerRole: 'admin' })).toThrow()
  })
})
