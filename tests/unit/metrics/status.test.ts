import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import {
  evaluateTarget,
  leastSquares,
  methodologyKeys,
  ruleParams,
  type EvaluateOptions,
  type SeriesPoint,
  type StatusEvaluation,
  type TargetEvaluation,
} from '#app/domain/metrics/status.ts'
import type { Target } from '#app/domain/metrics/targets.ts'
import { translate } from '#app/i18n/index.ts'

const d = (value: Decimal.Value) => new Decimal(value)

function series(start: string, values: (string | null)[]): SeriesPoint[] {
  const [year, month] = start.split('-').map(Number) as [number, number]
  return values.map((value, i) => {
    const index = year * 12 + month - 1 + i
    const m = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
    return { month: m, value: value === null ? null : d(value) }
  })
}

function status(result: TargetEvaluation): StatusEvaluation {
  if (result.kind !== 'status') throw new Error('expected a status')
  return result
}

// 电商快件不再二次包装率 ≥ 90% by the end of 2023 ("9218").
const noRepack90: Target = {
  metric: 'no_repack_rate',
  comparison: '>=',
  value: d('0.9'),
  deadline: '2023-12-31',
  kind: 'rate',
  note: null,
}
// June 2023, six complete months Jan..Jun; the pooled value is given per case
// (the report pools numerators and denominators, see tests/db/reports-verdicts).
const june2023: EvaluateOptions = { periodEnd: '2023-06-30', pooled: d('0.85'), coverage: d('0.8') }

describe('evaluateTarget: rate targets', () => {
  it('on_track: the least-squares trend of the last 6 months reaches the target by the deadline', () => {
    // Jan..Jun 2023: 0.80 0.82 0.83 0.85 0.86 0.88; x = -5..0 (0 = June)
    // mean x = -2.5, mean y = 5.04 / 6 = 0.84
    // dx = -2.5 -1.5 -0.5 0.5 1.5 2.5; dy = -0.04 -0.02 -0.01 0.01 0.02 0.04
    // Σdx·dy = 0.1 + 0.03 + 0.005 + 0.005 + 0.03 + 0.1 = 0.27; Σdx² = 17.5
    // slope = 0.27 / 17.5 = 0.0154285714…
    // value at December (x = 6) = 0.84 + (6 + 2.5) × 0.27 / 17.5 = 0.84 + 0.1311428571… = 0.9711428571…
    const result = status(evaluateTarget(noRepack90, series('2023-01', ['0.80', '0.82', '0.83', '0.85', '0.86', '0.88']), june2023))
    expect(result.status).toBe('on_track')
    expect(result.reason).toBe('metrics.status.reason.trendMeets')
    expect(result.pooled?.toString()).toBe('0.85')
    expect(result.slopePerMonth?.toDecimalPlaces(10).toString()).toBe('0.0154285714')
    expect(result.projected?.toDecimalPlaces(6).toString()).toBe('0.971143')
  })

  it('at_risk: the trend falls short of the target at the deadline', () => {
    // 0.80 0.80 0.81 0.81 0.82 0.82: mean 4.86 / 6 = 0.81
    // Σdx·dy = 0.025 + 0.015 + 0 + 0 + 0.015 + 0.025 = 0.08; slope = 0.08 / 17.5
    // December: 0.81 + 8.5 × 0.08 / 17.5 = 0.81 + 0.0388571428… = 0.8488571428… < 0.9
    const result = status(evaluateTarget(noRepack90, series('2023-01', ['0.80', '0.80', '0.81', '0.81', '0.82', '0.82']), june2023))
    expect(result.status).toBe('at_risk')
    expect(result.reason).toBe('metrics.status.reason.trendFalls')
    expect(result.projected?.toDecimalPlaces(6).toString()).toBe('0.848857')
  })

  it('met before the deadline when the pooled value already satisfies the target, whatever the last month says', () => {
    // Last month 0.80, but the quarter pooled is 0.90: met (0.9 itself counts as met).
    const result = status(evaluateTarget(noRepack90, series('2023-01', ['0.95', '0.95', '0.80']), { ...june2023, periodEnd: '2023-03-31', pooled: d('0.9') }))
    expect(result.status).toBe('met')
    expect(result.reason).toBe('metrics.status.reason.pooledMeets')
    expect(result.pooled?.toString()).toBe('0.9')
  })

  it('a passed deadline is a standing requirement: the pooled value decides met or missed', () => {
    // Henan 2026, recyclable transit bags ≥ 90% (deadline long passed): the year pooled is
    // 95.0% while its last month alone was 85.5%: met. The trend is not consulted.
    const bags: Target = { ...noRepack90, metric: 'recyclable_transit_bag_rate', deadline: '2025-12-31' }
    const year = series('2026-01', ['0.97', '0.96', '0.96', '0.95', '0.95', '0.96', '0.97', '0.95', '0.96', '0.855'])
    const met = status(evaluateTarget(bags, year, { periodEnd: '2026-10-31', pooled: d('0.95'), coverage: d('0.9') }))
    expect(met.status).toBe('met')
    expect(met.reason).toBe('metrics.status.reason.standingMet')
    const missed = status(evaluateTarget(bags, year, { periodEnd: '2026-10-31', pooled: d('0.899'), coverage: d('0.9') }))
    expect(missed.status).toBe('missed')
    expect(missed.reason).toBe('metrics.status.reason.standingMissed')
    // The deadline's own month: the period reaches it, so it is standing too.
    const december = status(evaluateTarget(noRepack90, series('2023-12', ['0.95']), { ...june2023, periodEnd: '2023-12-31', pooled: d('0.89') }))
    expect(december.status).toBe('missed')
  })

  it('provisional: a period with no complete month is never met or missed', () => {
    const result = status(evaluateTarget(noRepack90, series('2023-06', ['0.99']), { ...june2023, pooled: d('0.99'), provisional: true }))
    expect(result.status).toBe('provisional')
    expect(result.reason).toBe('metrics.status.reason.provisional')
  })

  it('insufficient_data when under half of the outlets reported (50% itself is enough)', () => {
    const points = series('2023-01', ['0.91', '0.92', '0.93', '0.94', '0.95', '0.96'])
    const options = { ...june2023, pooled: d('0.935') }
    const low = status(evaluateTarget(noRepack90, points, { ...options, coverage: d('0.49') }))
    expect(low.status).toBe('insufficient_data')
    expect(low.reason).toBe('metrics.status.reason.lowCoverage')
    expect(status(evaluateTarget(noRepack90, points, { ...options, coverage: null })).status).toBe('insufficient_data')
    expect(status(evaluateTarget(noRepack90, points, { ...options, coverage: d('0.5') })).status).toBe('met')
  })

  it('insufficient_data when nothing was reported behind the pooled value (missing is not zero)', () => {
    const result = status(evaluateTarget(noRepack90, series('2023-01', [null, null]), { ...june2023, pooled: null }))
    expect(result.status).toBe('insufficient_data')
    expect(result.reason).toBe('metrics.status.reason.noValue')
  })

  it('insufficient_data when fewer than 3 of the last 6 months have values', () => {
    // Nov and Dec 2022 lie outside the window Jan..Jun 2023; only May and June count.
    const points = [...series('2022-11', ['0.70', '0.71']), ...series('2023-05', ['0.80', '0.82'])]
    const result = status(evaluateTarget(noRepack90, points, { ...june2023, pooled: d('0.81') }))
    expect(result.status).toBe('insufficient_data')
    expect(result.reason).toBe('metrics.status.reason.tooFewPoints')
    expect(result.pooled?.toString()).toBe('0.81')
  })

  it('leaves months below the coverage floor out of the trend and names them', () => {
    // Jan..Jun: 0.80 0.80 [0.99 at 20% coverage] 0.81 0.82 0.82. Without March the
    // points are x = -5 -4 -2 -1 0, y = 0.80 0.80 0.81 0.82 0.82: mean x = -2.4, mean y = 0.81;
    // Σdx·dy = (-2.6)(-0.01) + (-1.6)(-0.01) + (0.4)(0) + (1.4)(0.01) + (2.4)(0.01) = 0.08
    // Σdx² = 6.76 + 2.56 + 0.16 + 1.96 + 5.76 = 17.2; slope = 0.08 / 17.2 = 0.0046511627…
    // December (x = 6): 0.81 + 8.4 × 0.0046511627… = 0.8490697674… < 0.9: at risk.
    // With March counted the line would be pulled up by 0.99.
    const points = series('2023-01', ['0.80', '0.80', '0.99', '0.81', '0.82', '0.82']).map((p) => ({
      ...p,
      coverage: p.month === '2023-03' ? d('0.2') : d('0.9'),
    }))
    const result = status(evaluateTarget(noRepack90, points, { ...june2023, pooled: d('0.82') }))
    expect(result.lowCoverageMonths).toEqual(['2023-03'])
    expect(result.status).toBe('at_risk')
    expect(result.projected?.toDecimalPlaces(6).toString()).toBe('0.84907')
  })

  it('ignores months after the period end', () => {
    const points = series('2023-01', ['0.80', '0.80', '0.81', '0.81', '0.82', '0.82', '0.99'])
    expect(status(evaluateTarget(noRepack90, points, june2023)).status).toBe('at_risk')
  })

  it('judges lower-is-better targets: zero non-degradable plastic by end-2025', () => {
    const zeroPlastic: Target = {
      metric: 'non_degradable_plastic_items',
      comparison: '<=',
      value: d('0'),
      deadline: '2025-12-31',
      kind: 'rate',
      note: null,
    }
    // Jan..Jun 2025: 600 500 400 300 200 100; mean 350, dy = 250 150 50 -50 -150 -250
    // Σdx·dy = -625 - 225 - 25 - 25 - 225 - 625 = -1750; slope = -1750 / 17.5 = -100
    // intercept (June) = 350 - (-100)(-2.5) = 100; December (x = 6) = 100 - 600 = -500 ≤ 0
    const falling = status(
      evaluateTarget(zeroPlastic, series('2025-01', ['600', '500', '400', '300', '200', '100']), {
        periodEnd: '2025-06-30',
        pooled: d('2100'),
        coverage: d('1'),
      }),
    )
    expect(falling.status).toBe('on_track')
    expect(falling.slopePerMonth?.toString()).toBe('-100')
    expect(falling.projected?.toString()).toBe('-500')
    // Flat at 100 a month: projected 100 > 0
    const flat = status(
      evaluateTarget(zeroPlastic, series('2025-01', ['100', '100', '100']), { periodEnd: '2025-03-31', pooled: d('300'), coverage: d('1') }),
    )
    expect(flat.status).toBe('at_risk')
    expect(status(evaluateTarget(zeroPlastic, series('2025-01', ['0']), { periodEnd: '2025-01-31', pooled: d('0'), coverage: d('1') })).status).toBe('met')
  })
})

describe('evaluateTarget: relative to baseline', () => {
  // 平均每件快递包装耗材减少10%以上 by 2020 (2017 guidance), outlet baseline 200 g/parcel.
  const lessPackaging: Target = {
    metric: 'packaging_per_parcel_g',
    comparison: '<=',
    value: d('-0.1'),
    deadline: '2020-12-31',
    kind: 'relative_to_baseline',
    note: null,
  }
  const options: EvaluateOptions = { periodEnd: '2020-06-30', pooled: d('186'), coverage: d('1'), baseline: d('200') }

  it('compares the pooled value’s and each month’s change against the baseline', () => {
    // 196 … 186 g: (196-200)/200 = -0.02 … (186-200)/200 = -0.07, a straight line
    // falling 0.01 a month; December (x = 6): -0.07 - 0.06 = -0.13 ≤ -0.1
    const result = status(evaluateTarget(lessPackaging, series('2020-01', ['196', '194', '192', '190', '188', '186']), options))
    expect(result.status).toBe('on_track')
    // pooled 186 g: (186 - 200) / 200 = -0.07 > -0.1, so the trend decides
    expect(result.pooled?.toString()).toBe('-0.07')
    expect(result.projected?.toString()).toBe('-0.13')
  })

  it('is met at 178 g: (178 - 200) / 200 = -0.11', () => {
    const result = status(evaluateTarget(lessPackaging, series('2020-06', ['178']), { ...options, pooled: d('178') }))
    expect(result.status).toBe('met')
    expect(result.pooled?.toString()).toBe('-0.11')
  })

  it('needs a baseline', () => {
    const points = series('2020-06', ['178'])
    for (const baseline of [undefined, null, d(0)]) {
      const result = status(evaluateTarget(lessPackaging, points, { ...options, baseline }))
      expect(result.status).toBe('insufficient_data')
      expect(result.reason).toBe('metrics.status.reason.noBaseline')
    }
  })
})

describe('evaluateTarget: national counts give a contribution, not a status', () => {
  // 回收复用瓦楞纸箱8亿个 in 2023 ("9218").
  const cartons: Target = {
    metric: 'cartons_reused',
    comparison: '>=',
    value: d('800000000'),
    deadline: '2023-12-31',
    kind: 'national_count',
    note: null,
  }
  const points = [
    ...series('2022-12', ['5000000']), // before the target year: not counted
    ...series('2023-01', ['2000000', '3000000', '3000000']),
    ...series('2024-01', ['9000000']), // after the deadline: not counted
  ]

  it('sums the target year up to the period end and divides by the national figure', () => {
    // (2,000,000 + 3,000,000 + 3,000,000) / 800,000,000 = 8,000,000 / 800,000,000 = 0.01
    const result = evaluateTarget(cartons, points, { periodEnd: '2023-03-31', pooled: null, coverage: d('0.9') })
    expect(result).toEqual({ kind: 'contribution', total: d('8000000'), contribution: d('0.01'), lowCoverage: false })
  })

  it('stops at the deadline and flags low coverage', () => {
    const result = evaluateTarget(cartons, points, { periodEnd: '2024-06-30', pooled: null, coverage: d('0.3') })
    if (result.kind !== 'contribution') throw new Error('expected a contribution')
    expect(result.total.toString()).toBe('8000000')
    expect(result.lowCoverage).toBe(true)
  })
})

describe('leastSquares', () => {
  it('fits y = 1 + 2x through (0,1), (1,3), (2,5)', () => {
    const line = leastSquares([
      { x: 0, y: d(1) },
      { x: 1, y: d(3) },
      { x: 2, y: d(5) },
    ])
    expect(line.slope.toString()).toBe('2')
    expect(line.intercept.toString()).toBe('1')
  })
})

describe('status reasons in words', () => {
  it('fill the rule numbers into the message', () => {
    const result = status(evaluateTarget(noRepack90, series('2023-01', ['0.80', '0.80', '0.81', '0.81', '0.82', '0.82']), june2023))
    expect(translate('en', result.reason, result.params)).toBe(
      'The trend of the last 6 complete months does not reach the target by the deadline.',
    )
    expect(translate('zh-CN', result.reason, result.params)).toBe('按最近6个完整月份的趋势推算，截止时达不到目标。')
    const low = status(evaluateTarget(noRepack90, [], { ...june2023, coverage: d('0.2') }))
    expect(translate('zh-CN', low.reason, low.params)).toBe('报送该项数据的网点不足 50%，无法判断。请督促网点按时报送。')
  })
})

describe('methodology text', () => {
  it('states the rules with their numbers in both languages', () => {
    const en = methodologyKeys.map((key) => translate('en', key, ruleParams())).join('\n')
    const zh = methodologyKeys.map((key) => translate('zh-CN', key, ruleParams())).join('\n')
    expect(en).toContain('fewer than 50% of the outlets')
    expect(en).toContain('the last 6 complete months up to the end of the period, leaving out months whose coverage is below 50%')
    expect(en).toContain('with fewer than 3 months, insufficient data')
    expect(en).toContain('fewer than 3 reporting outlets of other brands is hidden')
    expect(en).toContain('complete once its last day has passed in Asia/Shanghai')
    expect(zh).toContain('低于 50%')
    expect(zh).toContain('最近 6 个完整月份的月度数值')
    expect(en).not.toMatch(/\{\w+\}/) // no placeholder left unfilled
    expect(zh).not.toMatch(/\{\w+\}/)
  })
})
