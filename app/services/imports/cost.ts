import Decimal from 'decimal.js'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import { costActivity, toResultRow, type CostInput, type ResultToWrite } from '#app/domain/emissions/costing.ts'
import { buildRecipe, groupOf, templateOf, type Recipe } from '#app/domain/emissions/recipes.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { FallbackTally, notesOfFallbacks } from '#app/domain/factors/fallbacks.ts'
import type { Message } from '#app/i18n/index.ts'
import type { DbRecord } from '#db/models/activity.ts'
import type { CostedRecordType } from '#db/tables/emissions.ts'
import type { RowToKeep, Refusal } from './dedupe.ts'
import { issueFromMessage } from './validate.ts'

// Stage 5: emissions of the rows to write, with the factor set in force.
// Rows are grouped by what their cost depends on (emission-recipes): a group
// whose recipe is linear is costed in SQL after it is written (a commit) or
// row by row by the engine (a preview); the other groups by the engine here.
// A group the engine refuses is refused row by row.

export interface CostRules {
  recordCode: RecordCode
  mode: 'preview' | 'commit'
  /** The factor set in force; null when the record type is not costed, or none is published. */
  set: FactorSet | null
  /** Whether the record type carries emissions at all. */
  costed: boolean
  /** Why there is no set, for a costed type without one. */
  noSet: Message
  slots: Parameters<typeof buildRecipe>[2]
  costInput: (record: DbRecord, id: string) => CostInput
}

/** Running totals of one import; a preview also tallies fallback factors. */
export interface CostTotals {
  co2eKg: Decimal
  avoidedCo2eKg: Decimal
  fallbacks: FallbackTally
  /** The recipes of the groups met, by group key. */
  recipes: Map<string, Recipe>
}

export function newCostTotals(): CostTotals {
  return { co2eKg: new Decimal(0), avoidedCo2eKg: new Decimal(0), fallbacks: new FallbackTally(), recipes: new Map() }
}

export interface Costed {
  keep: (RowToKeep & { id: string })[]
  /** The engine's results, to write beside the rows. */
  results: ResultToWrite[]
  /** Rows left to SQL (a commit's linear groups). */
  inSql: number
  refused: Refusal[]
}

/** `ids` is aligned with `rows`: the ids the rows will be written with. */
export function costChunk(rules: CostRules, totals: CostTotals, rows: readonly RowToKeep[], ids: readonly string[]): Costed {
  const out: Costed = { keep: [], results: [], inSql: 0, refused: [] }
  const { set, mode } = rules
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    const { p } = row
    const id = ids[i]!
    if (!set) {
      if (rules.costed) {
        out.refused.push({ p, issue: issueFromMessage(p.row, null, null, 'cannot_cost', rules.noSet) })
        continue
      }
      out.keep.push({ ...row, id })
      continue
    }
    const input = rules.costInput(p.record, id)
    const group = groupOf(input)
    let recipe = totals.recipes.get(group.key)
    if (recipe === undefined) {
      recipe = buildRecipe(set, templateOf(rules.recordCode as CostedRecordType, group.parts), rules.slots)
      totals.recipes.set(group.key, recipe)
    }
    if (recipe.kind === 'refused') {
      out.refused.push({ p, issue: issueFromMessage(p.row, null, null, 'cannot_cost', recipe.error) })
      continue
    }
    if (recipe.kind === 'linear') {
      if (mode === 'commit') out.inSql++
      else {
        // a preview writes nothing: its totals come from the same engine, row by row
        const cost = costActivity(set, input)
        if (cost.ok) {
          totals.co2eKg = totals.co2eKg.plus(cost.record.co2eKg)
          totals.avoidedCo2eKg = totals.avoidedCo2eKg.plus(cost.record.avoidedCo2eKg)
          totals.fallbacks.add(notesOfFallbacks(cost.record.provenance.fallbacks), cost.record.co2eKg)
        }
      }
      out.keep.push({ ...row, id })
      continue
    }
    const cost = costActivity(set, input)
    if (!cost.ok) {
      out.refused.push({ p, issue: issueFromMessage(p.row, null, null, 'cannot_cost', cost.error) })
      continue
    }
    const c = cost.record
    totals.co2eKg = totals.co2eKg.plus(c.co2eKg)
    totals.avoidedCo2eKg = totals.avoidedCo2eKg.plus(c.avoidedCo2eKg)
    if (mode === 'preview') totals.fallbacks.add(notesOfFallbacks(c.provenance.fallbacks), c.co2eKg)
    out.results.push(toResultRow(c, 'current'))
    out.keep.push({ ...row, id })
  }
  return out
}
