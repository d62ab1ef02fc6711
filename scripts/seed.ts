// Reload the demo data (regions, brands, outlets, sign-ins) into the configured
// database, replacing everything in it. Usage: npm run seed [-- --yes]
import path from 'node:path'
import { migrateToLatest } from '#db/migrate.ts'
import { seedDemoData } from '#seeds/load/demo.ts'
import { describeLocation, openFromEnv, projectRoot } from '#app/utils/db.server.ts'
import { runCli } from './lib/cli.ts'

runCli(async () => {
  const handle = openFromEnv()
  if (handle.kind === 'postgres' && !process.argv.includes('--yes')) {
    throw new Error(`这会清空 ${describeLocation()} 中的全部数据。确认请加 --yes。 / This replaces all data in ${describeLocation()}; add --yes to confirm.`)
  }
  try {
    await migrateToLatest(handle.db)
    const started = performance.now()
    const summary = await seedDemoData(handle.db, path.join(projectRoot, 'seeds'))
    console.log(
      `已载入演示数据 Demo data loaded into ${describeLocation()}: ${summary.regions} regions, ${summary.brands} brands, ` +
        `${summary.outlets} outlets, ${summary.users} users in ${Math.round(performance.now() - started)} ms`,
    )
  } finally {
    await handle.close()
  }
})
