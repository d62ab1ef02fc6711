import Decimal from 'decimal.js'
import type { CreditAction } from './actions.ts'
import type { CreditError } from './errors.ts'
import type { CreditRuleSet, PointsRounding } from './rules.ts'

export interface PointsAward {
  ok: true
  action: CreditAction
  ruleSetVersion: string
  avoidedGrams: Decimal
  pointsPerGram: Decimal
  rounding: PointsRounding
  dailyCapPoints: Decimal
  /** avoidedGrams × pointsPerGram rounded to whole points, before the daily cap. */
  uncappedPoints: Decimal
  /** Points to credit: a whole number, 0 when the day's cap is already reached. */
  points: Decimal
  capped: boolean
  /** Present when capped: what the action would have earned without the cap. */
  cappedFrom?: Decimal
}

export type PointsResult = PointsAward | { ok: false; error: CreditError }

/**
 * Points for one action under a rule set.
 *
 * `alreadyEarnedToday` is the points this consumer already earned for this
 * action on the same China day (gross: a later reversal does not reopen the
 * cap, so reversing and resubmitting cannot push past it).
 * `quantity` (items covered by the award) is checked against the rule's
 * maxQuantityPerAward; the avoided grams already cover every item.
 */
export function pointsForAction(
  ruleSet: CreditRuleSet,
  action: CreditAction,
  avoidedGrams: Decimal,
  alreadyEarnedToday: Decimal,
  quantity = 1,
): PointsResult {
  // Negative inputs mean a bug upstream (the engine or the ledger query), not a user mistake.
  if (!avoidedGrams.isFinite() || avoidedGrams.lt(0)) {
    throw new RangeError(`pointsForAction: avoidedGrams must be ≥ 0, got ${avoidedGrams.toString()}`)
  }
  if (!alreadyEarnedToday.isFinite() || alreadyEarnedToday.lt(0)) {
    throw new RangeError(`pointsForAction: alreadyEarnedToday must be ≥ 0, got ${alreadyEarnedToday.toString()}`)
  }

  const rule = ruleSet.actions[action]
  if (!rule) {
    return { ok: false, error: { field: 'action', key: 'credits.error.actionNotRewarded', params: { action, version: ruleSet.version } } }
  }
  if (!Number.isInteger(quantity) || quantity < 1) {
    return { ok: false, error: { field: 'quantity', key: 'credits.error.quantityInvalid' } }
  }
  if (rule.maxQuantityPerAward !== null && quantity > rule.maxQuantityPerAward) {
    return {
      ok: false,
      error: { field: 'quantity', key: 'credits.error.quantityTooLarge', params: { quantity, max: rule.maxQuantityPerAward } },
    }
  }

  const uncappedPoints = roundPoints(avoidedGrams.times(rule.pointsPerGram), rule.rounding)
  const room = Decimal.max(0, rule.dailyCapPoints.minus(alreadyEarnedToday))
  const capped = uncappedPoints.gt(room)
  return {
    ok: true,
    action,
    ruleSetVersion: ruleSet.version,
    avoidedGrams,
    pointsPerGram: rule.pointsPerGram,
    rounding: rule.rounding,
    dailyCapPoints: rule.dailyCapPoints,
    uncappedPoints,
    points: capped ? room : uncappedPoints,
    capped,
    ...(capped ? { cappedFrom: uncappedPoints } : {}),
  }
}

export function roundPoints(points: Decimal, rounding: PointsRounding): Decimal {
  return points.toDecimalPlaces(0, rounding === 'floor' ? Decimal.ROUND_FLOOR : Decimal.ROUND_HALF_UP)
}
