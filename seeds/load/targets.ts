import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import { loadTargetSets } from '#app/domain/metrics/targets.ts'
import type { Database } from '#db/schema.ts'
import { fieldsOfSet, insertTargets, insertTargetSet } from '#db/models/target-sets.ts'

/** Reads every `*.json` of a target folder (factors/targets) as the loader's input. */
export async function readTargetFiles(dir: string): Promise<{ name: string; text: string }[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort()
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(path.join(dir, name), 'utf8') })))
}

/**
 * Replaces the target sets with those of the files in `dir`. A file that does
 * not validate stops the seed with every error named (file, field, message
 * key): a policy target silently left out would make a report look compliant.
 */
export async function seedTargets(trx: Kysely<Database>, dir: string): Promise<{ sets: number; targets: number }> {
  const result = loadTargetSets(await readTargetFiles(dir))
  if (!result.ok) {
    const lines = result.errors.map((e) => `${e.file} ${e.field || '(file)'}: ${e.key} ${JSON.stringify(e.params)}`)
    throw new Error(`Target files in ${dir} do not validate:\n${lines.join('\n')}`)
  }
  await sql`truncate targets, target_sets restart identity cascade`.execute(trx)
  let targets = 0
  for (const set of result.sets) {
    const fields = fieldsOfSet(set)
    await insertTargetSet(trx, fields.set, 'file')
    await insertTargets(trx, set.id, fields.targets)
    targets += fields.targets.length
  }
  return { sets: result.sets.length, targets }
}
