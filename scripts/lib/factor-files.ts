import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { loadFactorSet, type LoadFactorSetResult } from '#app/domain/factors/load.ts'
import type { FactorSetFiles } from '#app/domain/factors/types.ts'

/** Where the factor sets live, relative to the repository root. */
export const EMISSION_FACTOR_ROOT = path.resolve(import.meta.dirname, '../../factors/emission')

/**
 * Read the three files of one set folder (factors/emission/<version>/). File
 * names in errors are given relative to the repository root so that a
 * message points at the file to open.
 */
export async function readFactorSetFiles(dir: string): Promise<FactorSetFiles> {
  const repoRoot = path.resolve(import.meta.dirname, '../..')
  const read = async (name: string) => {
    const full = path.join(dir, name)
    return { name: path.relative(repoRoot, full), text: await readFile(full, 'utf8') }
  }
  const [setJson, factorsCsv, gridRegionsCsv] = await Promise.all([
    read('set.json'),
    read('factors.csv'),
    read('grid-regions.csv'),
  ])
  return { setJson, factorsCsv, gridRegionsCsv }
}

/** Versions present on disk, oldest first (folder names like 2026.1). */
export async function listFactorSetVersions(root = EMISSION_FACTOR_ROOT): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true })
  return entries
    .filter((e) => e.isDirectory() && /^\d{4}\.\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => {
      const [ay, an] = a.split('.').map(Number) as [number, number]
      const [by, bn] = b.split('.').map(Number) as [number, number]
      return ay - by || an - bn
    })
}

export async function loadFactorSetFromDisk(
  version: string,
  root = EMISSION_FACTOR_ROOT,
): Promise<LoadFactorSetResult> {
  return loadFactorSet(await readFactorSetFiles(path.join(root, version)))
}
