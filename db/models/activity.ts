import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { Database } from '../schema.ts'
import { formValuesOf, labelFieldOf, tableSpecs, type TableSpec } from './activity-columns.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import { outletVisibleTo } from './scope.ts'

/**
 * Activity facts in the database. This file reads stored records in the
 * viewer's scope; the other concepts have a file each and are re-exported
 * here, so that a service imports the activity models from one place:
 * columns (fields ↔ columns), scope (reference data for validation), writes
 * (forms, uploads, duplicates, restatements) and submissions (month locks).
 */

export * from './activity-columns.ts'
export * from './activity-scope.ts'
export * from './activity-writes.ts'
export * from './submissions.ts'

export interface StoredRecord {
  row: Record<string, unknown>
  id: string
  outletId: number
  outletCode: string
  outletNameZh: string
  outletNameEn: string
  itemCode: string | null
  plate: string | null
  /** `YYYY-MM-01` of the record's month, null for a vehicle. */
  month: string | null
  locked: boolean
  createdBy: string | null
}

function selectWithRefs(db: Kysely<Database>, spec: TableSpec, viewer: Viewer) {
  const t = sql.table(spec.table)
  const itemJoin = spec.recordCode === 'packaging_consumption' ? sql`left join packaging_items i on i.id = t.item_id` : sql``
  const ofVehicle = spec.fields.some((f) => f.via === 'vehicle')
  const vehicleJoin = ofVehicle ? sql`left join vehicles v on v.outlet_id = t.outlet_id and v.id = t.vehicle_id` : sql``
  const itemCode = spec.recordCode === 'packaging_consumption' ? sql`i.code` : sql`null::text`
  const plate = ofVehicle ? sql`v.plate` : spec.recordCode === 'vehicles' ? sql`t.plate` : sql`null::text`
  const monthExpr = spec.dateColumn === null ? sql`null::text` : sql`date_trunc('month', ${sql.ref(`t.${spec.dateColumn}`)})::date::text`
  // THE scope condition, as a subquery of the outlets the viewer may see.
  const visibleOutletIds = db.selectFrom('outlets').select('outlets.id').where((eb) => outletVisibleTo(eb, viewer))
  return (where: RawBuilder<unknown>, tail: RawBuilder<unknown> = sql``) =>
    sql<Record<string, unknown>>`
      select t.*, t.id::text as "_id", o.code as "_outletCode", o.name_zh as "_outletNameZh", o.name_en as "_outletNameEn",
        ${itemCode} as "_itemCode", ${plate} as "_plate", ${monthExpr} as "_month",
        (p.outlet_id is not null) as "_locked", u.username as "_createdBy"
      from ${t} t
      join outlets o on o.id = t.outlet_id
      ${itemJoin}
      ${vehicleJoin}
      left join period_submissions p on p.outlet_id = t.outlet_id and ${spec.dateColumn === null ? sql`false` : sql`p.month = date_trunc('month', ${sql.ref(`t.${spec.dateColumn}`)})::date`}
      left join users u on u.id = t.created_by
      where t.outlet_id in (${visibleOutletIds}) and ${where}
      ${tail}`.execute(db)
}

function toStored(row: Record<string, unknown>): StoredRecord {
  return {
    row,
    id: String(row._id),
    outletId: Number(row.outlet_id),
    outletCode: String(row._outletCode),
    outletNameZh: String(row._outletNameZh),
    outletNameEn: String(row._outletNameEn),
    itemCode: (row._itemCode as string | null) ?? null,
    plate: (row._plate as string | null) ?? null,
    month: (row._month as string | null) ?? null,
    locked: row._locked === true,
    createdBy: (row._createdBy as string | null) ?? null,
  }
}

/** One record (current or superseded) the viewer may see, or undefined. */
export async function findRecord(db: Kysely<Database>, viewer: Viewer, spec: TableSpec, id: string): Promise<StoredRecord | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined
  const { rows } = await selectWithRefs(db, spec, viewer)(sql`t.id = ${id}::bigint`)
  return rows[0] ? toStored(rows[0]) : undefined
}

/** The restatement chain around a record: the rows it replaced and the row that replaced it. */
export async function findRelatedRecords(
  db: Kysely<Database>,
  viewer: Viewer,
  spec: TableSpec,
  record: StoredRecord,
): Promise<{ replaced: StoredRecord[]; replacedBy: StoredRecord | undefined }> {
  const { rows } = await selectWithRefs(db, spec, viewer)(
    sql`t.outlet_id = ${record.outletId} and t.superseded_by = ${record.id}::bigint`,
    sql`order by t.id desc`,
  )
  const supersededBy = record.row.superseded_by
  const replacedBy = supersededBy ? await findRecord(db, viewer, spec, String(supersededBy)) : undefined
  return { replaced: rows.map(toStored), replacedBy }
}

/** Current records in the viewer's scope, newest first; `month` (`YYYY-MM`) narrows to one month. */
export async function listRecords(
  db: Kysely<Database>,
  viewer: Viewer,
  spec: TableSpec,
  filter: { month?: string; outletId?: number; limit?: number } = {},
): Promise<StoredRecord[]> {
  const conditions: RawBuilder<unknown>[] = [sql`t.superseded_at is null`]
  if (filter.outletId !== undefined) conditions.push(sql`t.outlet_id = ${filter.outletId}`)
  if (filter.month && spec.dateColumn) {
    conditions.push(sql`date_trunc('month', ${sql.ref(`t.${spec.dateColumn}`)})::date = ${`${filter.month}-01`}::date`)
  }
  const order = spec.dateColumn ? sql.ref(`t.${spec.dateColumn}`) : sql.ref('t.id')
  const { rows } = await selectWithRefs(db, spec, viewer)(sql.join(conditions, sql` and `), sql`order by ${order} desc, t.id desc limit ${filter.limit ?? 50}`)
  return rows.map(toStored)
}

/** Current records per type in one month for one outlet: the month page's counts. */
export async function countRecordsInMonth(db: Kysely<Database>, outletId: number, month: string): Promise<Record<string, number>> {
  return (await countRecordsByMonth(db, outletId, { from: month, to: month }))[month] ?? {}
}

/**
 * Current records per month (`YYYY-MM`) and type for one outlet over a range of
 * months, in one statement; a month without records is absent.
 */
export async function countRecordsByMonth(
  db: Kysely<Database>,
  outletId: number,
  range: { from: string; to: string },
): Promise<Record<string, Record<string, number>>> {
  const parts = Object.values(tableSpecs)
    .filter((s) => s.dateColumn !== null)
    .map((s) => {
      const date = sql.ref(s.dateColumn!)
      return sql`select ${s.recordCode}::text as record_type, to_char(${date}, 'YYYY-MM') as month, count(*)::int as n from ${sql.table(s.table)}
        where outlet_id = ${outletId} and superseded_at is null
          and ${date} >= ${`${range.from}-01`}::date and ${date} < (${`${range.to}-01`}::date + interval '1 month')
        group by 2`
    })
  const { rows } = await sql<{ record_type: string; month: string; n: number }>`${sql.join(parts, sql` union all `)}`.execute(db)
  const byMonth: Record<string, Record<string, number>> = {}
  for (const r of rows) (byMonth[r.month] ??= {})[r.record_type] = Number(r.n)
  return byMonth
}

/** An outlet's current daily shipment statistics in one month (`YYYY-MM`), newest first: what the home page shows of them. */
export async function listShipmentDays(
  db: Kysely<Database>,
  viewer: Viewer,
  outletId: number,
  month: string,
): Promise<{ id: string; date: string; parcels: string; eWaybillParcels: string }[]> {
  const rows = await db
    .selectFrom('shipment_stats as t')
    .where('t.outlet_id', '=', outletId)
    // THE scope condition, as everywhere records are read.
    .where('t.outlet_id', 'in', db.selectFrom('outlets').select('outlets.id').where((eb) => outletVisibleTo(eb, viewer)))
    .where('t.superseded_at', 'is', null)
    .where('t.stat_date', '>=', `${month}-01`)
    .where(sql<boolean>`t.stat_date < (${`${month}-01`}::date + interval '1 month')`)
    .select([sql<string>`t.id::text`.as('id'), sql<string>`t.stat_date::text`.as('date'), 't.parcels', 't.e_waybill_parcels'])
    .orderBy('t.stat_date', 'desc')
    .orderBy('t.id', 'desc')
    .limit(31)
    .execute()
  return rows.map((r) => ({ id: r.id, date: r.date, parcels: String(r.parcels), eWaybillParcels: String(r.e_waybill_parcels) }))
}

/** A current record as a list of recent records names it. */
export interface RecentRecord {
  recordType: RecordCode
  id: string
  /** Its date, month, period or as-of date, or a vehicle's plate, as the form shows it. */
  label: string
}

/**
 * The viewer's most recently written current records across all types, in one
 * statement: each table's newest `limit` (by date, then id, as listRecords
 * orders them), then the newest `limit` of those by creation time (to the
 * millisecond, as the driver reads it); ties keep the types' order and each
 * table's own. Reads only what names a record, nothing of its figures.
 */
export async function listRecentRecords(db: Kysely<Database>, viewer: Viewer, limit: number): Promise<RecentRecord[]> {
  const visibleOutletIds = db.selectFrom('outlets').select('outlets.id').where((eb) => outletVisibleTo(eb, viewer))
  const specs = Object.values(tableSpecs)
  const sides = specs.map((spec, ord) => {
    const label = labelFieldOf(spec)
    // The label's column: a plain or month field's own, a period's start, a vehicle's plate through its register.
    const labelColumn =
      label.via === 'plain' || label.via === 'month'
        ? sql`t.${sql.ref(label.column)}::text`
        : label.via === 'period'
          ? sql`t.period_start::text`
          : label.via === 'vehicle'
            ? sql`(select v.plate from vehicles v where v.outlet_id = t.outlet_id and v.id = t.vehicle_id)`
            : sql`null::text`
    const periodKind = label.via === 'period' ? sql`t.period_kind::text` : sql`null::text`
    const sortDate = spec.dateColumn === null ? sql`null::date` : sql.ref(`t.${spec.dateColumn}`)
    return sql`(select ${ord}::int as ord, t.id, t.created_at, ${sortDate} as sort_date, ${labelColumn} as label, ${periodKind} as period_kind
      from ${sql.table(spec.table)} t
      where t.outlet_id in (${visibleOutletIds}) and t.superseded_at is null
      order by ${spec.dateColumn === null ? sql.ref('t.id') : sortDate} desc, t.id desc limit ${limit})`
  })
  const { rows } = await sql<{ ord: number; id: string; label: string | null; period_kind: string | null }>`
    select r.ord, r.id::text as id, r.label, r.period_kind
    from (${sql.join(sides, sql` union all `)}) r
    order by date_trunc('milliseconds', r.created_at) desc, r.ord, r.sort_date desc, r.id desc
    limit ${limit}`.execute(db)
  return rows.map((r) => {
    const spec = specs[r.ord]!
    const field = labelFieldOf(spec)
    // The text the form would show for that one field (formValuesOf, the one home of field ↔ text).
    const row = { [field.via === 'plain' || field.via === 'month' ? field.column : 'period_start']: r.label, period_kind: r.period_kind }
    const values = formValuesOf({ ...spec, fields: [field] }, row, { outletCode: '', plate: r.label })
    return { recordType: spec.recordCode, id: r.id, label: values[field.field] ?? '' }
  })
}
