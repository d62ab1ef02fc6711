import Decimal from 'decimal.js'
import { isIsoDate, type IsoDate, type LedgerEntryKind } from './actions.ts'
import type { CreditError } from './errors.ts'
import type { CreditRuleSet } from './rules.ts'

/**
 * One ledger entry as the pure functions need it. `points` is signed, so a
 * balance is the plain sum: earn +, redeem −, expire −, reverse the opposite
 * sign of the entry it reverses (an earn taken back −, a redemption refunded +).
 */
export interface LedgerEntry {
  id: string
  kind: LedgerEntryKind
  points: Decimal
  /** China calendar day of the entry. */
  occurredOn: IsoDate
  /** earn only: the last day these points count, fixed by the rule set that made the award. */
  expiresOn?: IsoDate | null
  /** reverse only: the earn or redeem entry it reverses. */
  reversesEntryId?: string | null
}

/** The points of one earn entry and how many of them are still unspent. */
export interface PointsLot {
  earnEntryId: string
  earnedOn: IsoDate
  expiresOn: IsoDate
  points: Decimal
  remaining: Decimal
}

/** Thrown when stored entries break the ledger's own rules: a bug or tampering, never a user error. */
export class LedgerInconsistencyError extends Error {
  constructor(
    readonly entryId: string,
    detail: string,
  ) {
    super(`Ledger entry ${entryId}: ${detail}`)
    this.name = 'LedgerInconsistencyError'
  }
}

/** The last day on which points earned on `earnedOn` can be spent. */
export function expiryDate(ruleSet: Pick<CreditRuleSet, 'expiry'>, earnedOn: IsoDate): IsoDate {
  if (!isIsoDate(earnedOn)) throw new RangeError(`expiryDate: not a date: ${earnedOn}`)
  const expiry = ruleSet.expiry
  if (expiry.rule === 'end_of_year') {
    return `${Number(earnedOn.slice(0, 4)) + expiry.yearsAfterEarning}-12-31`
  }
  const day = new Date(`${earnedOn}T00:00:00Z`)
  day.setUTCDate(day.getUTCDate() + expiry.days)
  return day.toISOString().slice(0, 10)
}

export function balanceOf(entries: readonly LedgerEntry[]): Decimal {
  return entries.reduce((sum, entry) => sum.plus(entry.points), new Decimal(0))
}

export interface LedgerState {
  balance: Decimal
  /** Every lot, in the order spending takes from them; spent lots have remaining 0. */
  lots: PointsLot[]
  reversedEntryIds: Set<string>
}

/**
 * Replay the ledger (entries in ledger order, oldest first) to find what is
 * left of each earn lot. Spending takes from the lot that expires first
 * (first-in, first-out under one rule set; if a later rule set gives shorter
 * validity, its points go first so the consumer loses as little as possible).
 * A reversed earn takes its own lot first; a refunded redemption puts points
 * back into the lots it took them from, latest-expiring first.
 */
export function replayLedger(entries: readonly LedgerEntry[]): LedgerState {
  const lots: PointsLot[] = []
  const byId = new Map<string, LedgerEntry>()
  const lotByEarnId = new Map<string, PointsLot>()
  const takenByRedeem = new Map<string, { lot: PointsLot; points: Decimal }[]>()
  const reversedEntryIds = new Set<string>()
  let balance = new Decimal(0)

  const take = (entry: LedgerEntry, amount: Decimal, first?: PointsLot) => {
    const taken: { lot: PointsLot; points: Decimal }[] = []
    let left = amount
    const order = first ? [first, ...lots.filter((lot) => lot !== first)] : lots
    for (const lot of order) {
      if (left.isZero()) break
      const part = Decimal.min(left, lot.remaining)
      if (part.isZero()) continue
      lot.remaining = lot.remaining.minus(part)
      left = left.minus(part)
      taken.push({ lot, points: part })
    }
    if (!left.isZero()) throw new LedgerInconsistencyError(entry.id, 'the balance would go negative')
    return taken
  }

  for (const entry of entries) {
    if (byId.has(entry.id)) throw new LedgerInconsistencyError(entry.id, 'duplicate entry id')
    const points = entry.points
    if (!points.isInteger()) throw new LedgerInconsistencyError(entry.id, 'points must be whole')

    switch (entry.kind) {
      case 'earn': {
        if (points.lt(0)) throw new LedgerInconsistencyError(entry.id, 'an earn entry must not be negative')
        if (!entry.expiresOn || !isIsoDate(entry.expiresOn)) {
          throw new LedgerInconsistencyError(entry.id, 'an earn entry needs expiresOn')
        }
        const lot: PointsLot = {
          earnEntryId: entry.id,
          earnedOn: entry.occurredOn,
          expiresOn: entry.expiresOn,
          points,
          remaining: points,
        }
        // Keep lots sorted by expiry, stable for equal dates, so spending is first-to-expire first.
        const at = lots.findIndex((other) => other.expiresOn > lot.expiresOn)
        lots.splice(at === -1 ? lots.length : at, 0, lot)
        lotByEarnId.set(entry.id, lot)
        break
      }
      case 'redeem':
      case 'expire': {
        if (!points.lt(0)) throw new LedgerInconsistencyError(entry.id, `a ${entry.kind} entry must be negative`)
        const taken = take(entry, points.negated())
        if (entry.kind === 'redeem') takenByRedeem.set(entry.id, taken)
        break
      }
      case 'reverse': {
        const targetId = entry.reversesEntryId
        const target = targetId ? byId.get(targetId) : undefined
        if (!targetId || !target) throw new LedgerInconsistencyError(entry.id, 'reverses an unknown or later entry')
        if (reversedEntryIds.has(targetId)) throw new LedgerInconsistencyError(entry.id, `entry ${targetId} is already reversed`)
        reversedEntryIds.add(targetId)
        if (target.kind === 'earn') {
          if (points.gt(0) || points.negated().gt(target.points)) {
            throw new LedgerInconsistencyError(entry.id, 'an earn reversal takes back between 0 and the points earned')
          }
          take(entry, points.negated(), lotByEarnId.get(targetId))
        } else if (target.kind === 'redeem') {
          if (points.lt(0) || points.gt(target.points.negated())) {
            throw new LedgerInconsistencyError(entry.id, 'a refund gives back between 0 and the points redeemed')
          }
          let left = points
          for (const part of [...(takenByRedeem.get(targetId) ?? [])].reverse()) {
            const back = Decimal.min(left, part.points)
            part.lot.remaining = part.lot.remaining.plus(back)
            left = left.minus(back)
          }
        } else {
          throw new LedgerInconsistencyError(entry.id, `a ${target.kind} entry cannot be reversed`)
        }
        break
      }
    }
    balance = balance.plus(points)
    byId.set(entry.id, entry)
  }
  return { balance, lots, reversedEntryIds }
}

export interface ExpiringLot {
  earnEntryId: string
  expiresOn: IsoDate
  points: Decimal
}

/**
 * What an expiry run on `asOf` must take away: the unspent rest of every lot
 * whose last valid day is before `asOf`. Write it as one expire entry of
 * −points (or one per lot). Never more than the balance, so never negative.
 */
export function pointsToExpire(entries: readonly LedgerEntry[], asOf: IsoDate): { points: Decimal; lots: ExpiringLot[] } {
  const { balance, lots } = replayLedger(entries)
  const expiring = lots
    .filter((lot) => lot.expiresOn < asOf && lot.remaining.gt(0))
    .map((lot) => ({ earnEntryId: lot.earnEntryId, expiresOn: lot.expiresOn, points: lot.remaining }))
  const total = expiring.reduce((sum, lot) => sum.plus(lot.points), new Decimal(0))
  return { points: Decimal.max(0, Decimal.min(total, balance)), lots: expiring }
}

/** Points a consumer can spend on `asOf`: the balance less anything already past its expiry but not yet swept. */
export function availableBalance(entries: readonly LedgerEntry[], asOf: IsoDate): Decimal {
  const { balance } = replayLedger(entries)
  return balance.minus(pointsToExpire(entries, asOf).points)
}

/** Unspent points by the last day they count, soonest first, for "N points expire on …". */
export function upcomingExpiries(entries: readonly LedgerEntry[], asOf: IsoDate): { expiresOn: IsoDate; points: Decimal }[] {
  const byDate = new Map<IsoDate, Decimal>()
  for (const lot of replayLedger(entries).lots) {
    if (lot.expiresOn < asOf || lot.remaining.isZero()) continue
    byDate.set(lot.expiresOn, (byDate.get(lot.expiresOn) ?? new Decimal(0)).plus(lot.remaining))
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([expiresOn, points]) => ({ expiresOn, points }))
}

export type RedemptionCheck =
  | { ok: true; balanceAfter: Decimal }
  | { ok: false; error: CreditError }

/**
 * May a consumer with `availablePoints` spend `costPoints`? The database must
 * still guard the write (the balance can change between check and insert);
 * this gives the person a clear reason.
 */
export function checkRedemption(availablePoints: Decimal, costPoints: Decimal): RedemptionCheck {
  if (!costPoints.isInteger() || costPoints.lte(0)) {
    return { ok: false, error: { field: 'cost', key: 'credits.error.costInvalid' } }
  }
  if (availablePoints.lt(costPoints)) {
    return {
      ok: false,
      error: {
        field: 'cost',
        key: 'credits.error.insufficientPoints',
        params: { balance: availablePoints.toString(), cost: costPoints.toString(), shortBy: costPoints.minus(availablePoints).toString() },
      },
    }
  }
  return { ok: true, balanceAfter: availablePoints.minus(costPoints) }
}

export type ReversalPlan =
  | {
      ok: true
      /** Signed points for the reverse entry. */
      points: Decimal
      /** Points of an earn that could not be taken back because they were already spent or expired. */
      shortfall: Decimal
    }
  | { ok: false; error: CreditError }

/**
 * The reverse entry for an earn (an order cancelled, an award made in error)
 * or a redemption (a reward not delivered). Taking back an earn never takes
 * the balance below zero: whatever was already spent is reported as shortfall.
 */
export function planReversal(entries: readonly LedgerEntry[], entryId: string): ReversalPlan {
  const target = entries.find((entry) => entry.id === entryId)
  if (!target) return { ok: false, error: { key: 'credits.error.entryNotFound', params: { entryId } } }
  const { balance, reversedEntryIds } = replayLedger(entries)
  if (reversedEntryIds.has(entryId)) {
    return { ok: false, error: { key: 'credits.error.alreadyReversed', params: { entryId } } }
  }
  if (target.kind === 'earn') {
    const takeBack = Decimal.min(target.points, Decimal.max(0, balance))
    return { ok: true, points: takeBack.negated(), shortfall: target.points.minus(takeBack) }
  }
  if (target.kind === 'redeem') {
    return { ok: true, points: target.points.negated(), shortfall: new Decimal(0) }
  }
  return { ok: false, error: { key: 'credits.error.notReversible', params: { entryId } } }
}
