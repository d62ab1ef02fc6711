import {
  facilityElectricity,
  packagingConsumption,
  recoveryBins,
  recoveryCollections,
  reusableAssets,
  shipmentStats,
  vehicleUse,
  vehicles,
} from '#app/domain/records/index.ts'

/**
 * How each table of the schema would live on a Citus cluster. Read by
 * tests/db/citus-schema.test.ts (which fails for a table missing here, or for
 * a key or foreign key Citus would refuse) and by scripts/citus-plan.ts (which
 * prints the statements). A new table must be added here, with its reason.
 *
 * - distributed: sharded by `column`; tables of one `colocation` group share
 *   shard placement, so joins and foreign keys on that column stay on one node.
 * - reference: small and read everywhere; one full copy on every node.
 * - local: stays on the coordinator (operational tables nobody joins with facts).
 */
export type CitusPlacement =
  | { kind: 'distributed'; column: string; colocation: 'outlet' | 'consumer' | 'partner' | 'code' | 'waybill'; why: string }
  | { kind: 'reference'; why: string }
  | { kind: 'local'; why: string }

const outletFact = (why: string): CitusPlacement => ({ kind: 'distributed', column: 'outlet_id', colocation: 'outlet', why })
const consumerFact = (why: string): CitusPlacement => ({ kind: 'distributed', column: 'consumer_id', colocation: 'consumer', why })

export const citusTables: Record<string, CitusPlacement> = {
  // Activity: one outlet's records, its results and rollups on one shard, so that
  // an import (always one outlet or one brand's outlets) and the recompute of an
  // outlet touch one node per outlet, and a report aggregates per shard in parallel.
  [shipmentStats.table]: outletFact('daily parcels per outlet: the largest fact table'),
  [packagingConsumption.table]: outletFact('packaging per outlet and period'),
  [recoveryBins.table]: outletFact('bin census per outlet'),
  [recoveryCollections.table]: outletFact('collections per outlet and day'),
  [reusableAssets.table]: outletFact('reusable assets per outlet and month'),
  [vehicles.table]: outletFact('an outlet’s fleet; its vehicles’ use joins it on (outlet_id, id)'),
  [vehicleUse.table]: outletFact('vehicle use per outlet and month'),
  [facilityElectricity.table]: outletFact('electricity per outlet and month'),
  emission_results: outletFact('one result per record and set version, keyed by outlet first (decision 031)'),
  outlet_month_rollups: outletFact('the reports’ rollup, per outlet and month'),
  outlet_month_mix: outletFact('the reports’ mix rollup, per outlet and month'),
  period_submissions: outletFact('month locks, read with every write of that outlet'),

  // Credits: a consumer's actions, ledger and redemptions on one shard, so that
  // an award (action + ledger entry + balance chain) is a single-shard transaction.
  credit_actions: consumerFact('awards per consumer'),
  credit_ledger: consumerFact('the points ledger, chained per consumer'),
  redemptions: consumerFact('redemptions per consumer'),
  // Reward codes are unique across consumers: their own table, sharded by the code (migration 0013).
  redemption_codes: { kind: 'distributed', column: 'code', colocation: 'code', why: 'global uniqueness of reward codes' },
  // One award per returned waybill whoever brings it (migration 0011): unique by the waybill alone, so sharded by it.
  credit_return_waybills: { kind: 'distributed', column: 'waybill_no', colocation: 'waybill', why: 'one award per waybill across consumers' },

  // The partner API's idempotency and replay guards are keyed by partner.
  partner_requests: { kind: 'distributed', column: 'partner_id', colocation: 'partner', why: 'idempotency keys are unique per partner' },
  partner_signatures: { kind: 'distributed', column: 'partner_id', colocation: 'partner', why: 'each signature once per partner' },
  partner_rate_slots: { kind: 'distributed', column: 'partner_id', colocation: 'partner', why: 'a partner’s rate-limit slots, taken in the same transaction as its request' },
  footprint_batches: { kind: 'distributed', column: 'partner_id', colocation: 'partner', why: 'a partner reads only its own footprint batches' },

  // Dimensions every shard joins with.
  regions: { kind: 'reference', why: 'about 3,200 administrative divisions' },
  brands: { kind: 'reference', why: 'tens of carriers' },
  outlets: { kind: 'reference', why: 'several hundred thousand rows, joined by every report for region and brand' },
  users: { kind: 'reference', why: 'referenced by every fact’s created_by' },
  memberships: { kind: 'reference', why: 'one row per user, read with every request' },
  packaging_items: { kind: 'reference', why: 'the packaging catalogue' },
  factor_sets: { kind: 'reference', why: 'a few versions a year' },
  emission_factors: { kind: 'reference', why: 'hundreds of factors per set' },
  factor_grid_regions: { kind: 'reference', why: 'province-to-grid mapping per set' },
  target_sets: { kind: 'reference', why: 'a few per year' },
  targets: { kind: 'reference', why: 'tens per set' },
  credit_rule_sets: { kind: 'reference', why: 'a few versions' },
  rewards: { kind: 'reference', why: 'the reward catalogue' },
  partners: { kind: 'reference', why: 'tens of partners' },
  partner_keys: { kind: 'reference', why: 'a few keys per partner' },
  // A consumer's profile is unique by phone hash, member code and user; Citus can
  // enforce those only on a table it does not shard.
  consumers: { kind: 'reference', why: 'unique by phone hash and member code, which a sharded table cannot enforce' },

  // Operational, on the coordinator.
  import_batches: { kind: 'local', why: 'one row per upload; a job table, not a fact' },
  import_jobs: { kind: 'local', why: 'the queue of import previews and commits' },
  sessions: { kind: 'local', why: 'sign-in sessions' },
  login_attempts: { kind: 'local', why: 'sign-in rate limiting' },
  audit_log: { kind: 'local', why: 'admin actions' },
  kysely_migration: { kind: 'local', why: 'the migrator’s bookkeeping' },
  kysely_migration_lock: { kind: 'local', why: 'the migrator’s lock' },
}

// --- the catalog, and what Citus would refuse in it ---

export interface CatalogTable {
  name: string
  /** column name → type name and nullability */
  columns: Record<string, { type: string; notNull: boolean }>
}
export interface CatalogUnique {
  table: string
  name: string
  /** null for an expression key, which never counts as the distribution column */
  columns: (string | null)[]
}
export interface CatalogForeignKey {
  table: string
  name: string
  columns: string[]
  references: string
  referencedColumns: string[]
}
export interface Catalog {
  tables: CatalogTable[]
  uniques: CatalogUnique[]
  foreignKeys: CatalogForeignKey[]
}

/** Every reason the schema would not distribute as classified, one sentence each; empty when ready. */
export function citusProblems(catalog: Catalog, placements: Record<string, CitusPlacement> = citusTables): string[] {
  const problems: string[] = []
  const byName = new Map(catalog.tables.map((t) => [t.name, t]))
  for (const table of catalog.tables) {
    if (!(table.name in placements)) problems.push(`${table.name}: not classified (add it to scripts/citus-tables.ts as distributed, reference or local)`)
  }
  for (const name of Object.keys(placements)) {
    if (!byName.has(name)) problems.push(`${name}: classified but not in the schema`)
  }
  const groupType = new Map<string, { type: string; table: string }>()
  for (const [name, placement] of Object.entries(placements)) {
    const table = byName.get(name)
    if (!table || placement.kind !== 'distributed') continue
    const column = table.columns[placement.column]
    if (!column) {
      problems.push(`${name}: distribution column ${placement.column} does not exist`)
      continue
    }
    if (!column.notNull) problems.push(`${name}.${placement.column}: a distribution column must be NOT NULL`)
    const seen = groupType.get(placement.colocation)
    if (!seen) groupType.set(placement.colocation, { type: column.type, table: name })
    else if (seen.type !== column.type) {
      problems.push(`${name}.${placement.column} is ${column.type} but ${seen.table} in the same co-location group is ${seen.type}`)
    }
  }
  for (const unique of catalog.uniques) {
    const placement = placements[unique.table]
    if (placement?.kind !== 'distributed') continue
    if (!unique.columns.includes(placement.column)) {
      problems.push(`${unique.table}: unique key ${unique.name} (${unique.columns.map((c) => c ?? '<expression>').join(', ')}) lacks the distribution column ${placement.column}`)
    }
  }
  for (const fk of catalog.foreignKeys) {
    const from = placements[fk.table]
    const to = placements[fk.references]
    if (!from || !to) continue
    const label = `${fk.table}: foreign key ${fk.name} (${fk.columns.join(', ')}) → ${fk.references} (${fk.referencedColumns.join(', ')})`
    if (from.kind === 'distributed' && to.kind === 'distributed') {
      if (from.colocation !== to.colocation) {
        problems.push(`${label} joins two distributed tables of different co-location groups (${from.colocation}, ${to.colocation})`)
        continue
      }
      const paired = fk.columns.some((c, i) => c === from.column && fk.referencedColumns[i] === to.column)
      if (!paired) problems.push(`${label} joins two distributed tables without the distribution column on both sides`)
    } else if (from.kind === 'distributed' && to.kind === 'local') {
      problems.push(`${label}: a distributed table cannot reference a coordinator-local table`)
    } else if (from.kind === 'reference' && to.kind !== 'reference') {
      problems.push(`${label}: a reference table can reference only reference tables`)
    } else if (from.kind === 'local' && to.kind === 'distributed') {
      problems.push(`${label}: a coordinator-local table cannot reference a distributed table`)
    }
  }
  return problems
}

interface Queryable {
  query<R>(text: string): Promise<R[]>
}

/** Reads the public schema's tables, unique keys and foreign keys from pg_catalog (PostgreSQL and PGlite alike). */
export async function readCatalog(db: Queryable): Promise<Catalog> {
  const columns = await db.query<{ table: string; column: string; type: string; not_null: boolean }>(`
    select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname, a.attnum`)
  const tables = new Map<string, CatalogTable>()
  for (const row of columns) {
    const table = tables.get(row.table) ?? { name: row.table, columns: {} }
    table.columns[row.column] = { type: row.type, notNull: row.not_null }
    tables.set(row.table, table)
  }
  // Unique indexes cover primary keys, unique constraints and partial unique indexes alike.
  const uniques = await db.query<{ table: string; name: string; columns: string }>(`
    select c.relname as table, ic.relname as name,
           string_agg(coalesce(a.attname, ''), ',' order by k.ord) as columns
    from pg_index i
    join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    join pg_class ic on ic.oid = i.indexrelid
    cross join lateral unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
    left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where n.nspname = 'public' and i.indisunique and c.relkind in ('r', 'p')
    group by c.relname, ic.relname
    order by 1, 2`)
  const foreignKeys = await db.query<{ table: string; name: string; columns: string; references: string; referenced_columns: string }>(`
    select c.relname as table, k.conname as name, r.relname as references,
           string_agg(a.attname, ',' order by x.ord) as columns,
           string_agg(ra.attname, ',' order by x.ord) as referenced_columns
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    join pg_class r on r.oid = k.confrelid
    cross join lateral unnest(k.conkey, k.confkey) with ordinality as x(attnum, refnum, ord)
    join pg_attribute a on a.attrelid = k.conrelid and a.attnum = x.attnum
    join pg_attribute ra on ra.attrelid = k.confrelid and ra.attnum = x.refnum
    where n.nspname = 'public' and k.contype = 'f'
    group by c.relname, k.conname, r.relname
    order by 1, 2`)
  return {
    tables: [...tables.values()],
    uniques: uniques.map((u) => ({ table: u.table, name: u.name, columns: u.columns.split(',').map((c) => (c === '' ? null : c)) })),
    foreignKeys: foreignKeys.map((f) => ({
      table: f.table,
      name: f.name,
      columns: f.columns.split(','),
      references: f.references,
      referencedColumns: f.referenced_columns.split(','),
    })),
  }
}

/**
 * The statements that distribute the schema, in an order Citus accepts:
 * reference tables before the tables that reference them, then each
 * co-location group's tables, parents before children, colocated with the
 * group's first table.
 */
export function citusStatements(catalog: Catalog, shardCount: number, placements: Record<string, CitusPlacement> = citusTables): string[] {
  const parents = new Map<string, Set<string>>()
  for (const fk of catalog.foreignKeys) {
    if (fk.table === fk.references) continue
    const set = parents.get(fk.table) ?? new Set<string>()
    set.add(fk.references)
    parents.set(fk.table, set)
  }
  const ordered: string[] = []
  const visiting = new Set<string>()
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return
    visiting.add(name)
    for (const parent of [...(parents.get(name) ?? [])].sort()) visit(parent)
    visiting.delete(name)
    ordered.push(name)
  }
  for (const name of Object.keys(placements).sort()) visit(name)

  const lines = [`set citus.shard_count = ${shardCount};`]
  for (const name of ordered) {
    if (placements[name]?.kind === 'reference') lines.push(`select create_reference_table('${name}');`)
  }
  for (const name of ordered) {
    if (placements[name]?.kind === 'local') lines.push(`select citus_add_local_table_to_metadata('${name}');`)
  }
  const firstOfGroup = new Map<string, string>()
  for (const name of ordered) {
    const placement = placements[name]
    if (placement?.kind !== 'distributed') continue
    const first = firstOfGroup.get(placement.colocation)
    if (!first) firstOfGroup.set(placement.colocation, name)
    lines.push(`select create_distributed_table('${name}', '${placement.column}', colocate_with => '${first ?? 'none'}');`)
  }
  return lines
}
