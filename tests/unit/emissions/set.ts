import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { loadFactorSetFromDisk } from '../../../scripts/lib/factor-files.ts'

/** The first published set, as shipped: the hand-computed figures below use its values. */
export async function publishedSet(): Promise<FactorSet> {
  const result = await loadFactorSetFromDisk('2026.1')
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  return result.set
}
