// Prints the Citus statements that distribute GreenParcel's schema
// (the plan in scripts/citus-tables.ts): reference tables, coordinator-local tables, and each
// co-location group's distributed tables. The schema is the migrations' own:
// an in-memory embedded database is migrated and its catalog read, and the
// script refuses to print a plan the catalog check (scripts/citus-tables.ts) rejects.
//
// Usage: npx tsx scripts/citus-plan.ts [--shards 128]
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { citusProblems, citusStatements, citusTables, readCatalog } from './citus-tables.ts'
import { runCli } from './lib/cli.ts'

const { values: opts } = parseArgs({ options: { shards: { type: 'string', default: '128' } } })

runCli(async () => {
  const shards = Number(opts.shards)
  if (!Number.isInteger(shards) || shards < 1 || shards > 4096) throw new Error('--shards must be a whole number from 1 to 4096')
  const handle = openDatabase({ kind: 'pglite' })
  try {
    await migrateToLatest(handle.db)
    const catalog = await readCatalog({ query: async <R,>(text: string) => (await sql.raw<R>(text).execute(handle.db)).rows })
    const problems = citusProblems(catalog)
    if (problems.length > 0) throw new Error(`the schema is not ready for Citus:\n  ${problems.join('\n  ')}`)
    console.log('-- GreenParcel on Citus: run on the coordinator after `npm run migrate`, with the citus extension created.')
    for (const [kind, label] of [['distributed', 'distributed'], ['reference', 'reference'], ['local', 'coordinator-local']] as const) {
      const names = Object.entries(citusTables).filter(([, p]) => p.kind === kind)
      console.log(`-- ${label} (${names.length}): ${names.map(([n, p]) => (p.kind === 'distributed' ? `${n}(${p.column})` : n)).join(', ')}`)
    }
    for (const line of citusStatements(catalog, shards)) console.log(line)
  } finally {
    await handle.close()
  }
})
