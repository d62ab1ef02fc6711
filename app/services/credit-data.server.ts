import type { Kysely } from 'kysely'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { creditKeys, type CreditKeys } from '#app/utils/credits-env.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import type { Database } from '#db/schema.ts'
import { readCreditRuleFiles, readPublishedFactorSet } from './credit-files.server.ts'
import { syncCreditRuleSets } from './credits.server.ts'

export interface CreditContext {
  db: Kysely<Database>
  factorSet: FactorSet
  keys: CreditKeys
}

const holder = globalThis as typeof globalThis & { __greenparcelCredits?: Promise<CreditContext> }

/**
 * What every credits route needs, prepared once per process: the database,
 * the factor set, the keys (checked here, with a message naming the
 * variable), and the rule files loaded into credit_rule_sets.
 */
export function creditContext(): Promise<CreditContext> {
  holder.__greenparcelCredits ??= (async () => {
    const keys = creditKeys()
    const [db, factorSet, files] = await Promise.all([getDb(), readPublishedFactorSet(), readCreditRuleFiles()])
    const synced = await syncCreditRuleSets(db, files)
    if (synced.errors.length > 0) throw new Error(`Credit rule files do not load: ${JSON.stringify(synced.errors)}`)
    return { db, factorSet, keys }
  })().catch((error: unknown) => {
    holder.__greenparcelCredits = undefined
    throw error
  })
  return holder.__greenparcelCredits
}
