import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Decimal from 'decimal.js'
import { parseCreditRuleSet, type CreditRuleSet } from '#app/domain/credits/rules.ts'
import type { LedgerEntry } from '#app/domain/credits/ledger.ts'

export const ruleFileText = readFileSync(
  fileURLToPath(new URL('../../../factors/credit-rules/2024.1.json', import.meta.url)),
  'utf8',
)

export function shippedRuleSet(): CreditRuleSet {
  const parsed = parseCreditRuleSet(ruleFileText, 'factors/credit-rules/2024.1.json')
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.ruleSet
}

/** The shipped file as a JSON object, to derive broken or alternative sets from. */
export function ruleJson(): Record<string, any> {
  return JSON.parse(ruleFileText)
}

export const d = (value: Decimal.Value) => new Decimal(value)

export function entry(
  id: string,
  kind: LedgerEntry['kind'],
  points: number,
  occurredOn: string,
  extra: { expiresOn?: string; reversesEntryId?: string } = {},
): LedgerEntry {
  return { id, kind, points: new Decimal(points), occurredOn, ...extra }
}
