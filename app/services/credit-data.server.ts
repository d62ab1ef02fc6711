import type { Kysely } from 'kysely'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { creditKeys, type CreditKeys } from '#app/utils/credits-env.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import type { Database } from '#db/schema.ts'
import { readCreditRuleFiles } from './credit-files.server.ts'
import { syncCreditRuleSets } from './credit-rules.server.ts'
import { factorSetForAwards } from './credits.server.ts'

export interface CreditContext {
  db: Kysely<Database>
  factorSet: FactorSet
  keys: CreditKeys
}

const holder = globalThis as typeof globalThis & { __greenparcelCredits?: Promise<Omit<CreditContext, 'factorSet'>> }

/**
 * What every credits route needs: the database and the keys (checked once,
 * with a message naming the variable), the rule files loaded into
 * credit_rule_sets once per process, and the factor set in force (looked up
 * again every 10 seconds; parsed sets are cached by the emissions service).
 */
export async function creditContext(): Promise<CreditContext> {
  holder.__greenparcelCredits ??= (async () => {
    const keys = creditKeys()
    const [db, files] = await Promise.all([getDb(), readCreditRuleFiles()])
    const synced = await syncCreditRuleSets(db, files)
    if (synced.errors.length > 0) throw new Error(`Credit rule files do not load: ${JSON.stringify(synced.errors)}`)
    return { db, keys }
  })().catch((error: unknown) => {
    holder.__greenparcelCredits = undefined
    throw error
  })
  const base = await holder.__greenparcelCredits
  const now = Date.now()
  if (!factorSetCache || now - factorSetCache.at > factorSetRecheckMs) {
    factorSetCache = { at: now, set: await factorSetForAwards(base.db) }
  }
  return { ...base, factorSet: factorSetCache.set }
}

// The set in force is looked up again after this long: a newly published
// factor set applies to awards within seconds, without two queries per request.
const factorSetRecheckMs = 10_000
let factorSetCache: { at: number; set: FactorSet } | undefined
