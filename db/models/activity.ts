import Decimal from 'decimal.js'
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { VehicleProfile } from '#app/domain/activity/context.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { Database } from '../schema.ts'
import type { FactTable } from '../tables/activity.ts'
import { appendAudit } from './audit.ts'
import { jsonb } from './json.ts'
import { outletVisibleTo } from './scope.ts'

/**
 * Activity facts in the database: how each record type's fields map onto its
 * table, the reference data a viewer's forms and uploads are checked against
 * (outlets, catalog items and vehicles in scope, locked months), and the
 * writes: one record from a form, or thousands per statement from an upload.
 */

export type SqlType = 'integer' | 'bigint' | 'numeric' | 'date' | 'text'
/** A column value as written: numbers for integer columns, exact strings otherwise. */
export type DbValue = string | number | null

/**
 * How a field reaches its column:
 *  plain   the value as read (count, decimal as exact text, date, enum, text)
 *  month   `2024-03` → `2024-03-01`
 *  period  a date or a month → period_start + period_kind
 *  item    a catalog code → item_id
 *  vehicle a plate → vehicle_id (and the vehicle's outlet owns the record)
 *  owner   an outlet or site code → outlet_id, brand_id, region_code
 */
type FieldMap =
  | { field: string; via: 'plain' | 'month'; column: string; type: SqlType; scale?: number }
  | { field: string; via: 'period' | 'item' | 'vehicle' | 'owner' }

export interface TableSpec {
  recordCode: RecordCode
  table: FactTable
  fields: readonly FieldMap[]
  /** Written columns besides the owner's three, in a fixed order. */
  columns: readonly { column: string; type: SqlType }[]
  /** With outlet_id (except for vehicles, whose plate is unique in a brand), what identifies a current row. */
  keyColumns: readonly string[]
  /** The column whose month a submission locks; null for the vehicle register. */
  dateColumn: string | null
}

const dataQuality: FieldMap = { field: 'dataQuality', via: 'plain', column: 'data_quality', type: 'text' }
const owner = (field = 'outletCode'): FieldMap => ({ field, via: 'owner' })
const count = (field: string, column: string): FieldMap => ({ field, via: 'plain', column, type: 'integer' })
// The scale of the numeric column: a value is rounded to it before it is
// written or costed (the database would round it anyway), so that the stored
// figure and the costed figure are the same number.
const decimal = (field: string, column: string, scale: number): FieldMap => ({ field, via: 'plain', column, type: 'numeric', scale })
const date = (field: string, column: string): FieldMap => ({ field, via: 'plain', column, type: 'date' })
const text = (field: string, column: string): FieldMap => ({ field, via: 'plain', column, type: 'text' })
const month = (field = 'month', column = 'month'): FieldMap => ({ field, via: 'month', column, type: 'date' })

function spec(recordCode: RecordCode, table: FactTable, fields: FieldMap[], keyColumns: string[], dateColumn: string | null): TableSpec {
  const columns: { column: string; type: SqlType }[] = []
  for (const f of fields) {
    if (f.via === 'plain' || f.via === 'month') columns.push({ column: f.column, type: f.type })
    else if (f.via === 'period') columns.push({ column: 'period_start', type: 'date' }, { column: 'period_kind', type: 'text' })
    else if (f.via === 'item') columns.push({ column: 'item_id', type: 'integer' })
    else if (f.via === 'vehicle') columns.push({ column: 'vehicle_id', type: 'bigint' })
  }
  return { recordCode, table, fields, columns, keyColumns, dateColumn }
}

export const tableSpecs: Record<RecordCode, TableSpec> = {
  shipment_stats: spec(
    'shipment_stats',
    'shipment_stats',
    [
      owner(),
      date('date', 'stat_date'),
      count('parcels', 'parcels'),
      count('eWaybillParcels', 'e_waybill_parcels'),
      count('paperWaybillParcels', 'paper_waybill_parcels'),
      count('ecommerceParcels', 'ecommerce_parcels'),
      count('ecommerceOriginalPackagingParcels', 'ecommerce_original_parcels'),
      count('recyclablePackagingParcels', 'recyclable_packaging_parcels'),
      count('boxParcels', 'box_parcels'),
      count('narrowTapeBoxParcels', 'narrow_tape_box_parcels'),
      count('transitBags', 'transit_bags'),
      count('recyclableTransitBags', 'recyclable_transit_bags'),
      dataQuality,
    ],
    ['stat_date'],
    'stat_date',
  ),
  packaging_consumption: spec(
    'packaging_consumption',
    'packaging_consumption',
    [owner(), { field: 'period', via: 'period' }, { field: 'itemCode', via: 'item' }, count('itemCount', 'item_count'), dataQuality],
    ['period_start', 'period_kind', 'item_id'],
    'period_start',
  ),
  recovery_bins: spec(
    'recovery_bins',
    'recovery_bins',
    [
      owner(),
      date('asOfDate', 'as_of_date'),
      count('installedBins', 'installed_bins'),
      count('labelledBins', 'labelled_bins'),
      count('inServiceBins', 'in_service_bins'),
      dataQuality,
    ],
    ['as_of_date'],
    'as_of_date',
  ),
  recovery_collections: spec(
    'recovery_collections',
    'recovery_collections',
    [
      owner(),
      date('date', 'collection_date'),
      count('cartonsCollected', 'cartons_collected'),
      count('cartonsReused', 'cartons_reused'),
      decimal('recyclerMassKg', 'recycler_mass_kg', 3),
      text('recyclerName', 'recycler_name'),
      dataQuality,
    ],
    ['collection_date'],
    'collection_date',
  ),
  reusable_assets: spec(
    'reusable_assets',
    'reusable_assets',
    [
      owner(),
      month(),
      text('assetType', 'asset_type'),
      count('assetsInCirculation', 'in_circulation'),
      count('tripsCompleted', 'trips_completed'),
      count('assetsReturned', 'returns'),
      count('assetsLost', 'losses'),
      dataQuality,
    ],
    ['month', 'asset_type'],
    'month',
  ),
  vehicles: spec(
    'vehicles',
    'vehicles',
    [
      text('plate', 'plate'),
      owner(),
      text('vehicleClass', 'vehicle_class'),
      text('energy', 'energy'),
      text('emissionStandard', 'emission_standard'),
      date('inServiceFrom', 'in_service_from'),
      date('inServiceTo', 'in_service_to'),
      text('acquisition', 'acquisition'),
      dataQuality,
    ],
    ['plate'],
    null,
  ),
  vehicle_use: spec(
    'vehicle_use',
    'vehicle_use',
    [
      { field: 'plate', via: 'vehicle' },
      month(),
      decimal('distanceKm', 'distance_km', 2),
      decimal('fuelLitres', 'fuel_litres', 3),
      decimal('fuelKg', 'fuel_kg', 3),
      decimal('electricityKwh', 'electricity_kwh', 3),
      dataQuality,
    ],
    ['vehicle_id', 'month'],
    'month',
  ),
  facility_electricity: spec(
    'facility_electricity',
    'facility_electricity',
    [owner('siteCode'), month(), decimal('electricityKwh', 'electricity_kwh', 3), dataQuality],
    ['month'],
    'month',
  ),
}

// ---- reference data in the viewer's scope ----------------------------------------

export interface OutletRef {
  id: number
  code: string
  brandId: number
  regionCode: string
  kind: 'outlet' | 'sorting_centre'
  nameZh: string
  nameEn: string
}

export interface VehicleRef extends VehicleProfile {
  id: string
  plate: string
  outletId: number
  brandId: number
  regionCode: string
}

export interface ItemRef {
  id: number
  code: string
  nameZh: string
  nameEn: string
  category: string
  /** What costing needs: the material's factor quantity, unit mass, design life of a reusable item. */
  material: string
  unitMassKg: string
  designLifeUses: number | null
}

/**
 * What a viewer's records are checked against, read once before a form is
 * validated or a file parsed (validation is synchronous, row by row).
 * `otherOutletCodes` and `otherPlates` exist so that a code of another brand
 * is refused as out of scope rather than as unknown.
 */
export interface ScopeData {
  outlets: Map<string, OutletRef>
  otherOutletCodes: Set<string>
  items: Map<string, ItemRef>
  vehicles: Map<string, VehicleRef>
  otherPlates: Set<string>
  /** `${outletId}|YYYY-MM-01` of submitted months. */
  lockedMonths: Set<string>
}

export async function loadScopeData(
  db: Kysely<Database>,
  viewer: Viewer,
  need: { items?: boolean; vehicles?: boolean } = { items: true, vehicles: true },
): Promise<ScopeData> {
  const visible = await db
    .selectFrom('outlets')
    .where((eb) => outletVisibleTo(eb, viewer))
    .select(['id', 'code', 'brand_id', 'region_code', 'kind', 'name_zh', 'name_en'])
    .orderBy('code')
    .execute()
  const outlets = new Map<string, OutletRef>()
  for (const o of visible) {
    outlets.set(o.code, { id: o.id, code: o.code, brandId: o.brand_id, regionCode: o.region_code, kind: o.kind, nameZh: o.name_zh, nameEn: o.name_en })
  }
  const others =
    viewer.role === 'admin'
      ? []
      : await db
          .selectFrom('outlets')
          .where((eb) => eb.not(outletVisibleTo(eb, viewer)))
          .select('code')
          .execute()
  const items = new Map<string, ItemRef>()
  if (need.items) {
    const rows = await db
      .selectFrom('packaging_items')
      .select(['id', 'code', 'name_zh', 'name_en', 'category', 'material', 'unit_mass_kg', 'design_life_uses'])
      .orderBy('code')
      .execute()
    for (const r of rows) {
      items.set(r.code, {
        id: r.id,
        code: r.code,
        nameZh: r.name_zh,
        nameEn: r.name_en,
        category: r.category,
        material: r.material,
        unitMassKg: String(r.unit_mass_kg),
        designLifeUses: r.design_life_uses,
      })
    }
  }
  const vehicles = new Map<string, VehicleRef>()
  const otherPlates = new Set<string>()
  if (need.vehicles) {
    const rows = await db
      .selectFrom('vehicles')
      .innerJoin('outlets', 'outlets.id', 'vehicles.outlet_id')
      .where('vehicles.superseded_at', 'is', null)
      .select((eb) => [
        'vehicles.id',
        'vehicles.plate',
        'vehicles.outlet_id as outletId',
        'vehicles.brand_id as brandId',
        'vehicles.region_code as regionCode',
        'vehicles.vehicle_class as vehicleClass',
        'vehicles.energy',
        sql<string>`vehicles.in_service_from::text`.as('inServiceFrom'),
        sql<string | null>`vehicles.in_service_to::text`.as('inServiceTo'),
        sql<boolean>`${outletVisibleTo(eb, viewer)}`.as('visible'),
      ])
      .orderBy('vehicles.in_service_from')
      .execute()
    for (const r of rows) {
      if (!r.visible) {
        otherPlates.add(r.plate)
        continue
      }
      // Latest in service wins if a plate is (wrongly) current at two outlets.
      vehicles.set(r.plate, {
        id: String(r.id),
        plate: r.plate,
        outletId: r.outletId,
        brandId: r.brandId,
        regionCode: r.regionCode,
        vehicleClass: r.vehicleClass,
        energy: r.energy,
        inServiceFrom: r.inServiceFrom,
        inServiceTo: r.inServiceTo,
      })
    }
    for (const plate of vehicles.keys()) otherPlates.delete(plate)
  }
  const locked = visible.length === 0 ? [] : await lockedMonthsOf(db, viewer)
  return {
    outlets,
    otherOutletCodes: new Set(others.map((o) => o.code)),
    items,
    vehicles,
    otherPlates,
    lockedMonths: new Set(locked.map((l) => `${l.outletId}|${l.month}`)),
  }
}

async function lockedMonthsOf(db: Kysely<Database>, viewer: Viewer) {
  return db
    .selectFrom('period_submissions')
    .innerJoin('outlets', 'outlets.id', 'period_submissions.outlet_id')
    .where((eb) => outletVisibleTo(eb, viewer))
    .select(['period_submissions.outlet_id as outletId', sql<string>`period_submissions.month::text`.as('month')])
    .execute()
}

// ---- from a validated record to column values ----------------------------------

export interface Owner {
  outletId: number
  brandId: number
  regionCode: string
}

export interface DbRecord {
  owner: Owner
  /** Aligned with spec.columns. */
  values: DbValue[]
}

/** Why a record that passed validation cannot be written (a lookup the validator was not given). */
export type ResolveFailure = { field: string; reason: 'outlet' | 'item' | 'vehicle' }

function plainValue(value: unknown, scale: number | undefined): DbValue {
  if (value === null || value === undefined) return null
  if (value instanceof Decimal) return (scale === undefined ? value : value.toDecimalPlaces(scale, Decimal.ROUND_HALF_UP)).toFixed()
  if (typeof value === 'number') return value
  return String(value)
}

/** The column values of a validated record, codes resolved to ids through the scope data. */
export function toDbRecord(
  spec: TableSpec,
  record: Readonly<Record<string, unknown>>,
  scope: Pick<ScopeData, 'outlets' | 'items' | 'vehicles'>,
): DbRecord | ResolveFailure {
  let ownerRef: Owner | null = null
  const values: DbValue[] = []
  for (const f of spec.fields) {
    const value = record[f.field]
    switch (f.via) {
      case 'plain':
        values.push(plainValue(value, f.scale))
        break
      case 'month':
        values.push(`${String(value)}-01`)
        break
      case 'period': {
        const text = String(value)
        values.push(text.length === 7 ? `${text}-01` : text, text.length === 7 ? 'month' : 'day')
        break
      }
      case 'item': {
        const item = scope.items.get(String(value))
        if (!item) return { field: f.field, reason: 'item' }
        values.push(item.id)
        break
      }
      case 'vehicle': {
        const vehicle = scope.vehicles.get(String(value))
        if (!vehicle) return { field: f.field, reason: 'vehicle' }
        values.push(vehicle.id)
        ownerRef = { outletId: vehicle.outletId, brandId: vehicle.brandId, regionCode: vehicle.regionCode }
        break
      }
      case 'owner': {
        const outlet = scope.outlets.get(String(value))
        if (!outlet) return { field: f.field, reason: 'outlet' }
        ownerRef = { outletId: outlet.id, brandId: outlet.brandId, regionCode: outlet.regionCode }
        break
      }
    }
  }
  return { owner: ownerRef!, values }
}

export function isResolveFailure(value: DbRecord | ResolveFailure): value is ResolveFailure {
  return 'reason' in value
}

/** `YYYY-MM-01` of the month a record falls in (null for the vehicle register). */
export function monthKeyOf(spec: TableSpec, values: readonly DbValue[]): string | null {
  if (spec.dateColumn === null) return null
  let index = dateIndexCache.get(spec)
  if (index === undefined) {
    index = spec.columns.findIndex((c) => c.column === spec.dateColumn)
    dateIndexCache.set(spec, index)
  }
  return `${String(values[index]).slice(0, 7)}-01`
}
const dateIndexCache = new WeakMap<TableSpec, number>()

/** The same text for equal values whichever driver read them (numeric 12.500 and 12.5 agree). */
export function canonicalValue(type: SqlType, value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (type === 'numeric') return new Decimal(String(value)).toFixed()
  if (type === 'date' && value instanceof Date) return value.toISOString().slice(0, 10)
  return String(value)
}

/**
 * Field code → text as a form shows it, from a stored row (and the codes of
 * the outlet, item or vehicle it points at).
 */
export function formValuesOf(
  spec: TableSpec,
  row: Readonly<Record<string, unknown>>,
  refs: { outletCode: string; itemCode?: string | null; plate?: string | null },
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of spec.fields) {
    switch (f.via) {
      case 'plain':
        out[f.field] = canonicalValue(f.type, row[f.column]) ?? ''
        break
      case 'month':
        out[f.field] = String(canonicalValue('date', row[f.column])).slice(0, 7)
        break
      case 'period': {
        const start = String(canonicalValue('date', row.period_start))
        out[f.field] = row.period_kind === 'month' ? start.slice(0, 7) : start
        break
      }
      case 'item':
        out[f.field] = refs.itemCode ?? ''
        break
      case 'vehicle':
        out[f.field] = refs.plate ?? ''
        break
      case 'owner':
        out[f.field] = refs.outletCode
        break
    }
  }
  return out
}

// ---- reading records ---------------------------------------------------------------

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
  const vehicleJoin = spec.recordCode === 'vehicle_use' ? sql`left join vehicles v on v.outlet_id = t.outlet_id and v.id = t.vehicle_id` : sql``
  const itemCode = spec.recordCode === 'packaging_consumption' ? sql`i.code` : sql`null::text`
  const plate = spec.recordCode === 'vehicle_use' ? sql`v.plate` : spec.recordCode === 'vehicles' ? sql`t.plate` : sql`null::text`
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
  const parts = Object.values(tableSpecs)
    .filter((s) => s.dateColumn !== null)
    .map(
      (s) => sql`select ${s.recordCode}::text as record_type, count(*)::int as n from ${sql.table(s.table)}
        where outlet_id = ${outletId} and superseded_at is null
          and ${sql.ref(s.dateColumn!)} >= ${`${month}-01`}::date and ${sql.ref(s.dateColumn!)} < (${`${month}-01`}::date + interval '1 month')`,
    )
  const { rows } = await sql<{ record_type: string; n: number }>`${sql.join(parts, sql` union all `)}`.execute(db)
  return Object.fromEntries(rows.map((r) => [r.record_type, Number(r.n)]))
}

// ---- writing ---------------------------------------------------------------------

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

// COPY text format: backslash, tab, newline and carriage return escaped; \N is null.
const copySpecial = /[\\\t\n\r]/
function copyText(value: DbValue): string {
  if (value === null) return '\\N'
  if (typeof value === 'number') return String(value)
  if (!copySpecial.test(value)) return value
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
}

/**
 * The lines of `copy <table> (<writeColumns>) from stdin` for rows of one
 * provenance: its columns are the same on every line, so they are made once.
 */
export function copyLines(rows: readonly RowToWrite[], provenance: Provenance): string {
  const tail = `\t${copyText(provenance.source)}\t${copyText(provenance.importBatchId)}\t`
  const end = `\t${copyText(provenance.createdBy)}\t${copyText(provenance.restatementReason)}\n`
  const lines = new Array<string>(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    let line = `${copyText(row.id)}\t${row.owner.outletId}\t${row.owner.brandId}\t${copyText(row.owner.regionCode)}`
    const values = row.values
    for (let i = 0; i < values.length; i++) line += `\t${copyText(values[i]!)}`
    lines[r] = `${line}${tail}${copyText(row.rowFingerprint)}${end}`
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
 * The emission results of retired rows stop counting: a replaced record's
 * figures must not be summed beside its replacement's. (The emissions service
 * supersedes results between factor set versions of one record; this is the
 * other case, a record replaced by a new one.)
 */
export async function retireEmissionResults(
  db: Kysely<Database>,
  recordType: RecordCode,
  records: readonly { outletId: number; id: string }[],
): Promise<void> {
  if (records.length === 0) return
  const { rows } = await sql<{ exists: boolean }>`select to_regclass('emission_results') is not null as exists`.execute(db)
  if (!rows[0]?.exists) return
  for (let start = 0; start < records.length; start += rowsPerStatement) {
    const chunk = records.slice(start, start + rowsPerStatement).map((r) => ({ o: r.outletId, id: r.id }))
    await sql`
      update emission_results e set status = 'superseded'
      from json_to_recordset(cast(${JSON.stringify(chunk)}::text as json)) as r(o integer, id bigint)
      where e.outlet_id = r.o and e.record_type = ${recordType} and e.record_id = r.id and e.status <> 'superseded'`.execute(db)
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

// ---- month submissions ------------------------------------------------------------

export async function isMonthLocked(db: Kysely<Database>, outletId: number, month: string): Promise<boolean> {
  const row = await db
    .selectFrom('period_submissions')
    .select('outlet_id')
    .where('outlet_id', '=', outletId)
    .where('month', '=', `${month.slice(0, 7)}-01`)
    .executeTakeFirst()
  return row !== undefined
}

/** Lock a month of an outlet; false if it was already submitted. */
export async function submitMonth(db: Kysely<Database>, outletId: number, month: string, userId: number): Promise<boolean> {
  const result = await db
    .insertInto('period_submissions')
    .values({ outlet_id: outletId, month: `${month}-01`, submitted_by: userId })
    .onConflict((oc) => oc.columns(['outlet_id', 'month']).doNothing())
    .executeTakeFirst()
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return false
  await appendAudit(db, { actorUserId: userId, action: 'period.submit', entityType: 'outlet', entityId: outletId, outletId, after: { month } })
  return true
}

export async function listSubmissions(db: Kysely<Database>, outletId: number) {
  return db
    .selectFrom('period_submissions')
    .leftJoin('users', 'users.id', 'period_submissions.submitted_by')
    .select([sql<string>`period_submissions.month::text`.as('month'), 'period_submissions.submitted_at as submittedAt', 'users.username as submittedBy'])
    .where('period_submissions.outlet_id', '=', outletId)
    .orderBy('period_submissions.month', 'desc')
    .execute()
}

export { jsonb }
