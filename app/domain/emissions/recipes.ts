import Decimal from 'decimal.js'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import type { Message } from '#app/i18n/index.ts'
import { costActivity, provenanceJson, type CostedRecord, type CostInput } from './costing.ts'
import { costingOf } from '#app/domain/records/index.ts'
import { costedRecordTypes, type CostedRecordType } from './types.ts'

/**
 * Recipes: the engine's figure for a group of records, as coefficients that
 * the database applies to every record of the group in one statement.
 *
 * Records of one type that share everything except their quantities (the
 * same grid region and year, the same packaging item and year, the same
 * vehicle class, energy, region, year and readings recorded) are costed by
 * the engine with the same factors, and each figure is a sum of quantity ×
 * coefficient. The coefficients are not written down a second time: they are
 * read off the engine itself (emission-costing.ts) by costing probe inputs,
 * and the recipe is only used when the probes show that the figures of the
 * group really are exact linear functions of the quantities:
 *
 *   1. cost the group's template with every quantity 1, then with one quantity
 *      2 at a time: coefficient i = figure(…2 at i…) − figure(1, 1, …);
 *   2. every probe must give the same method, category, data quality, factor
 *      ids, fallbacks and omissions, and the same figures present;
 *   3. figure(1, 1, …) must equal the sum of the coefficients (no constant
 *      term), and a probe of large, different quantities must equal the sum
 *      of quantity × coefficient exactly;
 *   4. the group's largest quantity (or the largest the column can hold)
 *      times each coefficient must fit in decimal.js's 20 significant digits, so that the engine never
 *      rounds where PostgreSQL's exact numeric would not (a design life that
 *      does not divide evenly fails here: such groups are costed one record
 *      at a time by the engine).
 *
 * A group the engine refuses (no factor, unknown energy) carries the engine's
 * error instead, for every record of the group. The same probes give the
 * provenance: the JSON the engine stores (provenanceJson), cut where the
 * quantities go; the rest of it (the other inputs, factor ids, fallbacks,
 * omissions) is the same for the whole group. tests/db/emissions-sql.test.ts holds the stored
 * results of both ways equal.
 */

export const FIGURES = ['co2eKg', 'avoidedCo2eKg', 'ttwKg', 'wttKg', 'electricityKg'] as const
export type Figure = (typeof FIGURES)[number]

/** One quantity of a record type, as the engine's input names it and the database stores it. */
export interface QuantitySlot {
  /** The CostInput field. */
  field: string
  /** How CostInput types the field: number (integer columns) or decimal string. */
  kind: 'number' | 'decimal'
  /** Digits the stored column allows before and after the point. */
  digits: readonly [integer: number, fraction: number]
}

/** A group's template: a CostInput with placeholder quantities, and which slots the group records. */
export interface RecipeTemplate {
  input: CostInput
  /** Per slot of the record type: present (recorded in this group) or not. */
  present: readonly boolean[]
}

export type Recipe =
  | { kind: 'refused'; error: Message }
  /** Cost this group's records one by one with the engine; `reason` says why. */
  | { kind: 'engine'; reason: string }
  | {
      kind: 'linear'
      category: CostedRecord['category']
      method: string
      dataQuality: number
      /** Per figure: null when the engine leaves the figure out, else a coefficient (decimal text, or null for an absent slot) per slot. */
      coefficients: Record<Figure, (string | null)[] | null>
      /**
       * The stored provenance JSON of the group's records, cut where the quantities go:
       * segments[0] + value of slot gaps[0] + segments[1] + … (each value as plain
       * decimal text; the quotes of a value the engine records as text are in the segments).
       */
      provenance: { segments: string[]; gaps: number[] }
    }

const MAX_DIGITS = 20

function withQuantities(template: RecipeTemplate, slots: readonly QuantitySlot[], values: readonly string[]): CostInput {
  const input = { ...template.input } as Record<string, unknown>
  slots.forEach((slot, i) => {
    if (!template.present[i]) return
    input[slot.field] = slot.kind === 'number' ? Number(values[i]) : values[i]
  })
  return input as unknown as CostInput
}

function figureOf(record: CostedRecord, figure: Figure): Decimal | null {
  return record[figure]
}

function shapeOf(record: CostedRecord): string {
  const p = JSON.parse(provenanceJson(record.provenance)) as Record<string, unknown>
  delete p.inputs
  const presence = FIGURES.map((f) => (figureOf(record, f) === null ? '-' : '+')).join('')
  return JSON.stringify([record.category, record.method, record.dataQuality, presence, p])
}

/** Digits before the point of a decimal's integer part (0 for |x| < 1). */
function integerDigits(d: Decimal): number {
  return d.isZero() ? 0 : Math.max(0, d.abs().floor().toFixed().replace(/^0$/, '').length)
}

/**
 * Where each present slot's sentinel value stands in the provenance JSON text
 * (as a JSON string or a JSON number), each exactly once; null when not so.
 */
function cutAtSentinels(json: string, sentinels: readonly string[], present: readonly boolean[]): { segments: string[]; gaps: number[] } | null {
  const found: { at: number; length: number; slot: number }[] = []
  for (let i = 0; i < sentinels.length; i++) {
    if (!present[i]) continue
    const value = sentinels[i]!
    const hits: { at: number; length: number }[] = []
    for (let at = json.indexOf(value); at !== -1; at = json.indexOf(value, at + 1)) {
      const before = json[at - 1]
      const after = json[at + value.length]
      // a JSON number (after ':' or '[', before ',' '}' or ']'), or the whole of a JSON string: cut inside the quotes
      const bare = (before === ':' || before === '[' || before === ',') && (after === ',' || after === '}' || after === ']')
      const quoted = before === '"' && after === '"'
      if (bare || quoted) hits.push({ at, length: value.length })
    }
    if (hits.length !== 1) return null
    found.push({ ...hits[0]!, slot: i })
  }
  found.sort((a, b) => a.at - b.at)
  const segments: string[] = []
  let from = 0
  for (const f of found) {
    segments.push(json.slice(from, f.at))
    from = f.at + f.length
  }
  segments.push(json.slice(from))
  return { segments, gaps: found.map((f) => f.slot) }
}

/**
 * The recipe of one group of records (see above). `maxima`: the largest
 * quantity per slot among the group's records, when known; the digit check
 * then uses it instead of the most the column can hold.
 */
export function buildRecipe(
  set: FactorSet,
  template: RecipeTemplate,
  slots: readonly QuantitySlot[],
  maxima?: readonly (string | null)[],
): Recipe {
  const ones = slots.map(() => '1')
  const base = costActivity(set, withQuantities(template, slots, ones))
  if (!base.ok) return { kind: 'refused', error: base.error }
  const shape = shapeOf(base.record)

  const coefficients = Object.fromEntries(FIGURES.map((f) => [f, figureOf(base.record, f) === null ? null : slots.map(() => null)])) as Record<
    Figure,
    (Decimal | null)[] | null
  >
  for (let i = 0; i < slots.length; i++) {
    if (!template.present[i]) continue
    const probe = costActivity(set, withQuantities(template, slots, ones.map((v, j) => (j === i ? '2' : v))))
    if (!probe.ok) return { kind: 'engine', reason: `slot ${slots[i]!.field}: the engine refuses a quantity of 2` }
    if (shapeOf(probe.record) !== shape) return { kind: 'engine', reason: `slot ${slots[i]!.field}: the result changes shape with the quantity` }
    for (const f of FIGURES) {
      const row = coefficients[f]
      if (row) row[i] = figureOf(probe.record, f)!.minus(figureOf(base.record, f)!)
    }
  }

  // No constant term, and exact at large, different quantities.
  const sentinels = slots.map((slot, i) => (slot.kind === 'number' ? String(7_000_003 + 40 * i) : `${7_000_003 + 40 * i}.125`))
  const big = costActivity(set, withQuantities(template, slots, sentinels))
  if (!big.ok || shapeOf(big.record) !== shape) return { kind: 'engine', reason: 'the result changes shape at large quantities' }
  for (const f of FIGURES) {
    const row = coefficients[f]
    if (!row) continue
    let atOnes = new Decimal(0)
    let atBig = new Decimal(0)
    row.forEach((c, i) => {
      if (c === null) return
      atOnes = atOnes.plus(c)
      atBig = atBig.plus(c.times(sentinels[i]!))
    })
    if (!atOnes.eq(figureOf(base.record, f)!)) return { kind: 'engine', reason: `${f} has a constant term` }
    if (!atBig.eq(figureOf(big.record, f)!)) return { kind: 'engine', reason: `${f} is not exactly linear` }
    // The engine computes exactly (as PostgreSQL does) only within 20 significant digits.
    let intDigits = 0
    let fraction = 0
    row.forEach((c, i) => {
      if (c === null) return
      const max = maxima?.[i]
      const quantityDigits = max === null || max === undefined ? slots[i]!.digits[0] : integerDigits(new Decimal(max))
      intDigits = Math.max(intDigits, quantityDigits + integerDigits(c) + 1)
      fraction = Math.max(fraction, slots[i]!.digits[1] + c.decimalPlaces())
    })
    if (intDigits + fraction > MAX_DIGITS) return { kind: 'engine', reason: `${f} may need more than ${MAX_DIGITS} digits` }
  }

  const provenance = cutAtSentinels(provenanceJson(big.record.provenance), sentinels, template.present)
  if (provenance === null) return { kind: 'engine', reason: 'a quantity is not in the recorded inputs exactly once' }

  return {
    kind: 'linear',
    category: base.record.category,
    method: base.record.method,
    dataQuality: base.record.dataQuality,
    coefficients: Object.fromEntries(FIGURES.map((f) => [f, coefficients[f]?.map((c) => (c === null ? null : c.toFixed())) ?? null])) as Record<
      Figure,
      (string | null)[] | null
    >,
    provenance,
  }
}

// ---- the record types' groups (app/domain/records/<type>.ts) ----------------------

/** The quantities of each record type, in the order of its descriptor's SQL slots. */
export const recipeSlots: Readonly<Record<CostedRecordType, readonly QuantitySlot[]>> = Object.fromEntries(
  costedRecordTypes.map((type) => [type, costingOf(type).slots]),
) as Record<CostedRecordType, readonly QuantitySlot[]>

/** A group's template from the parts its key was made of (the descriptor's SQL parts). */
export function templateOf(recordType: CostedRecordType, parts: Record<string, unknown>): RecipeTemplate {
  return costingOf(recordType).templateOf(parts)
}

/**
 * The group of one record as its descriptor keys it in SQL: its key and the
 * parts its template is built from. For callers that hold records in memory
 * (the CSV import), so that they cost in SQL the same groups the recompute
 * does; tests/db/emissions-sql.test.ts holds both keys equal.
 */
export function groupOf(input: CostInput): { key: string; parts: Record<string, unknown> } {
  return costingOf(input.recordType).groupOf(input)
}

/**
 * Whether two sets' recipes of one group give every record of it the same
 * CO2e and avoided figures: both linear, with equal coefficients for those two
 * figures (an absent slot or figure counts as 0, as the costing select adds
 * it). Publishing compares the set in force's recipe with the new set's: a
 * record of such a group in an open month keeps its figure, so its stored
 * result need not be read to count what changed.
 */
export function sameFigures(a: Recipe, b: Recipe): boolean {
  if (a.kind !== 'linear' || b.kind !== 'linear') return false
  for (const f of ['co2eKg', 'avoidedCo2eKg'] as const) {
    const x = a.coefficients[f] ?? []
    const y = b.coefficients[f] ?? []
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (!new Decimal(x[i] ?? 0).equals(new Decimal(y[i] ?? 0))) return false
    }
  }
  return true
}
