/**
 * A partner's token bucket (burst tokens, refilled at ratePerSecond) is kept
 * in slots so that parallel requests take tokens from different rows instead
 * of queueing on one (decision 086). Each slot holds burst / slots tokens and
 * refills at ratePerSecond / slots; together they admit at most
 * burst + ratePerSecond × seconds, like the single bucket.
 *
 * A slot must hold at least minTokensPerSlot tokens, so a small bucket stays
 * one row and behaves exactly as before; a large one gets up to maxSlots,
 * more than the database connections of all app processes together, so a
 * request rarely finds every slot busy.
 */
export const maxSlots = 64
export const minTokensPerSlot = 4

export function rateSlotCount(burst: number): number {
  return Math.min(maxSlots, Math.max(1, Math.floor(burst / minTokensPerSlot)))
}

/** Seconds until one token is back: what Retry-After says to a refused partner. */
export function retryAfterSeconds(ratePerSecond: string): number {
  return Math.max(1, Math.ceil(1 / Number(ratePerSecond)))
}
