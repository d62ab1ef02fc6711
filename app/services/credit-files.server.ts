import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { RuleFile } from './credit-rules.server.ts'

// Files on disk the credits area reads: kept apart from the database
// context so that the demo seed can use them without importing the app's
// database holder. (Emission factor sets come from the database.)

/** Every credit rule file (factors/credit-rules/*.json) as text with its name. */
export async function readCreditRuleFiles(root = path.join(process.cwd(), 'factors', 'credit-rules')): Promise<RuleFile[]> {
  const names = (await readdir(root)).filter((name) => name.endsWith('.json')).sort()
  return Promise.all(names.map(async (name) => ({ fileName: name, text: await readFile(path.join(root, name), 'utf8') })))
}
