// Bring the configured database to the latest schema. Usage: npm run migrate
import { migrateToLatest } from '#db/migrate.ts'
import { describeLocation, openFromEnv } from '#app/utils/db.server.ts'
import { runCli } from './lib/cli.ts'

runCli(async () => {
  const handle = openFromEnv()
  try {
    const result = await migrateToLatest(handle.db)
    const names = (result.results ?? []).map((r) => r.migrationName)
    console.log(names.length ? `Migrated ${describeLocation()}: ${names.join(', ')}` : `${describeLocation()} is up to date.`)
  } finally {
    await handle.close()
  }
})
