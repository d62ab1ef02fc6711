import { randomBytes } from 'node:crypto'
import postgres from 'postgres'

/** Where scripts and tests find a PostgreSQL server when nothing names one. */
export const localServerUrl = 'postgres://postgres@127.0.0.1:5432/postgres'

/** A database made on a PostgreSQL server for one run of a script or one test file. */
export interface ThrowawayDatabase {
  name: string
  /** The server's connection string with the new database's name. */
  url: string
  /** Drops the database, closing any connection still open on it. */
  drop(): Promise<void>
}

/**
 * Makes a database on the server `serverUrl` points at: under `name` exactly
 * (a benchmark's fixed database, replaced if a run before left it), or under
 * `{ prefix }` and random hex, so that runs side by side never meet.
 */
export async function createThrowawayDatabase(serverUrl: string, name: string | { prefix: string }): Promise<ThrowawayDatabase> {
  const fixed = typeof name === 'string'
  const dbName = fixed ? name : `${name.prefix}${randomBytes(5).toString('hex')}`
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`database name "${dbName}": lower-case letters, digits and _ only`)
  const onServer = async (statement: string) => {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
    try {
      await admin.unsafe(statement)
    } finally {
      await admin.end()
    }
  }
  if (fixed) await onServer(`drop database if exists ${dbName} with (force)`)
  await onServer(`create database ${dbName}`)
  const url = new URL(serverUrl)
  url.pathname = `/${dbName}`
  return { name: dbName, url: url.toString(), drop: () => onServer(`drop database if exists ${dbName} with (force)`) }
}
