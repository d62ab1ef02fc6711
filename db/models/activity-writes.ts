import { sql, type Kysely, type RawBuilder } from 'kysely'
import { copyValue } from '../copy.ts'
import type { Database } from '../schema.ts'
import type { FactTable } from '../tables/activity.ts'
import { canonicalValue, type DbRecord, type DbValue, type SqlType, type TableSpec } from './activity-columns.ts'

/**
 * Writing activity facts: one record from a form, or thousands per statement
 * from an upload (reserved ids, COPY lines or JSON inserts), the duplicate
 * check against current rows, and restatements (supersede, audit).
 */

export interface Provenance {
  source: 'form' | 'csv'
  importBatchId: string | null
  createdBy: number | null
  restatementReason: string | null
}

/** The next `n` ids of a fact table, so that rows can be written by COPY and costed without reading them back. */
export async function reserveIds(db: Kysely<Database>, table: FactTable, n: number): Promise<string[]> {
  if (n === 0) return []
  // The sequence is looked up once, not by pg_get_serial_sequence for every row.
  const { rows: found } = await sql<{ seq: string }>`select pg_get_serial_sequence(${table}, 'id') as seq`.execute(db)
  // One row back, not n: the ids travel as one comma-separated text.
  const { rows } = await sql<{ ids: string }>`
    select string_agg(nextval(${found[0]!.seq}::regclass)::text, ',') as ids from generate_series(1, ${n})`.execute(db)
  return rows[0]!.ids.split(',')
}

export interface RowToWrite extends DbRecord {
  id: string
  rowFingerprint: string | null
}

/** Every column a write sets, in order (matches copyLines). */
export function writeColumns(spec: TableSpec): { column: string; type: SqlType }[] {
  return [
    { column: 'id', type: 'bigint' },
    { column: 'outlet_id', type: 'integer' },
    { column: 'brand_id', type: 'integer' },
    { column: 'region_code', type: 'text' },
    ...spec.columns,
    { column: 'source', type: 'text' },
    { column: 'import_batch_id', type: 'bigint' },
    { column: 'row_fingerprint', type: 'text' },
    { column: 'created_by', type: 'integer' },
    { column: 'restatement_reason', type: 'text' },
  ]
}

function rowValues(row: RowToWrite, provenance: Provenance): DbValue[] {
  return [
    row.id,
    row.owner.outletId,
    row.owner.brandId,
    row.owner.regionCode,
    ...row.values,
    provenance.source,
    provenance.importBatchId,
    row.rowFingerprint,
    provenance.createdBy,
    provenance.restatementReason,
  ]
}

/**
 * The lines of `copy <table> (<writeColumns>) from stdin` for rows of one
 * provenance: its columns are the same on every line, so they are made once.
 */
export function copyLines(rows: readonly RowToWrite[], provenance: Provenance): string {
  const tail = `\t${copyValue(provenance.source)}\t${copyValue(provenance.importBatchId)}\t`
  const end = `\t${copyValue(provenance.createdBy)}\t${copyValue(provenance.restatementReason)}\n`
  const lines = new Array<string>(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    let line = `${copyValue(row.id)}\t${row.owner.outletId}\t${row.owner.brandId}\t${copyValue(row.owner.regionCode)}`
    const values = row.values
    for (let i = 0; i < values.length; i++) line += `\t${copyValue(values[i]!)}`
    lines[r] = `${line}${tail}${copyValue(row.rowFingerprint)}${end}`
  }
  return lines.join('')
}

export function copyStatement(spec: TableSpec): string {
  return `copy ${spec.table} (${writeColumns(spec).map((c) => c.column).join(', ')}) from stdin`
}

const rowsPerStatement = 5_000

/**
 * Insert rows with their reserved ids: one statement per 5,000 rows, the rows
 * travelling as one JSON parameter (few bind parameters, either driver).
 */
export async function insertRows(db: Kysely<Database>, spec: TableSpec, rows: readonly RowToWrite[], provenance: Provenance): Promise<void> {
  const columns = writeColumns(spec)
  const names = sql.raw(columns.map((c) => c.column).join(', '))
  const definition = sql.raw(columns.map((c, i) => `c${i} ${c.type === 'text' ? 'text' : c.type}`).join(', '))
  const select = sql.raw(columns.map((c, i) => (c.column === 'region_code' ? `c${i}::char(6)` : `c${i}`)).join(', '))
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement).map((row) => rowValues(row, provenance))
    await sql`
      insert into ${sql.table(spec.table)} (${names}) overriding system value
      select ${select} from json_to_recordset(cast(${JSON.stringify(chunk.map(toObject))}::text as json)) as r(${definition})`.execute(db)
  }
}

function toObject(values: DbValue[]): Record<string, DbValue> {
  const out: Record<string, DbValue> = {}
  for (let i = 0; i < values.length; i++) out[`c${i}`] = values[i]!
  return out
}

export interface ExistingRow {
  id: string
  outletId: number
  brandId: number
  /** Canonical text of spec.columns, for telling an identical row from a changed one. */
  values: (string | null)[]
}

/** A record's natural key as one string (its outlet, then its key columns' canonical text). */
function keyOf(spec: TableSpec, outletId: number | null, values: readonly unknown[]): string {
  let key = spec.recordCode === 'vehicles' ? '' : String(outletId)
  for (const i of keyIndexes(spec)) key += `|${canonicalValue(spec.columns[i]!.type, values[i])}`
  return key
}

const keyIndexCache = new WeakMap<TableSpec, number[]>()
function keyIndexes(spec: TableSpec): number[] {
  let indexes = keyIndexCache.get(spec)
  if (!indexes) {
    indexes = spec.keyColumns.map((column) => spec.columns.findIndex((c) => c.column === column))
    keyIndexCache.set(spec, indexes)
  }
  return indexes
}

/**
 * The current rows that have the same natural key as the given records,
 * per input index. One range query per call: the records' outlets and the
 * span of their dates (a chunk of a file is a few outlets over some weeks),
 * matched by key here; vehicles by plate, in any outlet (a plate is one vehicle).
 */
export async function findExistingRows(
  db: Kysely<Database>,
  spec: TableSpec,
  records: readonly DbRecord[],
): Promise<Map<number, ExistingRow>> {
  const found = new Map<number, ExistingRow>()
  if (records.length === 0) return found
  const select = sql.raw(spec.columns.map((c) => `t.${c.column}${c.type === 'date' ? '::text' : ''} as ${c.column}`).join(', '))
  let where: RawBuilder<unknown>
  if (spec.recordCode === 'vehicles') {
    const plates = [...new Set(records.map((r) => String(r.values[keyIndexes(spec)[0]!])))]
    where = sql`t.plate in (select json_array_elements_text(cast(${JSON.stringify(plates)}::text as json)))`
  } else {
    const outlets = [...new Set(records.map((r) => r.owner.outletId))]
    where = sql`t.outlet_id = any(cast(${`{${outlets.join(',')}}`}::text as integer[]))`
    if (spec.dateColumn !== null) {
      const at = spec.columns.findIndex((c) => c.column === spec.dateColumn)
      let min = String(records[0]!.values[at])
      let max = min
      for (const r of records) {
        const value = String(r.values[at])
        if (value < min) min = value
        if (value > max) max = value
      }
      where = sql`${where} and ${sql.ref(`t.${spec.dateColumn}`)} between ${min}::date and ${max}::date`
    }
  }
  const { rows } = await sql<Record<string, unknown>>`
    select t.id::text as "_id", t.outlet_id as "_outletId", t.brand_id as "_brandId", ${select}
    from ${sql.table(spec.table)} t
    where ${where} and t.superseded_at is null`.execute(db)
  if (rows.length === 0) return found
  const stored = new Map<string, ExistingRow>()
  for (const row of rows) {
    const values = spec.columns.map((c) => canonicalValue(c.type, row[c.column]))
    const outletId = Number(row._outletId)
    stored.set(keyOf(spec, outletId, values), { id: String(row._id), outletId, brandId: Number(row._brandId), values })
  }
  records.forEach((record, index) => {
    const match = stored.get(keyOf(spec, record.owner.outletId, record.values))
    if (match) found.set(index, match)
  })
  return found
}

/** Whether a record's values equal a stored row's (the same figures, however they were written). */
export function sameValues(spec: TableSpec, record: DbRecord, existing: ExistingRow): boolean {
  if (spec.recordCode === 'vehicles' && record.owner.outletId !== existing.outletId) return false
  for (let i = 0; i < spec.columns.length; i++) {
    if (canonicalValue(spec.columns[i]!.type, record.values[i]) !== existing.values[i]) return false
  }
  return true
}

/**
 * Retire rows that new rows replace: superseded now, pointing at their
 * replacement. Run before the replacements are inserted (one current row per key).
 */
export async function supersedeRows(
  db: Kysely<Database>,
  spec: TableSpec,
  pairs: readonly { outletId: number; oldId: string; newId: string }[],
): Promise<void> {
  for (let start = 0; start < pairs.length; start += rowsPerStatement) {
    const chunk = pairs.slice(start, start + rowsPerStatement).map((p) => ({ o: p.outletId, old: p.oldId, new: p.newId }))
    await sql`
      update ${sql.table(spec.table)} t set superseded_at = now(), superseded_by = p.new, updated_at = now()
      from json_to_recordset(cast(${JSON.stringify(chunk)}::text as json)) as p(o integer, old bigint, new bigint)
      where t.outlet_id = p.o and t.id = p.old and t.superseded_at is null`.execute(db)
  }
}

/**
 * One audit entry per replaced row, before and after as the rows stand in the
 * table, written in one statement per chunk from the chain the replacement left.
 */
export async function auditReplacements(
  db: Kysely<Database>,
  spec: TableSpec,
  entries: readonly { outletId: number; newId: string; oldOutletId: number }[],
  audit: { actorUserId: number | null; action: string; reason: string | null },
): Promise<void> {
  for (let start = 0; start < entries.length; start += rowsPerStatement) {
    const chunk = entries.slice(start, start + rowsPerStatement).map((e) => ({ outlet: e.outletId, id: e.newId, old_outlet: e.oldOutletId }))
    await sql`
      insert into audit_log (actor_user_id, action, entity_type, entity_id, outlet_id, region_code, reason, before, after)
      select ${audit.actorUserId}, ${audit.action}, ${spec.table}, n.id::text, n.outlet_id, n.region_code, ${audit.reason},
        to_jsonb(old) - 'superseded_at' - 'superseded_by' - 'updated_at', to_jsonb(n)
      from json_to_recordset(cast(${JSON.stringify(chunk)}::text as json)) as e(outlet integer, id bigint, old_outlet integer)
      join ${sql.table(spec.table)} n on n.outlet_id = e.outlet and n.id = e.id
      join ${sql.table(spec.table)} old on old.outlet_id = e.old_outlet and old.superseded_by = n.id`.execute(db)
  }
}

/** Change a record of an open month in place; returns the row before and after. */
export async function updateRecordInPlace(
  db: Kysely<Database>,
  spec: TableSpec,
  id: string,
  outletId: number,
  record: DbRecord,
  provenance: Provenance,
): Promise<{ before: Record<string, unknown>; after: Record<string, unknown> } | undefined> {
  const before = await sql<Record<string, unknown>>`
    select * from ${sql.table(spec.table)} where outlet_id = ${outletId} and id = ${id}::bigint and superseded_at is null for update`.execute(db)
  if (!before.rows[0]) return undefined
  const assignments = sql.join(
    [
      sql`outlet_id = ${record.owner.outletId}`,
      sql`brand_id = ${record.owner.brandId}`,
      sql`region_code = ${record.owner.regionCode}`,
      ...spec.columns.map((c, i) => sql`${sql.ref(c.column)} = ${record.values[i]}::${sql.raw(c.type)}`),
      sql`source = ${provenance.source}`,
      sql`updated_at = now()`,
    ],
    sql`, `,
  )
  const after = await sql<Record<string, unknown>>`
    update ${sql.table(spec.table)} set ${assignments} where outlet_id = ${outletId} and id = ${id}::bigint returning *`.execute(db)
  return { before: before.rows[0], after: after.rows[0]! }
}
