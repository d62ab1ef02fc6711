import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadTargetSets, type TargetSet } from '#app/domain/metrics/targets.ts'

const directory = join(process.cwd(), 'factors/targets')

/** The target set files shipped in factors/targets, read as a server would. */
export function shippedTargetFiles() {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(directory, name), 'utf8') }))
}

export function shippedTargetSets(): TargetSet[] {
  const result = loadTargetSets(shippedTargetFiles())
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2))
  return result.sets
}
