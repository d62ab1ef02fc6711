import { sql, type Kysely, type Transaction } from 'kysely'
import type { RuleSetStatus } from '#app/domain/credits/rules.ts'
import type { Database } from '../schema.ts'
import { jsonb } from './json.ts'
import { txt } from './sql-text.ts'

type Db = Kysely<Database>
type Trx = Transaction<Database>

export interface RuleSetRow {
  version: string
  status: RuleSetStatus
  effectiveFrom: string
  content: unknown
  contentSha256: string
  fileName: string
}

/** Insert a rule set unless its version is already stored (a stored version is never overwritten). */
export async function insertRuleSetIfAbsent(db: Db, row: RuleSetRow): Promise<boolean> {
  const inserted = await db
    .insertInto('credit_rule_sets')
    .values({
      version: row.version,
      status: row.status,
      effective_from: row.effectiveFrom,
      content: jsonb(row.content),
      content_sha256: row.contentSha256,
      file_name: row.fileName,
    })
    .onConflict((oc) => oc.column('version').doNothing())
    .returning('version')
    .executeTakeFirst()
  return inserted !== undefined
}

export async function listRuleSetRows(db: Db): Promise<RuleSetRow[]> {
  const rows = await db
    .selectFrom('credit_rule_sets')
    .select(['version', 'status', txt('effective_from').as('effective_from'), 'content', 'content_sha256', 'file_name'])
    .orderBy('effective_from')
    .orderBy('version')
    .execute()
  return rows.map((r) => ({
    version: r.version,
    status: r.status,
    effectiveFrom: r.effective_from,
    content: r.content,
    contentSha256: r.content_sha256,
    fileName: r.file_name,
  }))
}

/** Version, status and content hash only: enough to tell whether a cached parse is still good. */
export async function listRuleSetHeads(db: Db): Promise<{ version: string; status: RuleSetStatus; contentSha256: string }[]> {
  return db
    .selectFrom('credit_rule_sets')
    .select(['version', 'status', 'content_sha256 as contentSha256'])
    .orderBy('effective_from')
    .orderBy('version')
    .execute()
}

/** Move a rule set from one status to another; undefined when it was not in `from` (changed meanwhile). */
export async function updateRuleSetStatus(trx: Trx, version: string, from: RuleSetStatus, to: RuleSetStatus, by: number, at: Date) {
  return trx
    .updateTable('credit_rule_sets')
    .set({ status: to, status_changed_at: at, status_changed_by: by })
    .where('version', '=', version)
    .where('status', '=', from)
    .returning('version')
    .executeTakeFirst()
}

/** Awards made under each rule set, for the admin's view of what a set has already governed. */
export async function countAwardsByRuleSet(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('credit_actions')
    .select(['rule_set_version', sql<string>`count(*)::text`.as('n')])
    .groupBy('rule_set_version')
    .execute()
  return new Map(rows.map((r) => [r.rule_set_version, Number(r.n)]))
}
