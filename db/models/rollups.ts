import { sql, type Kysely, type RawBuilder } from 'kysely'
import {
  facilityElectricity,
  packagingConsumption,
  recoveryCollections,
  shipmentStats,
  vehicleUse,
  vehicles,
  type RecordDescriptor,
} from '#app/domain/records/index.ts'
import { packagingMassKgSql } from '#app/domain/records/packaging-consumption.ts'
import { bulkWorkMemSetting, serverBulkWorkMem } from '../settings.ts'
import type { Database } from '../schema.ts'
import { inTransaction } from '../transaction.ts'
import { pgArray } from './emissions.ts'
import { countedCurrent } from './result-status.ts'

/**
 * Monthly rollups per outlet (`outlet_month_rollups`, `outlet_month_mix`),
 * recomputed from the current raw activity rows (`superseded_at is null`) in
 * set-based SQL. Reports read these rows only.
 *
 * Writers of activity call `refreshOutletMonths` (or `refreshOutletsFrom` for
 * records that hold from a date onwards: vehicles, recovery bins) inside the
 * transaction that wrote the rows, so a report never sees the new facts
 * without their rollup. Seeds and the scale benchmark call `rebuildRollups`.
 *
 * The rules (what counts as reported, standard, a plastic item, a vehicle in
 * service) are stated once here, in SQL; app/domain/metrics/README.md lists
 * the fields.
 */

export interface OutletMonthKey {
  outletId: number
  /** `YYYY-MM` or any ISO date inside the month. */
  month: string
}

export interface RefreshResult {
  /** Outlet-months recomputed, including the month's other open outlets added so that coverage counts them. */
  outletMonths: number
}

// Keys travel as two array parameters. One statement aggregates each fact table in one pass
// over the keys' outlets and months, where a few thousand keys a statement read a large
// import's table several times over (decision 041).
const keysPerStatement = 50_000

const nevEnergies = sql.raw(`('BEV', 'PHEV', 'FCEV')`)

// A reusable item's count is its uses in the period; its mass is spread over
// its design life, as its production emissions are (spec, "Emissions").
const itemMass = sql.raw(packagingMassKgSql('c', 'i'))
/** The date column that gives a record type's rows their month. */
const dateOf = (record: RecordDescriptor): string => record.dateColumn!
const tableOf = (record: RecordDescriptor): RawBuilder<unknown> => sql.table(record.table)

/** Recompute the rollup rows of these outlet-months. Call it in the transaction that changed the raw rows. */
export async function refreshOutletMonths(
  trx: Kysely<Database>,
  keys: readonly OutletMonthKey[],
  options: { bulk?: boolean } = {},
): Promise<RefreshResult> {
  const unique = dedupe(keys)
  if (unique.length === 0) return { outletMonths: 0 }
  return withoutJit(trx, async (db) => {
    const expanded = dedupe([...unique, ...(await missingOutletsOfMonths(db, unique))])
    const bulk = options.bulk ?? expanded.length > bulkRefreshThreshold
    if (bulk) await raiseWorkMemForBulk(db)
    for (let i = 0; i < expanded.length; i += keysPerStatement) {
      const chunk = expanded.slice(i, i + keysPerStatement)
      const mode: Mode = { keys: chunk, ...(bulk ? { bulk: monthBounds(chunk) } : {}) }
      await rollupStatement(mode).execute(db)
      await sql`delete from outlet_month_mix where (outlet_id, month) in (select outlet_id, month from ${keyRows(chunk)})`.execute(db)
      await mixStatement(mode).execute(db)
    }
    return { outletMonths: expanded.length }
  })
}

function monthBounds(keys: readonly OutletMonthKey[]): { from: string; toExclusive: string } {
  const months = keys.map((k) => k.month).sort()
  return { from: months[0]!, toExclusive: nextMonth(months[months.length - 1]!) }
}

/**
 * For records that hold from a month onwards (a vehicle entering service, a
 * recovery bin snapshot): recompute each outlet from `fromMonth` to the last
 * month any rollup holds (or `fromMonth`, if later).
 */
export async function refreshOutletsFrom(
  trx: Kysely<Database>,
  starts: readonly { outletId: number; fromMonth: string }[],
): Promise<RefreshResult> {
  if (starts.length === 0) return { outletMonths: 0 }
  const last = await lastRollupMonth(trx)
  const keys: OutletMonthKey[] = []
  for (const start of starts) {
    const from = firstOfMonth(start.fromMonth)
    const to = last !== null && last > from ? last : from
    for (let month = from; month <= to; month = nextMonth(month)) keys.push({ outletId: start.outletId, month })
  }
  return refreshOutletMonths(trx, keys)
}

/** The latest month with a rollup row (`YYYY-MM-01`), or null. */
export async function lastRollupMonth(db: Kysely<Database>): Promise<string | null> {
  // As text: the embedded driver hands dates back as Date objects.
  const { rows } = await sql<{ month: string | null }>`select max(month)::text as month from outlet_month_rollups`.execute(db)
  return rows[0]?.month ?? null
}

/**
 * Replace every rollup row with one computed from all raw rows: each open
 * outlet for every month between the first and the last month of data, and
 * every outlet-month that has data. For seeds and the scale benchmark.
 */
export async function rebuildRollups(db: Kysely<Database>): Promise<RefreshResult> {
  return withoutJit(db, async (trx) => {
    await sql`truncate outlet_month_rollups, outlet_month_mix`.execute(trx)
    const range = await dataMonthRange(trx)
    if (!range) return { outletMonths: 0 }
    await rollupStatement({ range }).execute(trx)
    await mixStatement({ range }).execute(trx)
    const count = await trx
      .selectFrom('outlet_month_rollups')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    return { outletMonths: Number(count.n) }
  })
}

// ---------------------------------------------------------------------------

type Mode =
  | {
      keys: readonly OutletMonthKey[]
      /**
       * Many keys (a CSV import): the facts of the keys' outlets in their
       * months are aggregated in one hashed pass instead of one index range
       * scan per key. Bounds are `YYYY-MM-DD`, the end exclusive.
       */
      bulk?: { from: string; toExclusive: string }
    }
  | { range: { from: string; to: string } }

/** Above this many outlet-months a refresh aggregates in bulk, one pass instead of a range scan per key. */
export const bulkRefreshThreshold = 400

/**
 * Many outlet-months aggregate many rows: with the default work_mem the planner sorted a
 * large import's rows to group them instead of hashing them (decision 041), so a bulk
 * refresh raises it for its transaction, to `serverBulkWorkMem` or, where the database names
 * its own bound (the embedded one: `pgliteSettings`, decision 082), to that. Returns the value set.
 */
export async function raiseWorkMemForBulk(trx: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ work_mem: string }>`
    select set_config('work_mem', coalesce(nullif(current_setting(${bulkWorkMemSetting}, true), ''), ${serverBulkWorkMem}), true) as work_mem`.execute(trx)
  return rows[0]!.work_mem
}

/** The keys as a row source `k(outlet_id, month)`: two array parameters. */
function keyRows(keys: readonly OutletMonthKey[]): RawBuilder<unknown> {
  return sql`unnest(${pgArray(keys.map((k) => k.outletId))}::int[], ${pgArray(keys.map((k) => k.month))}::date[]) k(outlet_id, month)`
}

/** The outlet-months to compute: the keys, or every open outlet for each month of the range. */
function keysCte(mode: Mode): RawBuilder<unknown> {
  if ('keys' in mode) {
    const kk = sql`kk as (
      select outlet_id, month, (month + interval '1 month')::date as next_month
      from ${keyRows(mode.keys)}
    )`
    return mode.bulk ? sql`${kk}, ko as (select distinct outlet_id from kk)` : kk
  }
  return sql`kk as (
    select outlet_id, month, (month + interval '1 month')::date as next_month from (
      select o.id as outlet_id, m.month::date as month
      from outlets o
      cross join generate_series(${mode.range.from}::date, ${mode.range.to}::date, interval '1 month') m(month)
      where o.opened_on < (m.month + interval '1 month') and (o.closed_on is null or o.closed_on >= m.month)
      union select outlet_id, month from ship
      union select outlet_id, month from pack
      union select outlet_id, month from coll
      union select outlet_id, month from vuse
      union select outlet_id, month from fac
    ) pairs
  )`
}

/**
 * A fact CTE grouped by outlet and month: with keys, joined to them (an
 * index range scan per key); for a rebuild, one pass over the whole table.
 */
function factCte(
  mode: Mode,
  name: string,
  input: {
    from: RawBuilder<unknown>
    alias: string
    dateColumn: string
    where?: RawBuilder<unknown>
    /** A breakdown's category column, grouped by as well. */
    groupBy?: string
    /** Activity tables keep a restatement chain; other sources say what counts in `where`. */
    restatementChain?: boolean
  },
  columns: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const extraGroup = input.groupBy ? sql.raw(`, ${input.groupBy}`) : sql``
  const date = sql.raw(`${input.alias}.${input.dateColumn}`)
  const outlet = sql.raw(`${input.alias}.outlet_id`)
  const conditions = [
    ...(input.restatementChain === false ? [] : [sql.raw(`${input.alias}.superseded_at is null`)]),
    ...(input.where ? [input.where] : []),
  ]
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``
  if ('keys' in mode && mode.bulk) {
    const bounds = [
      sql`${outlet} in (select outlet_id from ko)`,
      sql`${date} >= ${sql.lit(mode.bulk.from)}::date`,
      sql`${date} < ${sql.lit(mode.bulk.toExclusive)}::date`,
    ]
    return sql`${sql.raw(name)} as (
      select ${outlet} as outlet_id, date_trunc('month', ${date})::date as month, ${columns}
      from ${input.from}
      where ${sql.join([...conditions, ...bounds], sql` and `)}
      group by 1, 2${extraGroup}
    )`
  }
  if ('keys' in mode) {
    return sql`${sql.raw(name)} as (
      select kk.outlet_id, kk.month, ${columns}
      from ${input.from}
      join kk on ${outlet} = kk.outlet_id and ${date} >= kk.month and ${date} < kk.next_month
      ${where}
      group by kk.outlet_id, kk.month${extraGroup}
    )`
  }
  return sql`${sql.raw(name)} as (
    select ${outlet} as outlet_id, date_trunc('month', ${date})::date as month, ${columns}
    from ${input.from}
    ${where}
    group by 1, 2${extraGroup}
  )`
}

function factCtes(mode: Mode): RawBuilder<unknown>[] {
  return [
    // A blank optional field is "not reported" (issue 13.3): a day enters a
    // ratio's numerator and denominator only when it carries both fields.
    factCte(mode, 'ship', { from: sql`${tableOf(shipmentStats)} s`, alias: 's', dateColumn: dateOf(shipmentStats) }, sql`
      sum(s.parcels) as parcels,
      sum(s.e_waybill_parcels) as e_waybill_parcels,
      sum(case when s.narrow_tape_box_parcels is not null then s.box_parcels end) as box_parcels,
      sum(case when s.box_parcels is not null then s.narrow_tape_box_parcels end) as narrow_tape_box_parcels,
      sum(case when s.ecommerce_original_parcels is not null then s.ecommerce_parcels end) as ecommerce_parcels,
      sum(case when s.ecommerce_parcels is not null then s.ecommerce_original_parcels end) as ecommerce_original_parcels,
      sum(s.recyclable_packaging_parcels) as recyclable_packaging_parcels,
      sum(case when s.recyclable_transit_bags is not null then s.transit_bags end) as transit_bags,
      sum(case when s.transit_bags is not null then s.recyclable_transit_bags end) as recyclable_transit_bags,
      bool_or(s.box_parcels is not null and s.narrow_tape_box_parcels is not null) as narrow_tape_reported,
      bool_or(s.ecommerce_parcels is not null and s.ecommerce_original_parcels is not null) as no_repack_reported,
      bool_or(s.recyclable_packaging_parcels is not null) as recyclable_packaging_reported,
      bool_or(s.transit_bags is not null and s.recyclable_transit_bags is not null) as transit_bag_reported`),
    // Standard-compliant: the mandatory GB 43352-2023 limits and the GB/T
    // 16606 series both met. Non-degradable plastic items are what the SPB
    // 2022 phase-out names: plastic bags, plastic tape and single-use woven
    // (transit) bags.
    factCte(
      mode,
      'pack',
      { from: sql`${tableOf(packagingConsumption)} c join packaging_items i on i.id = c.item_id`, alias: 'c', dateColumn: dateOf(packagingConsumption) },
      sql`
      sum(${itemMass}) as packaging_mass_kg,
      sum(case when i.meets_gb_t_16606 and i.meets_gb_43352 then ${itemMass} else 0 end) as standard_packaging_mass_kg,
      sum(case when i.meets_gb_43352 then ${itemMass} else 0 end) as gb43352_packaging_mass_kg,
      sum(case when i.category = 'bag' and i.plastic then c.item_count else 0 end) as plastic_bags,
      sum(case when i.category = 'bag' and i.plastic and i.degradable then c.item_count else 0 end) as degradable_plastic_bags,
      sum(case when i.plastic and not i.degradable and (i.category in ('bag', 'tape') or (i.category = 'transit_bag' and not i.reusable))
               then c.item_count else 0 end) as non_degradable_plastic_items`,
    ),
    factCte(mode, 'coll', { from: sql`${tableOf(recoveryCollections)} rc`, alias: 'rc', dateColumn: dateOf(recoveryCollections) }, sql`
      sum(rc.cartons_reused) as cartons_reused`),
    factCte(
      mode,
      'vuse',
      {
        from: sql`${tableOf(vehicleUse)} vu join ${tableOf(vehicles)} v on v.outlet_id = vu.outlet_id and v.id = vu.vehicle_id`,
        alias: 'vu',
        dateColumn: dateOf(vehicleUse),
      },
      sql`
      sum(vu.distance_km) as distance_km,
      sum(case when v.energy in ${nevEnergies} then vu.distance_km else 0 end) as nev_distance_km`,
    ),
    factCte(mode, 'fac', { from: sql`${tableOf(facilityElectricity)} fe`, alias: 'fe', dateColumn: dateOf(facilityElectricity) }, sql`
      sum(fe.electricity_kwh) as electricity_kwh`),
    factCte(
      mode,
      'emis',
      // 'current' is the figure that counts; a restatement beside a locked month is shown apart, not summed.
      { from: sql`emission_results e`, alias: 'e', dateColumn: 'month', where: countedCurrent('e'), restatementChain: false },
      sql`
      sum(case when e.category in ('packaging', 'fleet', 'facility') then e.co2e_kg else 0 end) as co2e_kg,
      sum(case when e.category = 'packaging' then e.co2e_kg else 0 end) as packaging_co2e_kg,
      sum(case when e.category = 'fleet' then e.co2e_kg else 0 end) as fleet_co2e_kg,
      sum(case when e.category = 'facility' then e.co2e_kg else 0 end) as facility_co2e_kg,
      sum(coalesce(e.avoided_co2e_kg, 0)) as avoided_co2e_kg,
      sum(case when e.category in ('packaging', 'fleet', 'facility') and e.provenance -> 'fallbacks' is not null then e.co2e_kg else 0 end) as fallback_co2e_kg,
      array_agg(distinct e.factor_set_version) as factor_set_versions,
      bool_or(e.category in ('packaging', 'fleet', 'facility')) as has_emissions`,
    ),
    factCte(
      mode,
      'cred',
      {
        from: sql`credit_actions ca`,
        alias: 'ca',
        dateColumn: 'occurred_on',
        restatementChain: false,
        // An action whose award was reversed is no longer the consumer's: the outlet may claim it again.
        where: sql`ca.outlet_id is not null and not exists (
          select 1 from credit_ledger earn
          join credit_ledger rev on rev.consumer_id = earn.consumer_id and rev.reverses_entry_id = earn.id
          where earn.consumer_id = ca.consumer_id and earn.action_id = ca.id and earn.kind = 'earn')`,
      },
      sql`sum(ca.avoided_co2e_g) / 1000 as avoided_co2e_kg`,
    ),
  ]
}

// Columns of outlet_month_rollups in insert order, each with its expression.
function rollupColumns(): [string, RawBuilder<unknown>][] {
  const open = sql`(o.kind = 'outlet' and o.opened_on < kk.next_month and (o.closed_on is null or o.closed_on >= kk.month))`
  const n = (expr: string) => sql.raw(`coalesce(${expr}, 0)`)
  const gross = sql`coalesce(emis.avoided_co2e_kg, 0)`
  const credited = sql`coalesce(cred.avoided_co2e_kg, 0)`
  return [
    ['outlet_id', sql`kk.outlet_id`],
    ['month', sql`kk.month`],
    ['brand_id', sql`o.brand_id`],
    ['region_code', sql`o.region_code`],
    ['province_code', sql`o.province_code`],
    ['city_code', sql`o.city_code`],
    ['outlets', sql`(${open})::int`],
    // Reported: the outlet sent shipment statistics for at least one day of the month.
    ['reporting_outlets', sql`(${open} and ship.outlet_id is not null)::int`],
    ['outlets_with_bin', sql`(${open} and coalesce(bins.has_bin, false))::int`],
    // Outlet-months that reported each metric's data (migration 0019): its coverage, and what tells a
    // count reported by nobody (insufficient data) from a reported 0.
    ['narrow_tape_reporting_outlets', sql`(${open} and coalesce(ship.narrow_tape_reported, false))::int`],
    ['no_repack_reporting_outlets', sql`(${open} and coalesce(ship.no_repack_reported, false))::int`],
    ['recyclable_packaging_reporting_outlets', sql`(${open} and coalesce(ship.recyclable_packaging_reported, false))::int`],
    ['transit_bag_reporting_outlets', sql`(${open} and coalesce(ship.transit_bag_reported, false))::int`],
    ['packaging_reporting_outlets', sql`(${open} and pack.outlet_id is not null)::int`],
    ['collection_reporting_outlets', sql`(${open} and coll.outlet_id is not null)::int`],
    ['emissions_reporting_outlets', sql`(${open} and coalesce(emis.has_emissions, false))::int`],
    // Per-parcel intensities pool only outlet-months that reported both sides.
    ['per_parcel_packaging_mass_kg', sql`case when ${open} and ship.outlet_id is not null then coalesce(pack.packaging_mass_kg, 0) else 0 end`],
    ['packaging_parcels', sql`case when ${open} and pack.outlet_id is not null then coalesce(ship.parcels, 0) else 0 end`],
    ['per_parcel_co2e_kg', sql`case when ${open} and ship.outlet_id is not null then coalesce(emis.co2e_kg, 0) else 0 end`],
    ['emissions_parcels', sql`case when ${open} and coalesce(emis.has_emissions, false) then coalesce(ship.parcels, 0) else 0 end`],
    ['parcels', n('ship.parcels')],
    ['e_waybill_parcels', n('ship.e_waybill_parcels')],
    ['box_parcels', n('ship.box_parcels')],
    ['narrow_tape_box_parcels', n('ship.narrow_tape_box_parcels')],
    ['ecommerce_parcels', n('ship.ecommerce_parcels')],
    ['ecommerce_original_parcels', n('ship.ecommerce_original_parcels')],
    ['recyclable_packaging_parcels', n('ship.recyclable_packaging_parcels')],
    // Same-city parcels are not part of the shipment record yet (metrics README).
    ['same_city_parcels', sql`0`],
    ['same_city_recyclable_packaging_parcels', sql`0`],
    ['transit_bags', n('ship.transit_bags')],
    ['recyclable_transit_bags', n('ship.recyclable_transit_bags')],
    ['packaging_mass_kg', n('pack.packaging_mass_kg')],
    ['standard_packaging_mass_kg', n('pack.standard_packaging_mass_kg')],
    // Items marked as meeting GB 43352-2023 alone (the mandatory standard), migration 0016_rollup_gb43352_packaging.
    ['gb43352_packaging_mass_kg', n('pack.gb43352_packaging_mass_kg')],
    ['plastic_bags', n('pack.plastic_bags')],
    ['degradable_plastic_bags', n('pack.degradable_plastic_bags')],
    ['non_degradable_plastic_items', n('pack.non_degradable_plastic_items')],
    ['cartons_reused', n('coll.cartons_reused')],
    ['vehicles_in_service', n('fleet.vehicles_in_service')],
    ['nev_in_service', n('fleet.nev_in_service')],
    ['distance_km', n('vuse.distance_km')],
    ['nev_distance_km', n('vuse.nev_distance_km')],
    ['vehicles_acquired', n('fleet.vehicles_acquired')],
    ['nev_acquired', n('fleet.nev_acquired')],
    ['co2e_kg', n('emis.co2e_kg')],
    ['packaging_co2e_kg', n('emis.packaging_co2e_kg')],
    ['fleet_co2e_kg', n('emis.fleet_co2e_kg')],
    ['facility_co2e_kg', n('emis.facility_co2e_kg')],
    // CO2e of records costed with a fallback factor (another region level or year), migration 0016.
    ['fallback_co2e_kg', n('emis.fallback_co2e_kg')],
    ['gross_avoided_co2e_kg', gross],
    ['consumer_avoided_co2e_kg', credited],
    // Avoided CO2e credited to consumers is theirs: the outlet does not claim it again.
    ['avoided_co2e_kg', sql`greatest(${gross} - ${credited}, 0)`],
    ['factor_set_versions', sql`coalesce(emis.factor_set_versions, '{}')`],
    ['refreshed_at', sql`now()`],
  ]
}

function rollupStatement(mode: Mode): RawBuilder<unknown> {
  const columns = rollupColumns()
  const names = sql.raw(columns.map(([name]) => name).join(', '))
  const values = sql.join(columns.map(([name, expr]) => sql`${expr} as ${sql.raw(name)}`))
  const joins = [
    sql`left join ship on ship.outlet_id = kk.outlet_id and ship.month = kk.month`,
    sql`left join pack on pack.outlet_id = kk.outlet_id and pack.month = kk.month`,
    sql`left join coll on coll.outlet_id = kk.outlet_id and coll.month = kk.month`,
    sql`left join vuse on vuse.outlet_id = kk.outlet_id and vuse.month = kk.month`,
    sql`left join fleet on fleet.outlet_id = kk.outlet_id and fleet.month = kk.month`,
    sql`left join bins on bins.outlet_id = kk.outlet_id and bins.month = kk.month`,
    sql`left join emis on emis.outlet_id = kk.outlet_id and emis.month = kk.month`,
    sql`left join cred on cred.outlet_id = kk.outlet_id and cred.month = kk.month`,
  ]
  const updates = sql.raw(
    columns
      .filter(([name]) => name !== 'outlet_id' && name !== 'month')
      .map(([name]) => `${name} = excluded.${name}`)
      .join(', '),
  )
  // A rebuild writes the rows in the order reports read them (a region's
  // outlets, month after month), so a province's year sits in few pages.
  const tail =
    'keys' in mode
      ? sql`on conflict (outlet_id, month) do update set ${updates}`
      : sql`order by o.province_code, o.city_code, o.region_code, kk.outlet_id, kk.month`
  // With keys, the fact CTEs join the keys; in a rebuild, the keys are made of the facts.
  const ordered =
    'keys' in mode
      ? [keysCte(mode), ...factCtes(mode), ...stateCtes()]
      : [...factCtes(mode), keysCte(mode), ...stateCtes()]
  return sql`
    with ${sql.join(ordered, sql`, `)}
    insert into outlet_month_rollups (${names})
    select ${values}
    from kk
    join outlets o on o.id = kk.outlet_id
    ${sql.join(joins, sql` `)}
    ${tail}`
}

/**
 * Records that describe a state rather than a month's activity: vehicles in
 * service (a vehicle counts in every month it served on at least one day;
 * bought or replacing another counts in the month it entered service) and
 * the latest recovery-bin snapshot on or before the month's end (an outlet
 * has a bin when at least one is labelled and at least one is in service).
 */
function stateCtes(): RawBuilder<unknown>[] {
  return [
    sql`fleet as (
      select kk.outlet_id, kk.month,
        count(*) filter (where v.in_service_from < kk.next_month and (v.in_service_to is null or v.in_service_to >= kk.month)) as vehicles_in_service,
        count(*) filter (where v.energy in ${nevEnergies} and v.in_service_from < kk.next_month and (v.in_service_to is null or v.in_service_to >= kk.month)) as nev_in_service,
        count(*) filter (where v.acquisition in ('new', 'replacement') and v.in_service_from >= kk.month and v.in_service_from < kk.next_month) as vehicles_acquired,
        count(*) filter (where v.energy in ${nevEnergies} and v.acquisition in ('new', 'replacement') and v.in_service_from >= kk.month and v.in_service_from < kk.next_month) as nev_acquired
      from kk
      join vehicles v on v.outlet_id = kk.outlet_id and v.superseded_at is null
      group by kk.outlet_id, kk.month
    )`,
    sql`bins as (
      select kk.outlet_id, kk.month, (b.labelled_bins > 0 and b.in_service_bins > 0) as has_bin
      from kk
      join lateral (
        select rb.labelled_bins, rb.in_service_bins
        from recovery_bins rb
        where rb.outlet_id = kk.outlet_id and rb.as_of_date < kk.next_month and rb.superseded_at is null
        order by rb.as_of_date desc
        limit 1
      ) b on true
    )`,
  ]
}

/**
 * The charts' breakdowns: packaging mass by material and vehicle-months by
 * energy. (The table also admits distance by energy; no report shows it, so
 * it is not computed.)
 */
function mixStatement(mode: Mode): RawBuilder<unknown> {
  // A rebuild runs after the rollups are in: their rows are the outlet-months.
  const keys =
    'keys' in mode
      ? keysCte(mode)
      : sql`kk as (select outlet_id, month, (month + interval '1 month')::date as next_month from outlet_month_rollups)`
  const material = factCte(
    mode,
    'material',
    { from: sql`${tableOf(packagingConsumption)} c join packaging_items i on i.id = c.item_id`, alias: 'c', dateColumn: dateOf(packagingConsumption), groupBy: 'i.material' },
    sql`i.material as category, sum(${itemMass}) as value`,
  )
  return sql`
    with ${sql.join([keys, material], sql`, `)},
    energy_months as (
      select kk.outlet_id, kk.month, v.energy as category, count(*) as value
      from kk
      join vehicles v on v.outlet_id = kk.outlet_id and v.superseded_at is null
        and v.in_service_from < kk.next_month and (v.in_service_to is null or v.in_service_to >= kk.month)
      group by kk.outlet_id, kk.month, v.energy
    ),
    parts as (
      select outlet_id, month, 'packaging_mass_kg' as measure, category, value from material
      union all select outlet_id, month, 'vehicle_months', category, value from energy_months
    )
    insert into outlet_month_mix (outlet_id, month, brand_id, region_code, province_code, city_code, measure, category, value)
    select p.outlet_id, p.month, o.brand_id, o.region_code, o.province_code, o.city_code, p.measure, p.category, p.value
    from parts p
    join outlets o on o.id = p.outlet_id
    where p.value <> 0
    ${'keys' in mode ? sql`` : sql`order by o.province_code, o.city_code, o.region_code, p.outlet_id, p.month, p.measure, p.category`}`
}

async function missingOutletsOfMonths(db: Kysely<Database>, keys: readonly OutletMonthKey[]): Promise<OutletMonthKey[]> {
  // Every outlet open in a month counts in that month's coverage, reported or
  // not: the first write of a month brings the month's other outlets along.
  const months = [...new Set(keys.map((k) => k.month))]
  const { rows } = await sql<{ outlet_id: number; month: string }>`
    select o.id as outlet_id, m.month::text as month
    from (values ${sql.join(months.map((m) => sql`(${m}::date)`))}) m(month)
    join outlets o on o.opened_on < (m.month + interval '1 month') and (o.closed_on is null or o.closed_on >= m.month)
    where not exists (select 1 from outlet_month_rollups r where r.outlet_id = o.id and r.month = m.month)`.execute(db)
  return rows.map((r) => ({ outletId: r.outlet_id, month: r.month }))
}

async function dataMonthRange(db: Kysely<Database>): Promise<{ from: string; to: string } | null> {
  // The months of the activity the rollups aggregate, each table by its own date column.
  const ranges = [shipmentStats, packagingConsumption, recoveryCollections, vehicleUse, facilityElectricity].map((record) => {
    const date = sql.raw(dateOf(record))
    return sql`select date_trunc('month', min(${date}))::date as lo, date_trunc('month', max(${date}))::date as hi from ${tableOf(record)} where superseded_at is null`
  })
  const { rows } = await sql<{ from: string | null; to: string | null }>`
    select min(lo)::text as "from", max(hi)::text as "to" from (${sql.join(ranges, sql` union all `)}) ranges`.execute(db)
  const row = rows[0]
  if (!row?.from || !row.to) return null
  return { from: row.from, to: row.to }
}

function dedupe(keys: readonly OutletMonthKey[]): OutletMonthKey[] {
  const seen = new Map<string, OutletMonthKey>()
  for (const key of keys) {
    if (!Number.isInteger(key.outletId)) throw new Error(`Not an outlet id: ${key.outletId}`)
    const month = firstOfMonth(key.month)
    seen.set(`${key.outletId}|${month}`, { outletId: key.outletId, month })
  }
  return [...seen.values()]
}

function firstOfMonth(value: string): string {
  const match = /^(\d{4})-(\d{2})(-\d{2})?$/.exec(value)
  if (!match) throw new Error(`Not a month or ISO date: ${value}`)
  return `${match[1]}-${match[2]}-01`
}

function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`
}

/** In the caller's transaction or a new one, with JIT off until it ends. */
async function withoutJit<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return inTransaction(db, async (trx) => {
    // These statements are estimated expensive (many CTEs), so PostgreSQL
    // would JIT-compile them: LLVM work far beyond what the query itself costs.
    await sql`set local jit = off`.execute(trx)
    return fn(trx)
  })
}
