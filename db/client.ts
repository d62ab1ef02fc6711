import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import postgres from 'postgres'
import { PreparedPostgresJSDialect } from './postgres-dialect.ts'
import type { Database } from './schema.ts'
import { bulkWorkMemSetting } from './settings.ts'

export type DatabaseKind = 'postgres' | 'pglite'

export interface DatabaseHandle {
  db: Kysely<Database>
  kind: DatabaseKind
  close(): Promise<void>
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; maxConnections?: number }
  /**
   * dataDir undefined means an in-memory database (tests). clusterTemplate: a new
   * data folder starts as a copy of this cluster when it holds one (clusterTemplateDir).
   */
  | { kind: 'pglite'; dataDir?: string; clusterTemplate?: string }

// Both drivers must hand back the same JavaScript shapes, so that one set of
// queries serves both: int8 and numeric as strings (exact, never floats) and
// `date` as the plain 'YYYY-MM-DD' string (no time-zone shift).
const OID_INT8 = 20
const OID_NUMERIC = 1700
const OID_DATE = 1082
const asText = (value: string) => value

export function openDatabase(config: DatabaseConfig): DatabaseHandle {
  if (config.kind === 'postgres') {
    const sql = postgres(config.url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      types: {
        date: { to: OID_DATE, from: [OID_DATE], serialize: (v: string) => v, parse: asText },
      },
    })
    const db = new Kysely<Database>({ dialect: new PreparedPostgresJSDialect(sql) })
    return { db, kind: 'postgres', close: () => db.destroy() }
  }
  if (config.dataDir !== undefined) prepareCluster(config.dataDir, config.clusterTemplate)
  // Options go in the one-argument form: PGlite(undefined, options) ignores them,
  // which would give in-memory databases other types than on-disk ones.
  const pglite = new PGlite({
    dataDir: config.dataDir,
    // An in-memory database (tests) keeps its data files in memory too: pages evicted from
    // small buffers would only be copied within the process, so it keeps PGlite's defaults.
    ...(config.dataDir === undefined
      ? {}
      : { startParams: pgliteStartParams() }),
    parsers: { [OID_INT8]: asText, [OID_NUMERIC]: asText, [OID_DATE]: asText },
  })
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  return { db, kind: 'pglite', close: () => db.destroy() }
}

/**
 * The embedded database lives inside this process's memory (docs/decisions/
 * 082-embedded-memory.md), so its server settings are sized for a 300 MB
 * process, not for a server of its own: PostgreSQL touches all of
 * shared_buffers at start, so the default would spend much of the budget
 * before any query (figures in decision 082). The demo data and a million-row import fit in a few thousand pages;
 * the operating system's page cache holds the rest of the data folder.
 */
export const pgliteSettings: readonly (readonly [string, string])[] = [
  ['shared_buffers', '16MB'],
  ['wal_buffers', '1MB'],
  // per sort or hash: the import's and the recompute's statements run one at a time
  ['work_mem', '4MB'],
  ['maintenance_work_mem', '16MB'],
  // the recompute's and the import's temporary tables
  ['temp_buffers', '8MB'],
  // What a bulk statement (a large import's rollups) may raise work_mem to: on a server it
  // takes more to hash instead of sort, but here WebAssembly memory, once grown, is never
  // given back to the system, so the embedded database keeps its own work_mem (raiseWorkMemForBulk in rollups.ts).
  [bulkWorkMemSetting, '4MB'],
]

/** PGlite's start parameters with the settings above: how the app starts an on-disk embedded database. */
export function pgliteStartParams(): string[] {
  return [...PGlite.defaultStartParams, ...pgliteSettings.flatMap(([name, value]) => ['-c', `${name}=${value}`])]
}

/**
 * A new data folder's cluster is made by PGlite's initdb, which runs two more
 * WebAssembly instances beside the database's own, one holding a copy of
 * another's whole memory, far past the budget (decision 082). So the cluster
 * is made once, by `npm run build` (makeClusterTemplate), and a new data
 * folder starts as a plain copy of it: the app process never runs initdb.
 * Without a template (the development server, scripts run before any build)
 * a short-lived process of its own makes the cluster instead, and this one
 * then opens an existing folder. Blocking is fine: it happens once, at boot.
 */
function prepareCluster(dataDir: string, template: string | undefined): void {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return
  if (template !== undefined && existsSync(path.join(template, 'PG_VERSION'))) {
    // PG_VERSION last: it is what marks a folder as holding a cluster, so a copy cut short is redone.
    cpSync(template, dataDir, { recursive: true, filter: (source) => source !== path.join(template, 'PG_VERSION') })
    copyFileSync(path.join(template, 'PG_VERSION'), path.join(dataDir, 'PG_VERSION'))
    return
  }
  createClusterApart(dataDir)
}

/**
 * Where `npm run build` leaves the cluster template: named after the PGlite
 * release, whose PostgreSQL must be the one that made the cluster. Not in
 * build/, which the Remix build empties: the template outlives builds.
 */
export function clusterTemplateDir(projectRoot: string): string {
  return path.join(projectRoot, '.cache', `pglite-cluster-${pgliteVersion()}`)
}

function pgliteVersion(): string {
  // The package's main file is dist/index.*; its package.json is one folder up.
  const main = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as { version: string }
  return manifest.version
}

/** Makes the cluster template once (a process of its own: initdb's memory is returned with it). */
export function makeClusterTemplate(projectRoot: string): string {
  const template = clusterTemplateDir(projectRoot)
  if (existsSync(path.join(template, 'PG_VERSION'))) return template
  const partial = `${template}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(path.dirname(template), { recursive: true })
  createClusterApart(partial)
  rmSync(template, { recursive: true, force: true })
  renameSync(partial, template)
  return template
}

function createClusterApart(dataDir: string): void {
  const pgliteUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href
  const script = `const { PGlite } = await import(${JSON.stringify(pgliteUrl)}); const pg = new PGlite(${JSON.stringify({ dataDir })}); await pg.waitReady; await pg.close()`
  const made = spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (made.status !== 0) {
    throw new Error(`无法创建内置数据库 ${dataDir} / Could not create the embedded database in ${dataDir}: ${made.stderr || made.error?.message || `exit ${made.status}`}`)
  }
}
