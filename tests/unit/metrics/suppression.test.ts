import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { benchmarkCell } from '#app/domain/metrics/suppression.ts'
import { translate } from '#app/i18n/index.ts'

describe('benchmarkCell', () => {
  const value = new Decimal('0.93')

  it('hides a cell with 2 outlets of other brands from a brand admin, with a reason', () => {
    const cell = benchmarkCell({ otherBrandOutlets: 2, viewerRole: 'carrier_admin', value })
    expect(cell).toEqual({
      suppressed: true,
      value: null,
      reason: { key: 'metrics.benchmark.suppressed', params: { minimum: 3 } },
    })
    if (!cell.suppressed) return
    expect(translate('zh-CN', cell.reason.key, cell.reason.params)).toBe('其他品牌网点少于3个，为保护商业信息不予显示。')
  })

  it('hides it from an outlet operator too, and at 0 or 1 outlets', () => {
    expect(benchmarkCell({ otherBrandOutlets: 2, viewerRole: 'outlet_operator', value }).suppressed).toBe(true)
    expect(benchmarkCell({ otherBrandOutlets: 1, viewerRole: 'carrier_admin', value }).suppressed).toBe(true)
    expect(benchmarkCell({ otherBrandOutlets: 0, viewerRole: 'carrier_admin', value }).suppressed).toBe(true)
  })

  it('shows it to a bureau officer and an admin, who regulate every outlet', () => {
    expect(benchmarkCell({ otherBrandOutlets: 2, viewerRole: 'bureau_officer', value })).toEqual({ suppressed: false, value })
    expect(benchmarkCell({ otherBrandOutlets: 0, viewerRole: 'admin', value })).toEqual({ suppressed: false, value })
  })

  it('shows exactly 3 other-brand outlets to anyone', () => {
    expect(benchmarkCell({ otherBrandOutlets: 3, viewerRole: 'carrier_admin', value })).toEqual({ suppressed: false, value })
    expect(benchmarkCell({ otherBrandOutlets: 3, viewerRole: 'outlet_operator' })).toEqual({ suppressed: false, value: null })
  })

  it('refuses a count that is not a whole non-negative number', () => {
    expect(() => benchmarkCell({ otherBrandOutlets: -1, viewerRole: 'admin' })).toThrow()
    expect(() => benchmarkCell({ otherBrandOutlets: 2.5, viewerRole: 'admin' })).toThrow()
  })
})
