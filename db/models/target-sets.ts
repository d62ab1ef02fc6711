import Decimal from 'decimal.js'
import { sql, type Kysely } from 'kysely'
import { isMetricCode } from '#app/domain/metrics/definitions.ts'
import type { Target, TargetSet } from '#app/domain/metrics/targets.ts'
import type { Database } from '../schema.ts'
import type { TargetComparison, TargetKindColumn } from '../tables/reports.ts'

/** A target as listTargetSets reads it: its fields, the value and deadline as text, and its row id. */
type TargetJson = TargetFields & { id: number }

/** A target set as stored, with the row ids an admin page needs to edit it. */
export interface StoredTargetSet extends TargetSet {
  origin: 'file' | 'admin'
  updatedAt: Date
  targets: (Target & { id: number })[]
}

/** Every target set with its targets, ordered by region then id (the form the domain's inheritance rules take). */
export async function listTargetSets(db: Kysely<Database>): Promise<StoredTargetSet[]> {
  // One statement: each set with its targets (by deadline, then id) as JSON, the value and the
  // deadline as text (exact, and the same from both drivers).
  const sets = await db
    .selectFrom('target_sets')
    .selectAll()
    .select(
      sql<TargetJson[] | string>`coalesce((select json_agg(json_build_object('id', t.id, 'metric', t.metric, 'comparison', t.comparison, 'value', t.value::text,
        'deadline', t.deadline::text, 'kind', t.kind, 'note', t.note) order by t.deadline, t.id) from targets t where t.target_set_id = target_sets.id), '[]'::json)`.as('targets_json'),
    )
    .orderBy('region_code')
    .orderBy('id')
    .execute()
  const bySet = new Map<string, (Target & { id: number })[]>()
  for (const set of sets) {
    const rows: TargetJson[] = typeof set.targets_json === 'string' ? JSON.parse(set.targets_json) : set.targets_json
    const list: (Target & { id: number })[] = []
    for (const row of rows) {
      // A metric code no longer defined (a file from a later version) is left out rather than guessed at.
      if (!isMetricCode(row.metric)) continue
      list.push({ id: row.id, metric: row.metric, comparison: row.comparison, value: new Decimal(row.value), deadline: row.deadline, kind: row.kind, note: row.note })
    }
    bySet.set(set.id, list)
  }
  return sets.map((row) => ({
    id: row.id,
    name: { zh: row.name_zh, en: row.name_en },
    source: {
      title: row.source_title,
      issuer: row.source_issuer,
      number: row.source_number,
      date: row.source_date,
      url: row.source_url,
      verification: row.source_verification,
    },
    region: row.region_code,
    brand: row.brand_code,
    origin: row.origin,
    updatedAt: row.updated_at,
    targets: bySet.get(row.id) ?? [],
  }))
}

export async function findTargetSet(db: Kysely<Database>, id: string): Promise<StoredTargetSet | undefined> {
  return (await listTargetSets(db)).find((set) => set.id === id)
}

export interface TargetSetFields {
  id: string
  nameZh: string
  nameEn: string
  sourceTitle: string
  sourceIssuer: string
  sourceNumber: string | null
  sourceDate: string
  sourceUrl: string | null
  sourceVerification: string
  regionCode: string
  brandCode: string | null
}

export interface TargetFields {
  metric: string
  comparison: TargetComparison
  /** A plain decimal string. */
  value: string
  deadline: string
  kind: TargetKindColumn
  note: string | null
}

function setRow(fields: Omit<TargetSetFields, 'id'>) {
  return {
    name_zh: fields.nameZh,
    name_en: fields.nameEn,
    source_title: fields.sourceTitle,
    source_issuer: fields.sourceIssuer,
    source_number: fields.sourceNumber,
    source_date: fields.sourceDate,
    source_url: fields.sourceUrl,
    source_verification: fields.sourceVerification,
    region_code: fields.regionCode,
    brand_code: fields.brandCode,
  }
}

function targetRow(fields: TargetFields) {
  return {
    metric: fields.metric,
    comparison: fields.comparison,
    value: fields.value,
    deadline: fields.deadline,
    kind: fields.kind,
    note: fields.note,
  }
}

/** Inserts a set; false when the id is taken. */
export async function insertTargetSet(
  db: Kysely<Database>,
  fields: TargetSetFields,
  origin: 'file' | 'admin',
): Promise<boolean> {
  const result = await db
    .insertInto('target_sets')
    .values({ id: fields.id, ...setRow(fields), origin, updated_at: new Date() })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

export async function updateTargetSet(db: Kysely<Database>, fields: TargetSetFields): Promise<boolean> {
  const result = await db
    .updateTable('target_sets')
    .set({ ...setRow(fields), updated_at: new Date() })
    .where('id', '=', fields.id)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteTargetSet(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('target_sets').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export async function insertTarget(db: Kysely<Database>, setId: string, fields: TargetFields): Promise<number> {
  const row = await db
    .insertInto('targets')
    .values({ target_set_id: setId, ...targetRow(fields) })
    .returning('id')
    .executeTakeFirstOrThrow()
  await touch(db, setId)
  return row.id
}

export async function insertTargets(db: Kysely<Database>, setId: string, targets: readonly TargetFields[]): Promise<void> {
  if (targets.length === 0) return
  await db
    .insertInto('targets')
    .values(targets.map((t) => ({ target_set_id: setId, ...targetRow(t) })))
    .execute()
}

/** Updates one target of a set; false when the target is not in that set. */
export async function updateTarget(db: Kysely<Database>, setId: string, targetId: number, fields: TargetFields): Promise<boolean> {
  const result = await db
    .updateTable('targets')
    .set(targetRow(fields))
    .where('id', '=', targetId)
    .where('target_set_id', '=', setId)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) return false
  await touch(db, setId)
  return true
}

export async function deleteTarget(db: Kysely<Database>, setId: string, targetId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('targets')
    .where('id', '=', targetId)
    .where('target_set_id', '=', setId)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) !== 1) return false
  await touch(db, setId)
  return true
}

async function touch(db: Kysely<Database>, setId: string): Promise<void> {
  await db.updateTable('target_sets').set({ updated_at: new Date() }).where('id', '=', setId).execute()
}

/** The set's fields as the domain's TargetSet, for storing a set read from a file. */
export function fieldsOfSet(set: TargetSet): { set: TargetSetFields; targets: TargetFields[] } {
  return {
    set: {
      id: set.id,
      nameZh: set.name.zh,
      nameEn: set.name.en,
      sourceTitle: set.source.title,
      sourceIssuer: set.source.issuer,
      sourceNumber: set.source.number,
      sourceDate: set.source.date,
      sourceUrl: set.source.url,
      sourceVerification: set.source.verification,
      regionCode: set.region,
      brandCode: set.brand,
    },
    targets: set.targets.map((t) => ({
      metric: t.metric,
      comparison: t.comparison,
      value: t.value.toFixed(),
      deadline: t.deadline,
      kind: t.kind,
      note: t.note,
    })),
  }
}
