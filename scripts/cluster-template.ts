// The embedded database's cluster, made once at build time (`npm run build`):
// a new data folder starts as a copy of it, so the app never runs PGlite's
// initdb (db/client.ts, docs/decisions/082-embedded-memory.md).
import { performance } from 'node:perf_hooks'
import { makeClusterTemplate } from '#db/client.ts'
import { runCli } from './lib/cli.ts'

runCli(async () => {
  const started = performance.now()
  const template = makeClusterTemplate(process.cwd())
  console.log(`内置数据库模板 Embedded database template: ${template} (${Math.round(performance.now() - started)} ms)`)
})
