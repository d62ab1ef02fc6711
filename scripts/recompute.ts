// Recompute the stored emission results on demand.
//
//   npx tsx scripts/recompute.ts [--version <the set in force>] [--outlet SF-410105-01] [--from 2024-01]
//
// Default: every current activity record with the published set in force.
// Open months get the new result as current (the old one superseded); a
// submitted (locked) month keeps its result and gains a restatement beside it.
// Prints how many records were examined, how many results changed, and the
// speed; then the rollups of the changed outlet-months are refreshed.
import postgres from 'postgres'
import { translate } from '#app/i18n/index.ts'
import { recomputeEmissions, type RecomputeOptions } from '#app/services/emissions.server.ts'
import { describeLocation, openFromEnv } from '#app/utils/db.server.ts'
import { env } from '#app/utils/env.server.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { copyResults } from '#db/models/emission-results.ts'
import { runCli } from './lib/cli.ts'
import { rerunWithLargerYoungGeneration } from './lib/young-generation.ts'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return undefined
  const value = process.argv[i + 1]
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} 需要一个值 / --${name} needs a value`)
  return value
}

if (!rerunWithLargerYoungGeneration()) runCli(async () => {
  const options: RecomputeOptions = {}
  const version = arg('version')
  if (version !== undefined) options.version = version
  const from = arg('from')
  if (from !== undefined) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(from)) throw new Error(`--from 须为 YYYY-MM，例如 2024-01 / --from must be YYYY-MM, e.g. 2024-01 (got "${from}")`)
    options.fromMonth = `${from}-01`
  }
  const handle = openFromEnv()
  // COPY needs a postgres.js instance of its own; the embedded database writes with INSERT.
  const url = env().DATABASE_URL
  const pg = url ? postgres(url, { max: 1, onnotice: () => {} }) : null
  if (pg) {
    options.bulkWriter = (type, v, rows) => copyResults(pg, type, v, rows)
    // two connections side by side, one per core of the machines it is run on (README)
    options.parallel = 2
  }
  try {
    await migrateToLatest(handle.db)
    const outletCode = arg('outlet')
    if (outletCode !== undefined) {
      const outlet = await handle.db.selectFrom('outlets').select('id').where('code', '=', outletCode).executeTakeFirst()
      if (!outlet) throw new Error(`找不到网点 ${outletCode} / There is no outlet ${outletCode}`)
      options.outletId = outlet.id
    }
    let last = 0
    options.onProgress = (s) => {
      if (performance.now() - last < 5000) return
      last = performance.now()
      console.log(`  … ${s.examined.toLocaleString('en')} records, ${s.recordsPerSecond.toLocaleString('en')}/s`)
    }
    console.log(`重新计算排放 Recomputing emissions in ${describeLocation()}`)
    const result = await recomputeEmissions(handle.db, options)
    if (!result.ok) throw new Error(`${translate('zh-CN', result.error.key, result.error.params)} / ${translate('en', result.error.key, result.error.params)}`)
    const s = result.summary
    const n = (v: number) => v.toLocaleString('en')
    console.log(`因子集 Factor set:               ${s.factorSetVersion}`)
    console.log(`检查记录 Records examined:        ${n(s.examined)}`)
    console.log(`结果变化 Results changed:         ${n(s.changed)}  (written ${n(s.written)}, superseded ${n(s.superseded)}, restatements ${n(s.restatements)}, unchanged ${n(s.unchanged)})`)
    console.log(`无法计算 Records not costed:      ${n(s.failed)}`)
    for (const [key, count] of Object.entries(s.failuresByKey)) console.log(`    ${n(count)} × ${key}`)
    for (const f of s.failureSamples.slice(0, 5)) {
      console.log(`    ${f.recordType} ${f.recordId}: ${translate('en', f.error.key, f.error.params)}`)
    }
    console.log(`汇总刷新 Outlet-months refreshed: ${n(s.outletMonthsRefreshed)}`)
    console.log(`用时 Time:                        ${s.seconds.toFixed(1)} s → ${n(s.recordsPerSecond)} records/s`)
  } finally {
    await pg?.end()
    await handle.close()
  }
})
