// Benchmark of the emission recompute on real PostgreSQL, in a database of its own.
//
//   npx tsx scripts/bench-recompute.ts [--outlets 5000] [--months 24] [--batch 20000] [--parallel 2] [--rollups] [--compare] [--keep]
//
// Costs in SQL with the engine's coefficients (docs/decisions/032); steps 1 and 3 on two connections.
// Generates activity for many outlets (facility electricity, vehicle use for
// four vehicles, four packaging items, per outlet and month: 5,000 outlets ×
// 24 months × 9 = 1,080,000 records), then
//   1. computes every record with the published set 2026.1 (no result stored yet),
//   2. publishes a corrected set as the admin page does on PostgreSQL: the version switch
//      (decision 083), the new set's results written on four connections into the set's own
//      table, indexed once and attached as its partition, beside the old ones, which stop
//      counting when the set's status changes (locked months keep theirs and gain a restatement),
//   3. recomputes again on demand, as scripts/recompute.ts does (nothing changes),
// and prints records per second for each, the publish beside a plain INSERT … SELECT of
// as many result rows, an UPDATE of their status, the same INSERT … SELECT on two
// connections, and on two connections into a table without index then indexed (--parallel N
// publishes on N connections instead of publishConnections('postgres'); --compare also publishes once more in one transaction, as on the
// embedded database)
// and the load average (the rollup refresh, another part of
// the product, is left out of both; --rollups times it apart after step 1).
// Admin connection: BENCH_DATABASE_URL or DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import postgres from 'postgres'
import { openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import type { Database } from '#db/schema.ts'
import { vehicleUse } from '#app/domain/records/index.ts'
import { seedEmissions } from '#seeds/load/emissions.ts'
import { copyResults } from '#db/models/emission-results.ts'
import { shownStatus } from '#db/models/result-status.ts'
import { recomputeEmissions, refreshRollupsAfterRecompute, type RecomputeSummary } from '#app/services/emissions.server.ts'
import { importFactorSet, publishConnections, publishFactorSet } from '#app/services/factor-sets.server.ts'
import { readFactorSetFiles } from './lib/factor-files.ts'
import { runCli } from './lib/cli.ts'
import { backendCpuSeconds } from './lib/pg-cpu.ts'
import { rerunWithLargerYoungGeneration } from './lib/young-generation.ts'

const projectRoot = path.resolve(import.meta.dirname, '..')

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const v = Number(process.argv[i + 1])
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a whole number above 0`)
  return v
}

const DISTRICTS = ['410102', '410104', '410105', '410502', '410611', '411002', '530102', '530103', '530402', '150102', '150105', '330602', '330603']

if (!rerunWithLargerYoungGeneration()) runCli(async () => {
  const outlets = option('outlets', 5000)
  const months = option('months', 24)
  const batchSize = option('batch', 20_000)
  const keep = process.argv.includes('--keep')
  const publishParallel = option('parallel', publishConnections('postgres'))
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const name = 'gp_bench_recompute'
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.unsafe(`create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const handle = openDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 8 })
  const db = handle.db
  // COPY needs a postgres.js instance of its own: the Kysely handle does not expose its pool.
  const pg = postgres(url.toString(), { max: 1, onnotice: () => {} })
  try {
    await migrateToLatest(db)
    await setUpReference(db, outlets)
    let t = performance.now()
    const records = await generateActivity(db, months)
    console.log(`Generated ${records.toLocaleString('en')} activity records for ${outlets.toLocaleString('en')} outlets × ${months} months in ${seconds(t)} s`)
    await sql`analyze`.execute(db)

    console.log('\n1. First computation with the published set 2026.1 (no stored results yet)')
    let cpu = cpuNow(name)
    const first = await recomputeEmissions(db, {
      skipRollups: true,
      batchSize,
      parallel: 2,
      onProgress: progress,
      bulkWriter: (type, version, rows) => copyResults(pg, type, version, rows),
    })
    if (!first.ok) throw new Error(first.error.key)
    report(first.summary)
    cpuReport(first.summary.examined, cpu, cpuNow(name))

    if (process.argv.includes('--rollups')) {
      t = performance.now()
      const touched = await db.selectFrom('emission_results').select(['outlet_id as outletId', 'month']).distinct().where('status', '=', 'current').execute()
      try {
        const refreshed = await refreshRollupsAfterRecompute(db, touched)
        console.log(`   rollup refresh (db/models/rollups.ts) of ${refreshed.toLocaleString('en')} outlet-months: ${seconds(t)} s`)
      } catch (e) {
        console.log(`   rollup refresh (db/models/rollups.ts) failed: ${e instanceof Error ? e.message : String(e)}`)
      }
    }

    console.log(`\n2. Publish a corrected set (Central grid 2022: 0.5395 → 0.5400): the version switch on ${publishParallel} connections`)
    const files = await readFactorSetFiles(path.join(projectRoot, 'factors/emission/2026.1'))
    const meta = JSON.parse(files.setJson.text) as Record<string, unknown>
    Object.assign(meta, { version: '2099.1', status: 'draft', contentSha256: null })
    const draft = await importFactorSet(db, {
      setJson: { name: 'bench/set.json', text: JSON.stringify(meta) },
      factorsCsv: { name: 'bench/factors.csv', text: files.factorsCsv.text.replace('grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.5400,') },
      gridRegionsCsv: { name: 'bench/grid-regions.csv', text: files.gridRegionsCsv.text },
    }, { actor: null, as: 'draft', now: new Date() })
    if (!draft.ok) throw new Error(draft.errors.map(String).join('\n'))
    t = performance.now()
    cpu = cpuNow(name)
    // the same work as the admin page's "publish", minus the rollup refresh timed apart (--rollups)
    const published = await publishFactorSet(db, null, '2099.1', { now: new Date(), skipRollups: true, parallel: publishParallel })
    if (!published.ok || !published.summary) throw new Error('publish failed')
    report(published.summary)
    cpuReport(published.summary.examined, cpu, cpuNow(name))
    const publishSeconds = (performance.now() - t) / 1000
    console.log(`   publish incl. recompute on ${publishParallel} connections, the index, the attach and the switch: ${publishSeconds.toFixed(1)} s`)
    // Baselines from the same run, in a scratch copy of the table (its index, no costing):
    //  - a plain INSERT … SELECT of the rows just written: the floor of writing as many results;
    //  - an UPDATE of their status, as the publish sets each replaced result aside: with the
    //    insert, the floor of a publish that writes two tuples per record in one backend;
    //  - the same INSERT … SELECT split by outlet range over two connections, each in a
    //    transaction of its own: the floor of a publish that writes the new set's results
    //    beside the old ones in parallel (the version switch, decision 083).
    await sql`create table bench_scratch (like emission_results including all)`.execute(db)
    const written = published.summary.written
    t = performance.now()
    await sql`insert into bench_scratch select * from emission_results where factor_set_version = '2099.1'`.execute(db)
    const baselineSeconds = (performance.now() - t) / 1000
    t = performance.now()
    await sql`update bench_scratch set status = 'superseded' where status <> 'superseded'`.execute(db)
    const updateSeconds = (performance.now() - t) / 1000
    await sql`truncate bench_scratch`.execute(db)
    const middle = Math.ceil(outlets / 2)
    t = performance.now()
    await Promise.all([[1, middle], [middle + 1, outlets]].map(([lo, hi]) => db.transaction().execute((trx) =>
      sql`insert into bench_scratch select * from emission_results where factor_set_version = '2099.1' and outlet_id between ${lo} and ${hi}`.execute(trx))))
    const parallelSeconds = (performance.now() - t) / 1000
    await sql`drop table bench_scratch`.execute(db)
    // - the same on two connections into a table with no index, then the live key's index built
    //   once: the floor of the publish's way of writing (result-partitions.ts).
    await sql`create table bench_scratch (like emission_results including defaults including constraints)`.execute(db)
    t = performance.now()
    await Promise.all([[1, middle], [middle + 1, outlets]].map(([lo, hi]) => db.transaction().execute((trx) =>
      sql`insert into bench_scratch select * from emission_results where factor_set_version = '2099.1' and outlet_id between ${lo} and ${hi}`.execute(trx))))
    await sql`create unique index on bench_scratch (outlet_id, record_type, record_id, factor_set_version) where status <> 'superseded'`.execute(db)
    const unindexedSeconds = (performance.now() - t) / 1000
    await sql`drop table bench_scratch`.execute(db)
    const load = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')
    const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en')
    console.log(`   publish: ${rate(published.summary.examined, publishSeconds)} records/s (target 100,000); baselines with the ${written.toLocaleString('en')} rows written, ` +
      `in a scratch copy of emission_results: INSERT … SELECT ${baselineSeconds.toFixed(1)} s = ${rate(written, baselineSeconds)} rows/s; ` +
      `UPDATE of their status ${updateSeconds.toFixed(1)} s = ${rate(written, updateSeconds)} rows/s; ` +
      `insert + update (two tuples per record, one backend: the floor before the switch) ${rate(written, baselineSeconds + updateSeconds)} records/s; ` +
      `INSERT … SELECT on two connections ${parallelSeconds.toFixed(1)} s = ${rate(written, parallelSeconds)} rows/s; ` +
      `the same into a table with no index, then its index (the publish's floor) ${unindexedSeconds.toFixed(1)} s = ${rate(written, unindexedSeconds)} rows/s; load average ${load}`)
    console.log(`   publish / INSERT … SELECT: ${(baselineSeconds / publishSeconds).toFixed(2)}; publish / INSERT … SELECT on two connections: ${(parallelSeconds / publishSeconds).toFixed(2)}; ` +
      `publish / its floor: ${(unindexedSeconds / publishSeconds).toFixed(2)}`)

    if (process.argv.includes('--compare')) {
      // The same publish in one transaction on one connection, as on the embedded database
      // (and whenever the caller's transaction holds the publish): another corrected set.
      console.log('\n2b. The same again (2099.2) in one transaction, for comparison')
      const again = await importFactorSet(db, {
        setJson: { name: 'bench/set.json', text: JSON.stringify({ ...meta, version: '2099.2' }) },
        factorsCsv: { name: 'bench/factors.csv', text: files.factorsCsv.text.replace('grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.5405,') },
        gridRegionsCsv: { name: 'bench/grid-regions.csv', text: files.gridRegionsCsv.text },
      }, { actor: null, as: 'draft', now: new Date() })
      if (!again.ok) throw new Error(again.errors.map(String).join('\n'))
      t = performance.now()
      cpu = cpuNow(name)
      const planned = await publishFactorSet(db, null, '2099.2', { now: new Date(), skipRollups: true, parallel: 1 })
      if (!planned.ok || !planned.summary) throw new Error('publish failed')
      report(planned.summary)
      console.log(`   one transaction: ${Math.round(planned.summary.examined / ((performance.now() - t) / 1000)).toLocaleString('en')} records/s`)
      cpuReport(planned.summary.examined, cpu, cpuNow(name))
    }

    console.log('\n3. Recompute on demand with the set in force (scripts/recompute.ts): nothing should change')
    cpu = cpuNow(name)
    const again = await recomputeEmissions(db, {
      skipRollups: true,
      batchSize,
      parallel: 2,
      onProgress: progress,
      bulkWriter: (type, version, rows) => copyResults(pg, type, version, rows),
    })
    if (!again.ok) throw new Error(again.error.key)
    report(again.summary)
    cpuReport(again.summary.examined, cpu, cpuNow(name))

    const { rows: counts } = await sql<{ version: string; status: string; shown: string; n: string }>`
      select factor_set_version as version, status, ${shownStatus('e')} as shown, count(*)::text as n
      from emission_results e group by 1, 2, 3 order by 1, 2, 3`.execute(db)
    console.log('\nStored results by set, stored status and the status readers see (db/models/result-status.ts):')
    for (const c of counts) console.log(`   ${c.version} ${c.status.padEnd(11)} ${c.shown.padEnd(11)} ${Number(c.n).toLocaleString('en')}`)
    console.log(`\nMachine: ${(await import('node:os')).cpus().length} cores shared with other processes; PostgreSQL ${(await sql<{ server_version: string }>`show server_version`.execute(db)).rows[0]!.server_version}`)
  } finally {
    await pg.end()
    await handle.close()
    if (!keep) await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
})

/**
 * CPU seconds used so far by this process and by the PostgreSQL backends
 * serving the benchmark database (found by their process title in /proc).
 * Other engineers' work shares the two cores, so the wall-clock rate depends
 * on them; the CPU figures show what the recompute itself costs.
 */
function cpuNow(database: string): { node: number; pg: number } {
  const usage = process.cpuUsage()
  return { node: (usage.user + usage.system) / 1e6, pg: backendCpuSeconds(database) }
}

function cpuReport(records: number, before: { node: number; pg: number }, after: { node: number; pg: number }) {
  const node = after.node - before.node
  const pg = after.pg - before.pg
  const rate = (s: number) => Math.round(records / s).toLocaleString('en')
  // The SQL path leaves Node nearly idle: PostgreSQL's CPU is the cost (spread over two connections where it can be).
  console.log(`   CPU: Node ${node.toFixed(1)} s, PostgreSQL backends ${pg.toFixed(1)} s (${rate(pg)} records per PostgreSQL CPU-second; ` +
    `two cores doing nothing else would give at most about ${rate(pg / 2)} records/s)`)
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1)
}

let lastPrint = 0
function progress(s: RecomputeSummary) {
  if (performance.now() - lastPrint < 5000) return
  lastPrint = performance.now()
  console.log(`   … ${s.examined.toLocaleString('en')} records, ${s.recordsPerSecond.toLocaleString('en')}/s`)
}

function report(s: RecomputeSummary) {
  console.log(`   set ${s.factorSetVersion}: examined ${s.examined.toLocaleString('en')}, written ${s.written.toLocaleString('en')}, ` +
    `figures changed ${s.changed.toLocaleString('en')}, superseded ${s.superseded.toLocaleString('en')}, ` +
    `restatements ${s.restatements.toLocaleString('en')}, failed ${s.failed.toLocaleString('en')}`)
  if (s.failed > 0) console.log(`   failures: ${JSON.stringify(s.failuresByKey)}`)
  console.log(`   ${s.seconds.toFixed(1)} s → ${s.recordsPerSecond.toLocaleString('en')} records/s`)
}

/** Regions, brands, outlets, packaging catalog and factor sets, inserted directly (no demo users or activity). */
async function setUpReference(db: Kysely<Database>, outlets: number) {
  const regions = [
    ['410000', null, 'province', 'central'], ['410100', '410000', 'city', 'central'], ['410500', '410000', 'city', 'central'],
    ['410600', '410000', 'city', 'central'], ['411000', '410000', 'city', 'central'], ['530000', null, 'province', 'south'],
    ['530100', '530000', 'city', 'south'], ['530400', '530000', 'city', 'south'], ['150000', null, 'province', 'north'],
    ['150100', '150000', 'city', 'north'], ['330000', null, 'province', 'east'], ['330600', '330000', 'city', 'east'],
  ] as const
  for (const [code, parent, level, grid] of regions) {
    await db.insertInto('regions').values({ code, parent_code: parent, level, name_zh: code, name_en: code, grid_region: grid }).execute()
  }
  for (const code of DISTRICTS) {
    const city = `${code.slice(0, 4)}00`
    const grid = regions.find((r) => r[0] === city)![3]
    await db.insertInto('regions').values({ code, parent_code: city, level: 'district', name_zh: code, name_en: code, grid_region: grid }).execute()
  }
  for (const code of ['ems', 'sf', 'zto', 'yto', 'sto', 'yunda', 'jd', 'jt']) {
    await db.insertInto('brands').values({ code, name_zh: code, name_en: code }).execute()
  }
  await sql`
    insert into outlets (code, brand_id, region_code, name_zh, name_en, opened_on)
    select 'B-' || i, 1 + i % 8, (${sql.val(DISTRICTS)}::text[])[1 + i % ${DISTRICTS.length}], 'outlet ' || i, 'outlet ' || i, date '2018-01-01'
    from generate_series(1, ${outlets}) i`.execute(db)
  await db.transaction().execute((trx) => seedEmissions(trx, path.join(projectRoot, 'seeds')))
}

/** Per outlet and month: facility electricity, four vehicles' use, four packaging items. Returns the record count. */
async function generateActivity(db: Kysely<Database>, months: number): Promise<number> {
  const monthList = sql`generate_series(date '2022-01-01', date '2022-01-01' + make_interval(months => ${months - 1}), interval '1 month')`
  const owner = sql.raw(`o.id, o.brand_id, o.region_code`)
  await sql`
    insert into facility_electricity (outlet_id, brand_id, region_code, month, electricity_kwh, data_quality, source)
    select ${owner}, m::date, 400 + (o.id * 37 + extract(month from m)::int * 113) % 2600 + 0.125, 'measured', 'seed'
    from outlets o cross join ${monthList} m`.execute(db)

  // diesel van (litres), BEV van (kWh), BEV tricycle (kWh), diesel van with distance only (default intensity)
  await sql`
    insert into vehicles (outlet_id, brand_id, region_code, plate, vehicle_class, energy, emission_standard, in_service_from, acquisition, data_quality, source)
    select ${owner}, 'P' || o.id || '-' || k,
      (array['light_van', 'light_van', 'electric_tricycle', 'light_van'])[k],
      (array['diesel', 'BEV', 'BEV', 'diesel'])[k],
      (array['guo6', 'none', 'none', 'guo5'])[k], date '2020-01-01', 'existing', 'measured', 'seed'
    from outlets o cross join generate_series(1, 4) k`.execute(db)
  await sql`
    insert into ${sql.table(vehicleUse.table)} (outlet_id, brand_id, region_code, vehicle_id, month, distance_km, fuel_litres, electricity_kwh, data_quality, source)
    select v.outlet_id, v.brand_id, v.region_code, v.id, m::date,
      900 + (v.id * 53 + extract(month from m)::int * 7) % 1800,
      case when v.plate like '%-1' then 80 + (v.id * 13 + extract(month from m)::int) % 140 + 0.5 end,
      case when v.energy = 'BEV' then 120 + (v.id * 29 + extract(month from m)::int * 3) % 500 + 0.25 end,
      'measured', 'seed'
    from vehicles v cross join ${monthList} m`.execute(db)

  await sql`
    insert into packaging_consumption (outlet_id, brand_id, region_code, period_start, period_kind, item_id, item_count, data_quality, source)
    select ${owner}, m::date, 'month', i.id, 50 + (o.id * 31 + i.id * 17 + extract(month from m)::int) % 900, 'measured', 'seed'
    from outlets o cross join ${monthList} m
    join packaging_items i on i.code in ('box_04', 'mailer_pe_s', 'tape_bopp_45', 'pp_box_432')`.execute(db)

  // a tenth of the outlets submitted (locked) their first year
  await sql`
    insert into period_submissions (outlet_id, month)
    select o.id, m::date from outlets o cross join generate_series(date '2022-01-01', date '2022-12-01', interval '1 month') m
    where o.id % 10 = 0`.execute(db)

  const { rows } = await sql<{ n: string }>`
    select (select count(*) from facility_electricity) + (select count(*) from ${sql.table(vehicleUse.table)}) + (select count(*) from packaging_consumption) as n`.execute(db)
  return Number(rows[0]!.n)
}
