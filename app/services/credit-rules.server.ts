import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { chinaDay, type CreditAction } from '#app/domain/credits/actions.ts'
import { toMessage, type RuleFileError } from '#app/domain/credits/errors.ts'
import { checkCreditRuleSets, parseCreditRuleSet, type CreditRuleSet } from '#app/domain/credits/rules.ts'
import type { Message } from '#app/i18n/index.ts'
import { appendAudit } from '#db/models/audit.ts'
import { countAwardsByRuleSet, insertRuleSetIfAbsent, listRuleSetHeads, listRuleSetRows, updateRuleSetStatus } from '#db/models/credit-rule-sets.ts'
import type { Database } from '#db/schema.ts'
import { inTransaction } from '#db/transaction.ts'

type Db = Kysely<Database>

export interface RuleFile {
  fileName: string
  text: string
}

/**
 * Load rule files into credit_rule_sets. A version already stored is never
 * overwritten: past awards name it, and its status may have been changed
 * by an admin since.
 */
export async function syncCreditRuleSets(db: Db, files: readonly RuleFile[]): Promise<{ loaded: string[]; errors: RuleFileError[] }> {
  const errors: RuleFileError[] = []
  const parsed: { ruleSet: CreditRuleSet; file: RuleFile }[] = []
  for (const file of files) {
    const result = parseCreditRuleSet(file.text, file.fileName)
    if (result.ok) parsed.push({ ruleSet: result.ruleSet, file })
    else errors.push(...result.errors)
  }
  errors.push(...checkCreditRuleSets(parsed.map((p) => p.ruleSet)))
  if (errors.length > 0) return { loaded: [], errors }
  const loaded: string[] = []
  for (const { ruleSet, file } of parsed) {
    const inserted = await insertRuleSetIfAbsent(db, {
      version: ruleSet.version,
      status: ruleSet.status,
      effectiveFrom: ruleSet.effectiveFrom,
      content: JSON.parse(file.text.replace(/^\uFEFF/, '')),
      contentSha256: createHash('sha256').update(file.text, 'utf8').digest('hex'),
      fileName: ruleSet.fileName,
    })
    if (inserted) loaded.push(ruleSet.version)
  }
  if (loaded.length > 0) ruleSetCache = undefined
  return { loaded, errors }
}

// Parsed rule sets by version and content hash: a stored version's content never changes.
const parsedRuleSets = new Map<string, CreditRuleSet>()

/** The stored rule sets, with the status the database holds (an admin may have published or retired one). */
export async function loadRuleSets(db: Db): Promise<CreditRuleSet[]> {
  const heads = await listRuleSetHeads(db)
  const missing = heads.filter((head) => !parsedRuleSets.has(`${head.version}:${head.contentSha256}`))
  if (missing.length > 0) {
    for (const row of await listRuleSetRows(db)) {
      const parsed = parseCreditRuleSet(JSON.stringify(row.content), `${row.version}.json`)
      if (!parsed.ok) throw new Error(`Stored credit rule set ${row.version} no longer parses: ${JSON.stringify(parsed.errors)}`)
      parsedRuleSets.set(`${row.version}:${row.contentSha256}`, { ...parsed.ruleSet, fileName: row.fileName })
    }
  }
  return heads.map((head) => ({ ...parsedRuleSets.get(`${head.version}:${head.contentSha256}`)!, status: head.status }))
}

/**
 * The rule sets for an award, kept per process for ruleSetCacheMs: the
 * partner API would otherwise read them on every request. A publish or
 * retire made in this process applies at once; one made in another process
 * reaches this one's awards within ruleSetCacheMs (decision 086).
 */
const ruleSetCacheMs = 5_000
let ruleSetCache: { at: number; sets: CreditRuleSet[] } | undefined

export async function ruleSetsForAwards(db: Db, now: Date): Promise<CreditRuleSet[]> {
  if (!ruleSetCache || now.getTime() - ruleSetCache.at >= ruleSetCacheMs || now.getTime() < ruleSetCache.at) {
    ruleSetCache = { at: now.getTime(), sets: await loadRuleSets(db) }
  }
  return ruleSetCache.sets
}

/** The rule sets for the admin page: each with its rules, sources and the awards it has made. */
export async function ruleSetsForAdmin(db: Db) {
  const [ruleSets, awards] = await Promise.all([loadRuleSets(db), countAwardsByRuleSet(db)])
  return ruleSets.map((set) => ({
    version: set.version,
    status: set.status,
    effectiveFrom: set.effectiveFrom,
    expiry: set.expiry,
    summary: set.source.summary,
    awards: awards.get(set.version) ?? 0,
    actions: Object.entries(set.actions).map(([action, rule]) => ({
      action: action as CreditAction,
      pointsPerGram: rule.pointsPerGram.toString(),
      rounding: rule.rounding,
      dailyCapPoints: rule.dailyCapPoints.toString(),
      maxQuantityPerAward: rule.maxQuantityPerAward,
    })),
  }))
}

export type RuleSetChange = { ok: true } | { ok: false; error: Message }

/**
 * Publish a draft rule set (it governs actions from its effectiveFrom on, which
 * may not be in the past: awards already made keep the set that made them,
 * and late-reported actions must not change rules retroactively) or retire a
 * published one. Audited.
 */
export async function changeRuleSetStatus(
  db: Db,
  actor: Viewer,
  input: { version: string; to: 'published' | 'retired' },
  now: Date,
): Promise<RuleSetChange> {
  const today = chinaDay(now)
  const change = await inTransaction(db, async (trx): Promise<RuleSetChange> => {
    const sets = await loadRuleSets(trx)
    const target = sets.find((set) => set.version === input.version)
    if (!target) return { ok: false, error: { key: 'creditPages.rules.error.notFound', params: { version: input.version } } }
    const from = input.to === 'published' ? 'draft' : 'published'
    if (target.status !== from) {
      return { ok: false, error: { key: 'creditPages.rules.error.wrongStatus', params: { version: input.version, status: target.status } } }
    }
    if (input.to === 'published') {
      if (target.effectiveFrom < today) {
        return { ok: false, error: { key: 'creditPages.rules.error.inThePast', params: { version: input.version, date: target.effectiveFrom } } }
      }
      const clash = checkCreditRuleSets(sets.map((set) => (set.version === input.version ? { ...set, status: 'published' as const } : set)))
      if (clash.length > 0) return { ok: false, error: toMessage(clash[0]!) }
    }
    const changed = await updateRuleSetStatus(trx, input.version, from, input.to, actor.userId, now)
    if (!changed) return { ok: false, error: { key: 'creditPages.rules.error.wrongStatus', params: { version: input.version, status: '?' } } }
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: input.to === 'published' ? 'credits.rules.publish' : 'credits.rules.retire',
      entityType: 'credit_rule_set',
      entityId: input.version,
      before: { status: from },
      after: { status: input.to },
    })
    return { ok: true }
  })
  ruleSetCache = undefined
  return change
}
