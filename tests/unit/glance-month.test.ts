import { describe, expect, it } from 'vitest'
import { dateRanges, glanceStatus, meetsSoFar, missingForMonth } from '#app/domain/glance/month.ts'

describe('what is still missing for a month', () => {
  it('lists the days up to today without shipment statistics, and monthly records not entered', () => {
    const missing = missingForMonth('2026-12', '2026-12-07', ['2026-12-01', '2026-12-02', '2026-12-05'], { shipment_stats: 3, vehicle_use: 2 })
    expect(missing.missingDays).toEqual(['2026-12-03', '2026-12-04', '2026-12-06', '2026-12-07'])
    expect(missing.monthlyRecords).toEqual(['packaging_consumption', 'facility_electricity'])
  })

  it('checks every day of a past month (February 2028 has 29) and nothing of a future one', () => {
    expect(missingForMonth('2028-02', '2028-03-10', [], {}).missingDays).toHaveLength(29)
    expect(missingForMonth('2027-01', '2026-12-07', [], {})).toEqual({ missingDays: [], monthlyRecords: [] })
  })

  it('folds consecutive days into ranges', () => {
    expect(dateRanges(['2026-12-03', '2026-12-04', '2026-12-06', '2026-12-07', '2026-12-08', '2026-12-10'])).toEqual([
      { from: '2026-12-03', to: '2026-12-04' },
      { from: '2026-12-06', to: '2026-12-08' },
      { from: '2026-12-10', to: '2026-12-10' },
    ])
  })
})

describe('a month’s status on the home page', () => {
  it('is provisional while the month runs, whatever the verdict, and the verdict once it is over', () => {
    expect(glanceStatus('met', true)).toBe('provisional')
    expect(glanceStatus('missed', true)).toBe('provisional')
    expect(glanceStatus('missed', false)).toBe('missed')
    expect(glanceStatus(null, true)).toBeNull()
  })

  it('says where a running month stands against a plain target', () => {
    const target = { kind: 'rate', comparison: '>=' as const, value: '0.9' }
    expect(meetsSoFar('0.95', target)).toBe(true)
    expect(meetsSoFar('0.8999', target)).toBe(false)
    expect(meetsSoFar(null, target)).toBeNull()
    expect(meetsSoFar('0.95', { ...target, kind: 'relative_to_baseline' })).toBeNull()
  })
})
