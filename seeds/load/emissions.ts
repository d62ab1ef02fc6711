import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import Papa from 'papaparse'
import { z } from 'zod'
import type { FactorSetFiles } from '#app/domain/factors/types.ts'
import { recomputeEmissions } from '#app/services/emissions.server.ts'
import { importFactorSet } from '#app/services/factor-sets.server.ts'
import type { Database } from '#db/schema.ts'

export interface EmissionSeedSummary {
  packagingItems: number
  factorSets: string[]
}

/**
 * The packaging catalog (seeds/packaging-items.csv) and every factor set in
 * factors/emission/<version>/, validated by the factor loader: a broken file
 * stops the seed with the loader's messages (file, row, field). Sets are
 * stored with the status their set.json gives; publishing one recomputes any
 * activity already stored.
 *
 * Paths come from `seedsDir` (the factors folder is its sibling), never from
 * this module's location, so the same code runs from the server bundle.
 */
export async function seedEmissions(trx: Kysely<Database>, seedsDir: string): Promise<EmissionSeedSummary> {
  const packagingItems = await seedPackagingItems(trx, seedsDir)
  // TRUNCATE fires no row triggers: a reseed may clear published sets, nothing else may.
  await sql`truncate emission_results, factor_grid_regions, emission_factors, factor_sets`.execute(trx)
  const repoRoot = path.resolve(seedsDir, '..')
  const factorRoot = path.join(repoRoot, 'factors', 'emission')
  const versions = (await readdir(factorRoot, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && /^\d{4}\.\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => {
      const [ay, an] = a.split('.').map(Number) as [number, number]
      const [by, bn] = b.split('.').map(Number) as [number, number]
      return ay - by || an - bn
    })
  const now = new Date()
  for (const version of versions) {
    const files = await readSetFolder(repoRoot, path.join(factorRoot, version))
    const result = await importFactorSet(trx, files, { actor: null, as: 'file', now })
    if (!result.ok) throw new Error(`Factor set ${version} refused:\n${result.errors.map(String).join('\n')}`)
  }
  return { packagingItems, factorSets: versions }
}

async function readSetFolder(repoRoot: string, dir: string): Promise<FactorSetFiles> {
  const read = async (name: string) => {
    const full = path.join(dir, name)
    return { name: path.relative(repoRoot, full), text: await readFile(full, 'utf8') }
  }
  const [setJson, factorsCsv, gridRegionsCsv] = await Promise.all([read('set.json'), read('factors.csv'), read('grid-regions.csv')])
  return { setJson, factorsCsv, gridRegionsCsv }
}

const bool = z.enum(['true', 'false']).transform((v) => v === 'true')
const optionalBool = z.union([z.literal('').transform(() => null), bool])
const optionalInt = z.union([z.literal('').transform(() => null), z.string().regex(/^[1-9]\d*$/, 'a whole number above 0').transform(Number)])

const itemSchema = z.object({
  code: z.string().regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and _'),
  name_zh: z.string().min(1),
  name_en: z.string().min(1),
  category: z.enum(['box', 'bag', 'envelope', 'tape', 'filler', 'waybill', 'transit_bag', 'other']),
  material: z.string().regex(/^material:[a-z0-9_]+$/, 'a factor quantity like material:corrugated_virgin'),
  unit_mass_kg: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal number of kilograms').refine((v) => Number(v) > 0, 'more than 0'),
  outer_length_mm: optionalInt,
  outer_width_mm: optionalInt,
  outer_height_mm: optionalInt,
  fits_base_module: optionalBool,
  tape_width_mm: optionalInt,
  meets_gb_t_16606: bool,
  meets_gb_43352: bool,
  plastic: bool,
  degradable: bool,
  reusable: bool,
  design_life_uses: optionalInt,
  source: z.string().min(1, 'say where the unit mass comes from, or why it is an estimate'),
})

/** Upsert by code, so item ids (referenced by packaging records) stay stable across reseeds. */
async function seedPackagingItems(trx: Kysely<Database>, seedsDir: string): Promise<number> {
  const file = 'packaging-items.csv'
  const text = await readFile(path.join(seedsDir, file), 'utf8')
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true })
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!
    throw new Error(`seeds/${file} row ${(first.row ?? 0) + 2}: ${first.message}`)
  }
  const rows = parsed.data.map((raw, i) => {
    const result = itemSchema.safeParse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.trim(), (v ?? '').trim()])))
    if (!result.success) {
      const issue = result.error.issues[0]!
      throw new Error(`seeds/${file} row ${i + 2} [${issue.path.join('.')}]: ${issue.message}`)
    }
    const r = result.data
    if (r.reusable !== (r.design_life_uses !== null)) {
      throw new Error(`seeds/${file} row ${i + 2} [design_life_uses]: a reusable item needs its design life in uses, a single-use item none`)
    }
    return r
  })
  for (const r of rows) {
    await trx
      .insertInto('packaging_items')
      .values(r)
      .onConflict((oc) => oc.column('code').doUpdateSet(r))
      .execute()
  }
  return rows.length
}

/**
 * Cost the demo activity seeded after the factor sets, and refresh the
 * rollups of the outlet-months whose results it stored. Call it after the
 * activity seed.
 */
export async function costSeededActivity(trx: Kysely<Database>): Promise<number> {
  const result = await recomputeEmissions(trx)
  if (!result.ok) throw new Error(`Costing the demo activity failed: ${result.error.key}`)
  return result.summary.written
}
