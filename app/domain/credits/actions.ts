/**
 * The consumer green actions that earn credits. The codes are stored in the
 * ledger and sent by partners, so they never change once published.
 */
export const creditActions = [
  'carton_returned',
  'recyclable_box_chosen',
  'original_packaging_chosen',
  'reduced_packaging_chosen',
  'recyclable_box_returned',
] as const
export type CreditAction = (typeof creditActions)[number]

export function isCreditAction(value: unknown): value is CreditAction {
  return typeof value === 'string' && (creditActions as readonly string[]).includes(value)
}

/**
 * Where each action can be observed. A carton in an outlet's recovery bin is
 * only seen by the outlet operator; checkout choices are only seen by the
 * e-commerce platform. A recyclable box can come back either way (at the
 * counter, or collected by the platform's courier at the door).
 */
export const counterActions = ['carton_returned', 'recyclable_box_returned'] as const satisfies readonly CreditAction[]
export const partnerActions = [
  'recyclable_box_chosen',
  'original_packaging_chosen',
  'reduced_packaging_chosen',
  'recyclable_box_returned',
] as const satisfies readonly CreditAction[]
export type CounterAction = (typeof counterActions)[number]
export type PartnerAction = (typeof partnerActions)[number]

export const ledgerEntryKinds = ['earn', 'redeem', 'expire', 'reverse'] as const
export type LedgerEntryKind = (typeof ledgerEntryKinds)[number]

/** A calendar day in China Standard Time, 'YYYY-MM-DD'. */
export type IsoDate = string

const chinaOffsetMs = 8 * 60 * 60 * 1000

/**
 * The China calendar day an instant falls on. Caps are per day and expiry is
 * by date, and a consumer's "today" is Beijing's, whatever the server's zone.
 * China has no daylight saving, so a fixed +08:00 offset is exact.
 */
export function chinaDay(at: Date): IsoDate {
  if (Number.isNaN(at.getTime())) throw new RangeError('chinaDay: invalid date')
  return new Date(at.getTime() + chinaOffsetMs).toISOString().slice(0, 10)
}

export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}
