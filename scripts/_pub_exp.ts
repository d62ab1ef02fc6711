import path from 'node:path'
import { sql } from 'kysely'
import { openDatabase } from '#db/client.ts'
import { importFactorSet, publishFactorSet } from '#app/services/factor-sets.server.ts'
import { readFactorSetFiles } from './lib/factor-files.ts'
import { backendCpuSeconds } from './lib/pg-cpu.ts'

const version = process.argv[2]!
const parallel = Number(process.argv[3] ?? 2)
const handle = openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/gp_bench_recompute', maxConnections: 8 })
const db = handle.db
const files = await readFactorSetFiles(path.resolve('factors/emission/2026.1'))
const meta = JSON.parse(files.setJson.text) as Record<string, unknown>
Object.assign(meta, { version, status: 'draft', contentSha256: null })
const v = (Math.random() * 0.01 + 0.54).toFixed(4)
const draft = await importFactorSet(db, {
  setJson: { name: 'bench/set.json', text: JSON.stringify(meta) },
  factorsCsv: { name: 'bench/factors.csv', text: files.factorsCsv.text.replace('grid.central.2022,electricity:grid,generation,0.5395,', `grid.central.2022,electricity:grid,generation,${v},`) },
  gridRegionsCsv: { name: 'bench/grid-regions.csv', text: files.gridRegionsCsv.text },
}, { actor: null, as: 'draft', now: new Date() })
if (!draft.ok) throw new Error('draft')
const cpu0 = backendCpuSeconds('gp_bench_recompute')
const t = performance.now()
const r = await publishFactorSet(db, null, version, { now: new Date(), skipRollups: true, parallel })
const s = (performance.now() - t) / 1000
const cpu = backendCpuSeconds('gp_bench_recompute') - cpu0
console.log(version, r.ok, r.ok && JSON.stringify({ e: r.summary?.examined, w: r.summary?.written, c: r.summary?.changed, r: r.summary?.restatements }), `${s.toFixed(1)} s`, Math.round(1_080_000 / s), 'rec/s', `pg cpu ${cpu.toFixed(1)} s`, Math.round(1_080_000 / cpu), 'rec/cpu-s')
await handle.close()
