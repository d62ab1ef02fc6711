import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Kysely } from 'kysely'
import { clusterTemplateDir, openDatabase, type DatabaseHandle } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import type { Database } from '#db/schema.ts'
import { isEmpty, seedDemoData } from '#seeds/load/demo.ts'
import { env } from './env.server.ts'

export interface BootInfo {
  kind: DatabaseHandle['kind']
  location: string
  migrationsRun: string[]
  seeded: boolean
}

interface Booted {
  handle: DatabaseHandle
  info: BootInfo
}

// One database per process, kept on globalThis so that dev-server reloads do
// not open a second PGlite on the same folder.
const holder = globalThis as typeof globalThis & { __greenparcelDb?: Promise<Booted> }

export const projectRoot = process.cwd()

/** The database the environment names: DATABASE_URL, else the embedded one in DATA_DIR. */
export function openFromEnv(): DatabaseHandle {
  const { DATABASE_URL, DATA_DIR } = env()
  if (DATABASE_URL) return openDatabase({ kind: 'postgres', url: DATABASE_URL })
  const dataDir = path.resolve(projectRoot, DATA_DIR)
  mkdirSync(dataDir, { recursive: true })
  // A new folder starts as a copy of the cluster `npm run build` made (db/client.ts).
  return openDatabase({ kind: 'pglite', dataDir, clusterTemplate: clusterTemplateDir(projectRoot) })
}

export function describeLocation(): string {
  const { DATABASE_URL, DATA_DIR } = env()
  return DATABASE_URL ? DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@') : path.resolve(projectRoot, DATA_DIR)
}

async function open(): Promise<Booted> {
  const handle = openFromEnv()
  const result = await migrateToLatest(handle.db)
  // The embedded database is the newcomer's: it arrives with demo data. A real
  // server is never seeded behind the operator's back (`npm run seed` does it).
  let seeded = false
  if (handle.kind === 'pglite' && (await isEmpty(handle.db))) {
    await seedDemoData(handle.db, path.join(projectRoot, 'seeds'))
    seeded = true
  }
  const location = describeLocation()
  return {
    handle,
    info: { kind: handle.kind, location, migrationsRun: (result.results ?? []).map((r) => r.migrationName), seeded },
  }
}

export function boot(): Promise<BootInfo> {
  holder.__greenparcelDb ??= open()
  return holder.__greenparcelDb.then((b) => b.info)
}

export async function getDb(): Promise<Kysely<Database>> {
  holder.__greenparcelDb ??= open()
  return (await holder.__greenparcelDb).handle.db
}

/** Which database this process runs on: the embedded one has a single connection. */
export async function getDbKind(): Promise<DatabaseHandle['kind']> {
  holder.__greenparcelDb ??= open()
  return (await holder.__greenparcelDb).handle.kind
}
