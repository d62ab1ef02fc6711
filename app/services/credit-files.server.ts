import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { loadFactorSet } from '#app/domain/factors/load.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import type { RuleFile } from './credits.server.ts'

// Files on disk the credits area reads: kept apart from the database
// context so that the demo seed can use them without importing the app's
// database holder.

/**
 * Interim source of the emission factor set for credits: the newest
 * published set in factors/emission/, read from disk once per process.
 * To be replaced by the database-backed factor-set service
 * (app/services/factor-sets.server.ts) when it lands; callers only see
 * `FactorSet`, so the swap is local to this file.
 */
export async function readPublishedFactorSet(root = path.join(process.cwd(), 'factors', 'emission')): Promise<FactorSet> {
  const versions = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && /^\d{4}\.\d+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => {
      const [ay, an] = a.split('.').map(Number) as [number, number]
      const [by, bn] = b.split('.').map(Number) as [number, number]
      return by - ay || bn - an
    })
  for (const version of versions) {
    const dir = path.join(root, version)
    const read = async (name: string) => ({ name: path.join('factors', 'emission', version, name), text: await readFile(path.join(dir, name), 'utf8') })
    const [setJson, factorsCsv, gridRegionsCsv] = await Promise.all([read('set.json'), read('factors.csv'), read('grid-regions.csv')])
    const loaded = loadFactorSet({ setJson, factorsCsv, gridRegionsCsv })
    if (!loaded.ok) {
      throw new Error(`Emission factor set ${version} does not load: ${JSON.stringify(loaded.errors.slice(0, 5))}`)
    }
    if (loaded.set.meta.status === 'published') return loaded.set
  }
  throw new Error(`No published emission factor set under ${root}`)
}

/** Every credit rule file (factors/credit-rules/*.json) as text with its name. */
export async function readCreditRuleFiles(root = path.join(process.cwd(), 'factors', 'credit-rules')): Promise<RuleFile[]> {
  const names = (await readdir(root)).filter((name) => name.endsWith('.json')).sort()
  return Promise.all(names.map(async (name) => ({ fileName: name, text: await readFile(path.join(root, name), 'utf8') })))
}
