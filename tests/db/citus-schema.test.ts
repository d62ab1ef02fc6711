import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citusProblems, citusStatements, citusTables, readCatalog, type Catalog } from '../../scripts/citus-tables.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

// The schema must stay distributable on Citus (scripts/citus-tables.ts): this reads the
// migrated schema's catalog, so a new table, key or foreign key is checked the
// day it is written, on both databases.

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t?.close())

const queryable = (db: Kysely<any>) => ({ query: async <R,>(text: string) => (await sql.raw<R>(text).execute(db)).rows })

describe('the schema is ready for Citus', () => {
  it('every table is classified, and no key or foreign key lacks its distribution column', async () => {
    const catalog = await readCatalog(queryable(t.db))
    expect(catalog.tables.length).toBeGreaterThan(30)
    expect(citusProblems(catalog)).toEqual([])
  })

  it('lists each table as distributed (with its column), reference or local', async () => {
    const catalog = await readCatalog(queryable(t.db))
    const listing = Object.fromEntries(
      catalog.tables.map((table) => {
        const p = citusTables[table.name]!
        return [table.name, p.kind === 'distributed' ? `distributed by ${p.column}` : p.kind]
      }),
    )
    expect(listing.shipment_stats).toBe('distributed by outlet_id')
    expect(listing.emission_results).toBe('distributed by outlet_id')
    expect(listing.credit_ledger).toBe('distributed by consumer_id')
    expect(listing.outlets).toBe('reference')
    expect(listing.sessions).toBe('local')
    console.log(Object.entries(listing).map(([name, kind]) => `${name.padEnd(24)} ${kind}`).join('\n'))
  })

  it('reads the keys Citus cares about from the catalog as they are', async () => {
    const catalog = await readCatalog(queryable(t.db))
    const live = catalog.uniques.find((u) => u.name === 'emission_results_live_key')
    expect(live?.columns).toEqual(['outlet_id', 'record_type', 'record_id', 'factor_set_version'])
    const ledgerToAction = catalog.foreignKeys.find((f) => f.table === 'credit_ledger' && f.references === 'credit_actions')
    expect(ledgerToAction).toMatchObject({ columns: ['consumer_id', 'action_id'], referencedColumns: ['consumer_id', 'id'] })
  })

  it('prints reference tables before the tables that reference them, and colocates each group with its first table', async () => {
    const statements = citusStatements(await readCatalog(queryable(t.db)), 64)
    const at = (text: string) => statements.findIndex((s) => s.includes(text))
    expect(statements[0]).toBe('set citus.shard_count = 64;')
    expect(at(`create_reference_table('regions')`)).toBeLessThan(at(`create_reference_table('outlets')`))
    expect(at(`create_reference_table('outlets')`)).toBeLessThan(at(`create_distributed_table('shipment_stats'`))
    expect(at(`create_distributed_table('vehicles', 'outlet_id'`)).toBeLessThan(at(`create_distributed_table('vehicle_use'`))
    expect(statements).toContain(`select create_distributed_table('credit_actions', 'consumer_id', colocate_with => 'none');`)
    expect(statements).toContain(`select create_distributed_table('credit_ledger', 'consumer_id', colocate_with => 'credit_actions');`)
  })
})

describe('the check fails for what Citus would refuse', () => {
  const columns = { id: { type: 'bigint', notNull: true }, outlet_id: { type: 'integer', notNull: true }, code: { type: 'text', notNull: false } }
  const base: Catalog = {
    tables: [
      { name: 'facts', columns },
      { name: 'details', columns },
      { name: 'dims', columns },
    ],
    uniques: [{ table: 'facts', name: 'facts_pkey', columns: ['outlet_id', 'id'] }],
    foreignKeys: [],
  }
  const placements = {
    facts: { kind: 'distributed', column: 'outlet_id', colocation: 'outlet', why: '' },
    details: { kind: 'distributed', column: 'outlet_id', colocation: 'outlet', why: '' },
    dims: { kind: 'reference', why: '' },
  } as const

  it('accepts a well-formed schema', () => {
    expect(citusProblems(base, placements)).toEqual([])
  })

  it('a primary key or unique index without the distribution column', () => {
    const catalog = { ...base, uniques: [...base.uniques, { table: 'facts', name: 'facts_code_key', columns: ['code'] }] }
    expect(citusProblems(catalog, placements)).toEqual(['facts: unique key facts_code_key (code) lacks the distribution column outlet_id'])
  })

  it('a foreign key between distributed tables that leaves out the distribution column', () => {
    const catalog = { ...base, foreignKeys: [{ table: 'details', name: 'details_fact_fkey', columns: ['id'], references: 'facts', referencedColumns: ['id'] }] }
    expect(citusProblems(catalog, placements)).toEqual([
      'details: foreign key details_fact_fkey (id) → facts (id) joins two distributed tables without the distribution column on both sides',
    ])
  })

  it('a reference table pointing at a distributed one', () => {
    const catalog = { ...base, foreignKeys: [{ table: 'dims', name: 'dims_fact_fkey', columns: ['outlet_id', 'id'], references: 'facts', referencedColumns: ['outlet_id', 'id'] }] }
    expect(citusProblems(catalog, placements)).toEqual([
      'dims: foreign key dims_fact_fkey (outlet_id, id) → facts (outlet_id, id): a reference table can reference only reference tables',
    ])
  })

  it('a table nobody classified', () => {
    const catalog = { ...base, tables: [...base.tables, { name: 'new_jobs', columns }] }
    expect(citusProblems(catalog, placements)).toEqual(['new_jobs: not classified (add it to scripts/citus-tables.ts as distributed, reference or local)'])
  })
})
