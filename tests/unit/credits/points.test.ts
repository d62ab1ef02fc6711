import { describe, expect, it } from 'vitest'
import { pointsForAction } from '#app/domain/credits/points.ts'
import { parseCreditRuleSet } from '#app/domain/credits/rules.ts'
import { d, ruleJson, shippedRuleSet } from './helpers.ts'

const rules = shippedRuleSet()

describe('points for an action', () => {
  it('gives 1 point per gram avoided, rounded down', () => {
    // 3 cartons × 37 g = 111 g → 111 points
    const three = pointsForAction(rules, 'carton_returned', d('111'), d(0), 3)
    expect(three.ok && three.points.toString()).toBe('111')
    // 123.9 g → floor(123.9) = 123: no point for CO2e not avoided
    const result = pointsForAction(rules, 'original_packaging_chosen', d('123.9'), d(0))
    expect(result).toMatchObject({ ok: true, capped: false, ruleSetVersion: '2024.1', action: 'original_packaging_chosen' })
    if (!result.ok) return
    expect(result.points.toString()).toBe('123')
    expect(result.uncappedPoints.toString()).toBe('123')
    expect(result.cappedFrom).toBeUndefined()
    // under one gram earns nothing
    const tiny = pointsForAction(rules, 'reduced_packaging_chosen', d('0.999'), d(0))
    expect(tiny.ok && tiny.points.toString()).toBe('0')
  })

  it('applies a fractional rate and half-up rounding when a rule set says so', () => {
    const json = ruleJson()
    json.actions.carton_returned.pointsPerGram = '0.5'
    json.actions.recyclable_box_chosen.rounding = 'half_up'
    const parsed = parseCreditRuleSet(JSON.stringify(json), '2024.1.json')
    if (!parsed.ok) throw new Error('fixture')
    // 101 g × 0.5 = 50.5 → floor 50
    const half = pointsForAction(parsed.ruleSet, 'carton_returned', d(101), d(0))
    expect(half.ok && half.points.toString()).toBe('50')
    // 123.5 g × 1 → half up 124; 123.49 → 123
    const up = pointsForAction(parsed.ruleSet, 'recyclable_box_chosen', d('123.5'), d(0))
    expect(up.ok && up.points.toString()).toBe('124')
    const down = pointsForAction(parsed.ruleSet, 'recyclable_box_chosen', d('123.49'), d(0))
    expect(down.ok && down.points.toString()).toBe('123')
  })

  it('stops at the daily cap per consumer and action', () => {
    // cap 500, 450 already earned today, action worth 80 → 500 − 450 = 50 points, capped from 80
    const result = pointsForAction(rules, 'carton_returned', d(80), d(450), 2)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.points.toString()).toBe('50')
    expect(result.capped).toBe(true)
    expect(result.cappedFrom?.toString()).toBe('80')
    expect(result.dailyCapPoints.toString()).toBe('500')

    // 420 + 80 = 500 exactly: fits, not capped
    const fits = pointsForAction(rules, 'carton_returned', d(80), d(420))
    expect(fits.ok && [fits.points.toString(), fits.capped]).toEqual(['80', false])

    // cap already reached: 0 points, still reported as capped from 80
    const full = pointsForAction(rules, 'carton_returned', d(80), d(500))
    expect(full.ok && [full.points.toString(), full.capped, full.cappedFrom?.toString()]).toEqual(['0', true, '80'])

    // caps are per action: recyclable_box_chosen has its own 1000
    const other = pointsForAction(rules, 'recyclable_box_chosen', d(380), d(700))
    expect(other.ok && [other.points.toString(), other.capped]).toEqual(['300', true])
  })

  it('refuses more items than one award may cover', () => {
    const ok = pointsForAction(rules, 'carton_returned', d(740), d(0), 20)
    // 20 cartons × 37 g = 740 g, but the cap is 500
    expect(ok.ok && ok.points.toString()).toBe('500')
    expect(pointsForAction(rules, 'carton_returned', d(777), d(0), 21)).toEqual({
      ok: false,
      error: { field: 'quantity', key: 'credits.error.quantityTooLarge', params: { quantity: 21, max: 20 } },
    })
    expect(pointsForAction(rules, 'carton_returned', d(37), d(0), 0)).toMatchObject({
      ok: false,
      error: { key: 'credits.error.quantityInvalid' },
    })
  })

  it('gives nothing for an action the rule set leaves out', () => {
    const json = ruleJson()
    delete json.actions.reduced_packaging_chosen
    const parsed = parseCreditRuleSet(JSON.stringify(json), '2024.1.json')
    if (!parsed.ok) throw new Error('fixture')
    expect(pointsForAction(parsed.ruleSet, 'reduced_packaging_chosen', d(100), d(0))).toEqual({
      ok: false,
      error: { field: 'action', key: 'credits.error.actionNotRewarded', params: { action: 'reduced_packaging_chosen', version: '2024.1' } },
    })
  })

  it('treats negative inputs as a bug upstream', () => {
    expect(() => pointsForAction(rules, 'carton_returned', d(-1), d(0))).toThrow(RangeError)
    expect(() => pointsForAction(rules, 'carton_returned', d(1), d(-5))).toThrow(RangeError)
  })
})
