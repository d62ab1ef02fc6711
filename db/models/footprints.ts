import { sql, type Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { facilityElectricity, packagingConsumption, vehicleUse, type RecordDescriptor } from '#app/domain/records/index.ts'
import type { Database } from '../schema.ts'
import { jsonb } from './json.ts'
import { outletVisibleTo } from './scope.ts'
import { countedCurrent } from './result-status.ts'

/**
 * Sums behind parcel footprints (app/domain/footprints): per brand and
 * month, for every city, every province and the nation at once (grouping
 * sets), from the monthly rollups (parcels, reporting outlets) and the
 * current emission results (hub electricity, fleet, packaging) with the
 * data quality of the activity record behind each result.
 *
 * Aggregates only: no row names an outlet, a vehicle or a consumer.
 */

export interface FootprintGroupRow {
  brandId: number
  brandCode: string
  level: 'city' | 'province' | 'national'
  geographyCode: string
  parcels: string
  reportingOutlets: number
  hubKg: string
  hubMeasuredKg: string
  hubEstimatedKg: string
  hubDefaultKg: string
  hubRecords: number
  fleetKg: string
  fleetTtwKg: string
  fleetMeasuredKg: string
  fleetEstimatedKg: string
  fleetDefaultKg: string
  fleetRecords: number
  packagingKg: string
  packagingMeasuredKg: string
  packagingEstimatedKg: string
  packagingDefaultKg: string
  packagingRecords: number
  factorSetVersions: string[]
}

export interface FootprintMaterialRow {
  brandId: number
  level: 'city' | 'province' | 'national'
  geographyCode: string
  material: string
  massKg: string
  co2eKg: string
}

export interface FootprintGroupFilter {
  /** First day of the month, YYYY-MM-01. */
  month: string
  /** Only these brands (null: every brand the viewer may see). */
  brandIds: readonly number[] | null
  /** A signed-in viewer's reach, in SQL; null for the partner API, whose intensities are public aggregates. */
  viewer: Viewer | null
}

function outletsCte(db: Kysely<Database>, filter: FootprintGroupFilter) {
  let query = db.selectFrom('outlets').innerJoin('brands', 'brands.id', 'outlets.brand_id').select(['outlets.id', 'outlets.brand_id', 'brands.code as brand_code', 'outlets.city_code', 'outlets.province_code'])
  if (filter.viewer) {
    const viewer = filter.viewer
    query = query.where((eb) => outletVisibleTo(eb, viewer))
  }
  if (filter.brandIds) query = query.where('outlets.brand_id', 'in', filter.brandIds.length > 0 ? [...filter.brandIds] : [-1])
  return query
}

const levelOf = sql.raw(`case when grouping(city_code) = 0 then 'city' when grouping(province_code) = 0 then 'province' else 'national' end`)
const geographyOf = sql.raw(`coalesce(city_code, province_code, '000000')`)
const groupingSets = sql.raw(`grouping sets ((brand_id, brand_code, province_code, city_code), (brand_id, brand_code, province_code), (brand_id, brand_code))`)

function sums(category: string, prefix: string) {
  const c = sql.lit(category)
  return sql`
    coalesce(sum(co2e_kg) filter (where category = ${c}), 0)::text as ${sql.raw(`"${prefix}Kg"`)},
    coalesce(sum(co2e_kg) filter (where category = ${c} and quality = 'measured'), 0)::text as ${sql.raw(`"${prefix}MeasuredKg"`)},
    coalesce(sum(co2e_kg) filter (where category = ${c} and quality = 'estimated'), 0)::text as ${sql.raw(`"${prefix}EstimatedKg"`)},
    coalesce(sum(co2e_kg) filter (where category = ${c} and quality = 'default'), 0)::text as ${sql.raw(`"${prefix}DefaultKg"`)},
    (count(*) filter (where category = ${c}))::int as ${sql.raw(`"${prefix}Records"`)}`
}

const recordTable = (record: RecordDescriptor) => sql.table(record.table)
// A literal, as the statement had it: the planner sees the record type.
const recordCode = (record: RecordDescriptor) => sql.lit(record.code)

/**
 * Every (brand, city), (brand, province) and (brand) group of the month with
 * parcels or emissions behind it. A result computed with a distance default
 * counts as default data whatever the record says: its figure is the
 * default intensity's, not the measurement's.
 */
export async function footprintGroups(db: Kysely<Database>, filter: FootprintGroupFilter): Promise<FootprintGroupRow[]> {
  const month = filter.month
  const { rows } = await sql<FootprintGroupRow>`
    with o as (${outletsCte(db, filter)}),
    res as (
      select e.outlet_id, e.category, e.co2e_kg, coalesce(e.ttw_kg, 0) as ttw_kg, e.factor_set_version,
        case when e.method = 'distance_default' then 'default'
             else coalesce(fe.data_quality, vu.data_quality, pc.data_quality) end as quality
      from emission_results e
      left join ${recordTable(facilityElectricity)} fe on e.record_type = ${recordCode(facilityElectricity)} and fe.outlet_id = e.outlet_id and fe.id = e.record_id
      left join ${recordTable(vehicleUse)} vu on e.record_type = ${recordCode(vehicleUse)} and vu.outlet_id = e.outlet_id and vu.id = e.record_id
      left join ${recordTable(packagingConsumption)} pc on e.record_type = ${recordCode(packagingConsumption)} and pc.outlet_id = e.outlet_id and pc.id = e.record_id
      where ${countedCurrent('e')} and e.month = ${month}::date and e.category in ('facility', 'fleet', 'packaging')
        and e.outlet_id in (select id from o)
    ),
    facts as (
      select o.brand_id, o.brand_code, o.city_code, o.province_code, r.parcels, r.reporting_outlets,
        null::text as category, null::numeric as co2e_kg, null::numeric as ttw_kg, null::text as quality, null::text as version
      from outlet_month_rollups r join o on o.id = r.outlet_id
      where r.month = ${month}::date
      union all
      select o.brand_id, o.brand_code, o.city_code, o.province_code, 0, 0, res.category, res.co2e_kg, res.ttw_kg, res.quality, res.factor_set_version
      from res join o on o.id = res.outlet_id
    )
    select brand_id as "brandId", brand_code as "brandCode", ${levelOf} as level, ${geographyOf} as "geographyCode",
      coalesce(sum(parcels), 0)::text as parcels,
      coalesce(sum(reporting_outlets), 0)::int as "reportingOutlets",
      ${sums('facility', 'hub')},
      ${sums('fleet', 'fleet')},
      coalesce(sum(ttw_kg) filter (where category = 'fleet'), 0)::text as "fleetTtwKg",
      ${sums('packaging', 'packaging')},
      coalesce(array_agg(distinct version) filter (where version is not null), '{}') as "factorSetVersions"
    from facts
    group by ${groupingSets}
    order by 1, 3, 4`.execute(db)
  return rows.map((r) => ({ ...r, factorSetVersions: parseTextArray(r.factorSetVersions) }))
}

/** Packaging by material for the same groups: kg of material (a reusable item's mass spread over its design life) and kg CO2e. */
export async function footprintMaterials(db: Kysely<Database>, filter: FootprintGroupFilter): Promise<FootprintMaterialRow[]> {
  const { rows } = await sql<FootprintMaterialRow>`
    with o as (${outletsCte(db, filter)}),
    facts as (
      select o.brand_id, o.brand_code, o.city_code, o.province_code, i.material,
        pc.item_count * i.unit_mass_kg / coalesce(i.design_life_uses, 1) as mass_kg, e.co2e_kg
      from emission_results e
      join packaging_consumption pc on pc.outlet_id = e.outlet_id and pc.id = e.record_id
      join packaging_items i on i.id = pc.item_id
      join o on o.id = e.outlet_id
      where ${countedCurrent('e')} and e.month = ${filter.month}::date and e.record_type = 'packaging_consumption'
    )
    select brand_id as "brandId", ${levelOf} as level, ${geographyOf} as "geographyCode", material,
      sum(mass_kg)::text as "massKg", sum(co2e_kg)::text as "co2eKg"
    from facts
    group by grouping sets ((brand_id, brand_code, province_code, city_code, material), (brand_id, brand_code, province_code, material), (brand_id, brand_code, material))
    order by 1, 3, 4`.execute(db)
  return rows
}

// The embedded driver hands text[] back as an array, postgres.js too; a literal '{a,b}' is read defensively.
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String)
  if (typeof value === 'string') return value.replace(/^\{|\}$/g, '').split(',').filter((v) => v !== '')
  return []
}

export async function brandIdsByCode(db: Kysely<Database>, codes: readonly string[]): Promise<Map<string, { id: number; nameZh: string; nameEn: string }>> {
  if (codes.length === 0) return new Map()
  const rows = await db.selectFrom('brands').select(['id', 'code', 'name_zh', 'name_en']).where('code', 'in', [...codes]).execute()
  return new Map(rows.map((r) => [r.code, { id: r.id, nameZh: r.name_zh, nameEn: r.name_en }]))
}

export async function regionsByCode(db: Kysely<Database>, codes: readonly string[]) {
  if (codes.length === 0) return new Map<string, { level: string; nameZh: string; nameEn: string; parentCode: string | null }>()
  const rows = await db.selectFrom('regions').select(['code', 'level', 'name_zh', 'name_en', 'parent_code']).where('code', 'in', [...codes]).execute()
  return new Map(rows.map((r) => [r.code, { level: r.level as string, nameZh: r.name_zh, nameEn: r.name_en, parentCode: r.parent_code }]))
}

// ---- stored batches -----------------------------------------------------------------

export interface StoredBatch {
  id: string
  bodySha256: string
  response: unknown
}

/**
 * Store a batch's answer under its Idempotency-Key; undefined when the key
 * was already used (a concurrent request with the same key waits on the
 * unique index until the first commits).
 */
export async function insertFootprintBatch(
  db: Kysely<Database>,
  row: { partnerId: number; id: string; keyId: string; idempotencyKey: string; bodySha256: string; parcelCount: number; response: unknown },
): Promise<string | undefined> {
  const inserted = await db
    .insertInto('footprint_batches')
    .values({
      partner_id: row.partnerId,
      id: row.id,
      key_id: row.keyId,
      idempotency_key: row.idempotencyKey,
      body_sha256: row.bodySha256,
      parcel_count: row.parcelCount,
      response: jsonb(row.response),
    })
    .onConflict((oc) => oc.columns(['partner_id', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted?.id
}

export async function findFootprintBatchByKey(db: Kysely<Database>, partnerId: number, idempotencyKey: string): Promise<StoredBatch | undefined> {
  return db
    .selectFrom('footprint_batches')
    .select(['id', 'body_sha256 as bodySha256', 'response'])
    .where('partner_id', '=', partnerId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst()
}

/** A batch by id, only among the asking partner's own: another partner's id finds nothing. */
export async function findFootprintBatch(db: Kysely<Database>, partnerId: number, id: string): Promise<StoredBatch | undefined> {
  return db
    .selectFrom('footprint_batches')
    .select(['id', 'body_sha256 as bodySha256', 'response'])
    .where('partner_id', '=', partnerId)
    .where('id', '=', id)
    .executeTakeFirst()
}
