// Emission factor sets in the database.
//
//   npx tsx scripts/factors.ts list
//   npx tsx scripts/factors.ts import <dir> [--draft]   dir: one set folder (with set.json) or a folder of them
//   npx tsx scripts/factors.ts publish <version>         draft → published, recomputes every stored result
//   npx tsx scripts/factors.ts retire <version>
//
// import validates every file first (errors name file, row and field) and
// stores each set with the status its set.json gives (published sets are
// published, which recomputes), or as a draft with --draft.
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { translate, type Message } from '#app/i18n/index.ts'
import { importFactorSet, publishConnections, publishFactorSet, retireFactorSet } from '#app/services/factor-sets.server.ts'
import type { RecomputeSummary } from '#app/services/emissions.server.ts'
import { describeLocation, openFromEnv } from '#app/utils/db.server.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { listFactorSets } from '#db/models/factor-sets.ts'
import { readFactorSetFiles } from './lib/factor-files.ts'
import { runCli } from './lib/cli.ts'

const usage = 'Usage: npx tsx scripts/factors.ts list | import <dir> [--draft] | publish <version> | retire <version>'

function say(message: Message): string {
  return `${translate('zh-CN', message.key, message.params)} / ${translate('en', message.key, message.params)}`
}

function printRecompute(s: RecomputeSummary | null) {
  if (!s) return
  console.log(`  recomputed with ${s.factorSetVersion}: ${s.examined.toLocaleString('en')} records examined, ${s.changed.toLocaleString('en')} results changed, ` +
    `${s.superseded.toLocaleString('en')} superseded, ${s.restatements.toLocaleString('en')} restatements, ${s.failed.toLocaleString('en')} not costed ` +
    `(${s.seconds.toFixed(1)} s, ${s.recordsPerSecond.toLocaleString('en')} records/s)`)
}

/** One set folder, or every version folder inside dir, oldest first. */
async function setFolders(dir: string): Promise<string[]> {
  if (existsSync(path.join(dir, 'set.json'))) return [dir]
  const entries = await readdir(dir, { withFileTypes: true })
  const versions = entries.filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'set.json'))).map((e) => e.name)
  versions.sort((a, b) => {
    const [ay, an] = a.split('.').map(Number) as [number, number]
    const [by, bn] = b.split('.').map(Number) as [number, number]
    return ay - by || an - bn
  })
  if (versions.length === 0) throw new Error(`${dir} 中没有 set.json / ${dir} holds no set.json (nor folders with one)`)
  return versions.map((v) => path.join(dir, v))
}

runCli(async () => {
  const [command, target] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  if (!command) throw new Error(usage)
  const handle = openFromEnv()
  const now = new Date()
  try {
    await migrateToLatest(handle.db)
    if (command === 'list') {
      const sets = await listFactorSets(handle.db)
      if (sets.length === 0) console.log(`${describeLocation()}: 没有因子集 / no factor sets`)
      for (const s of sets) {
        console.log(`${s.version.padEnd(9)} ${s.status.padEnd(10)} ${s.releaseDate} ${String(s.factorCount).padStart(4)} factors  sha256 ${s.contentSha256}`)
      }
    } else if (command === 'import') {
      if (!target) throw new Error(usage)
      for (const folder of await setFolders(path.resolve(target))) {
        const files = await readFactorSetFiles(folder)
        const result = await importFactorSet(handle.db, files, { actor: null, as: process.argv.includes('--draft') ? 'draft' : 'file', now })
        if (!result.ok) {
          for (const error of result.errors) console.error(String(error))
          throw new Error(`${path.relative(process.cwd(), folder)}: 因子集未导入 / factor set not imported (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'})`)
        }
        console.log(`${result.version}: ${result.unchanged ? 'unchanged, already stored' : `stored as ${result.status}`} (sha256 ${result.contentSha256})`)
        printRecompute(result.recompute)
      }
    } else if (command === 'publish') {
      if (!target) throw new Error(usage)
      const result = await publishFactorSet(handle.db, null, target, { now, parallel: publishConnections(handle.kind) })
      if (!result.ok) throw new Error(say(result.error))
      console.log(`${target}: published`)
      printRecompute(result.summary)
    } else if (command === 'retire') {
      if (!target) throw new Error(usage)
      const result = await retireFactorSet(handle.db, null, target, { now })
      if (!result.ok) throw new Error(say(result.error))
      console.log(`${target}: retired`)
    } else {
      throw new Error(usage)
    }
  } finally {
    await handle.close()
  }
})
