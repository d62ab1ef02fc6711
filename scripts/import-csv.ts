// Import a CSV file of activity records for a brand: the nightly batch of a
// courier's head office. The same decoding, validation, duplicate checks,
// costing and one-transaction commit as the web upload.
//
//   npx tsx scripts/import-csv.ts --type shipment_stats --brand sf [--as username] [--replace] [--reason "…"] [--dry-run] [--lang zh-CN|en] file.csv
//
// --type     record type: one of recordCodes (app/domain/activity/definitions.ts); a wrong one lists them
// --brand    brand code; rows for outlets of other brands are rejected
// --as       the user the import is recorded under (a brand admin of the brand, one of its outlet
//            operators, or an admin); default: the brand's first brand admin
// --replace  rows whose key is stored with other figures replace the stored rows (audited)
// --reason   required to write into submitted (locked) months; recorded with each such row
// --dry-run  check and report, write nothing
// --lang     language of the messages (default: both Chinese and English)
//
// Works on the embedded database (DATA_DIR; stop the app first, one process at a
// time may open it) and on PostgreSQL (DATABASE_URL). Rejected rows are written
// beside the file as <file>.rejected.csv with a reason column.
// Exit code 0: no row was rejected and the file could be read (every row is
// now stored: imported, or already there; a rerun of last night's file is 0);
// 1: rows were rejected (the others are committed), or the file could not be read;
// 3: the database connection was lost: the message says what was being done, and
// that the commit's one transaction rolled back (nothing of the file is stored).
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Viewer } from '#app/domain/access.ts'
import { isRecordCode, recordCodes } from '#app/domain/activity/definitions.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import { translate } from '#app/i18n/index.ts'
import { isLocale, type Locale } from '#app/i18n/locales.ts'
import { commitImport, previewImport, writeRejectedCsv, type ImportReport, type ImportRequest } from '#app/services/imports.server.ts'
import { describeLocation, openFromEnv } from '#app/utils/db.server.ts'
import { migrateToLatest } from '#db/migrate.ts'
import type { Database } from '#db/schema.ts'
import type { Kysely } from 'kysely'
import { runCli } from './lib/cli.ts'

interface Args {
  type: string
  brand: string
  as: string | null
  replace: boolean
  reason: string | null
  dryRun: boolean
  locales: Locale[]
  file: string
}

function parseArgs(argv: readonly string[]): Args {
  const args: Partial<Args> & { locales: Locale[] } = { replace: false, dryRun: false, as: null, reason: null, locales: ['zh-CN', 'en'] }
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const next = argv[++i]
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} 需要一个值 / ${arg} needs a value`)
      return next
    }
    if (arg === '--type') args.type = value()
    else if (arg === '--brand') args.brand = value()
    else if (arg === '--as') args.as = value()
    else if (arg === '--reason') args.reason = value()
    else if (arg === '--replace') args.replace = true
    else if (arg === '--dry-run') args.dryRun = true
    else if (arg === '--lang') {
      const lang = value()
      if (!isLocale(lang)) throw new Error(`--lang 只能是 zh-CN 或 en / --lang must be zh-CN or en`)
      args.locales = [lang]
    } else if (arg.startsWith('--')) throw new Error(`未知参数 ${arg} / unknown option ${arg}`)
    else rest.push(arg)
  }
  if (!args.type || !isRecordCode(args.type)) throw new Error(`--type 须为 / --type must be one of: ${recordCodes.join(', ')}`)
  if (!args.brand) throw new Error('缺少 --brand（品牌代码，如 sf） / --brand is required (a brand code such as sf)')
  if (rest.length !== 1) throw new Error('请给出一个 CSV 文件 / give exactly one CSV file')
  return { ...(args as Args), file: rest[0]! }
}

/** The viewer the import runs as: scoped to the brand whoever the user is. */
async function importViewer(db: Kysely<Database>, brandCode: string, username: string | null): Promise<{ viewer: Viewer; username: string }> {
  const brand = await db.selectFrom('brands').select('id').where('code', '=', brandCode).executeTakeFirst()
  if (!brand) throw new Error(`没有品牌 ${brandCode} / no brand ${brandCode}`)
  let query = db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .leftJoin('outlets', 'outlets.id', 'memberships.outlet_id')
    .select(['users.id', 'users.username', 'memberships.role', 'memberships.outlet_id', 'memberships.brand_id', 'outlets.brand_id as outletBrandId'])
    .where('users.disabled_at', 'is', null)
  query = username ? query.where('users.username', '=', username.toLowerCase()) : query.where('memberships.role', '=', 'carrier_admin').where('memberships.brand_id', '=', brand.id)
  const user = await query.orderBy('users.id').executeTakeFirst()
  if (!user) {
    throw new Error(username ? `没有可用的用户 ${username} / no active user ${username}` : `品牌 ${brandCode} 没有管理员，请用 --as 指定用户 / brand ${brandCode} has no brand admin; name a user with --as`)
  }
  if (user.role === 'admin') {
    // An admin imports for the named brand only.
    return { viewer: { userId: user.id, role: 'carrier_admin', outletId: null, brandId: brand.id, regionCode: null }, username: user.username }
  }
  if (user.role === 'carrier_admin' && user.brand_id === brand.id) {
    return { viewer: { userId: user.id, role: 'carrier_admin', outletId: null, brandId: brand.id, regionCode: null }, username: user.username }
  }
  if (user.role === 'outlet_operator' && user.outletBrandId === brand.id) {
    return { viewer: { userId: user.id, role: 'outlet_operator', outletId: user.outlet_id, brandId: null, regionCode: null }, username: user.username }
  }
  throw new Error(`用户 ${user.username}（${user.role}）不能为品牌 ${brandCode} 导入数据 / user ${user.username} (${user.role}) may not import for brand ${brandCode}`)
}

function words(locales: readonly Locale[], message: (locale: Locale) => string): string {
  return locales.map(message).join(' / ')
}

function printReport(report: ImportReport, locales: readonly Locale[], dryRun: boolean): void {
  const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => words(locales, (l) => translate(l, key, params))
  console.log(`${t('importPages.encoding', { encoding: report.encoding ?? '—', delimiter: JSON.stringify(report.delimiter) })}`)
  for (const issue of report.fileIssues) {
    console.log(`  [${issue.severity}] ${issue.code}: ${words(locales, (l) => issueMessage(issue, l))}`)
  }
  if (report.alreadyImported) console.log(t('importPages.alreadyImported', { date: report.alreadyImported.committedAt.slice(0, 10), id: report.alreadyImported.batchId }))
  console.log(`${t('importPages.counts.rows')}: ${report.rows}`)
  console.log(`${t(dryRun || !report.committed ? 'importPages.counts.accepted' : 'importPages.counts.acceptedDone')}: ${report.accepted} (${t('importPages.counts.replaced')} ${report.replaced}, ${t('importPages.counts.restated')} ${report.restated})`)
  console.log(`${t('importPages.counts.duplicates')}: ${report.duplicates}`)
  console.log(`${t('importPages.counts.rejected')}: ${report.rejected}`)
  if (report.factorSetVersion) {
    console.log(t('importPages.emissions', { co2e: report.co2eKg, avoided: report.avoidedCo2eKg, version: report.factorSetVersion }))
  }
  if (report.errors.length > 0) {
    console.log(`${t('importPages.row')}\t${t('importPages.column')}\t${t('importPages.code')}\t${t('importPages.message')}`)
    for (const e of report.errors) console.log(`${e.row}\t${e.column ?? '—'}\t${e.code}\t${words(locales, (l) => issueMessage(e, l))}`)
    if (report.errorsTruncated) console.log(t('importPages.errorsTruncated', { count: report.errors.length }))
  }
}

/**
 * V8 lets its heap grow far beyond what a streaming import keeps alive; a
 * batch job on a shared server should not. V8
 * takes the limit only at start-up, so the command runs itself once more with
 * a 256 MB old space unless one was given (NODE_OPTIONS or flags). Returns true
 * in the parent, which then only passes on the child's exit code.
 */
function rerunWithHeapLimit(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--max-old-space-size'))
  if (given || process.env.GP_IMPORT_HEAP_SET === '1') return false
  const result = spawnSync(process.execPath, ['--max-old-space-size=256', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GP_IMPORT_HEAP_SET: '1' },
  })
  process.exitCode = result.status ?? 1
  return true
}

/** What the command was doing, for the message when the database goes away. */
let phase: 'connecting' | 'checking' | 'committing' | 'finishing' = 'connecting'
let fileLabel = ''

const connectionCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03', '08006', '08003', '08001'])

function isConnectionLost(error: unknown): boolean {
  // Wrappers (the migration runner's) keep the driver's error as their cause, or only its message.
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | null, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && connectionCodes.has(e.code)) return true
    if (typeof e.message === 'string' && /\b(ECONNREFUSED|ECONNRESET|EPIPE|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|CONNECT_TIMEOUT)\b/.test(e.message)) return true
  }
  return false
}

/**
 * The connection dropped: say which file, in what phase, and what state the
 * data is in (a commit is one transaction: it rolled back), then exit 3. A
 * postgres.js connection error can also arrive outside any awaited query.
 */
function connectionLost(error: unknown): never {
  const detail = error instanceof Error ? error.message : String(error)
  const state =
    phase === 'committing'
      ? '导入是一个事务：中断即回滚，本文件没有数据写入，也没有记录导入批次。连接恢复后重新运行同一命令即可（若中断恰在提交瞬间，已导入的文件会被识别，不会重复写入）。 / The import is one transaction: interrupted, it rolled back; nothing of this file was written and no import batch was recorded. Run the same command again once the database is back (if it was cut at the very commit, a file already imported is recognised and not written twice).'
      : phase === 'finishing'
        ? '导入已提交完成，之后连接中断。 / The import was committed; the connection dropped afterwards.'
        : '尚未写入任何数据。 / Nothing was written.'
  const doing = { connecting: '连接数据库 connecting', checking: '检查文件 checking', committing: '导入 committing', finishing: '完成提交 finishing the commit' }[phase]
  console.error(`错误 Error: 数据库连接中断 / the database connection was lost (${doing} ${fileLabel}): ${detail}\n${state}`)
  process.exit(3)
}

// A connection refused or cut can leave the pending statement's promise unsettled: the event
// loop then empties and Node would exit 0 in silence, as if the import had succeeded.
let started = false
let finished = false
process.on('beforeExit', () => {
  if (started && !finished) connectionLost(new Error('the database stopped answering'))
})
process.on('unhandledRejection', (error) => (isConnectionLost(error) ? connectionLost(error) : (console.error(error), process.exit(1))))
process.on('uncaughtException', (error) => (isConnectionLost(error) ? connectionLost(error) : (console.error(error), process.exit(1))))

if (!rerunWithHeapLimit()) runCli(async () => {
  const args = parseArgs(process.argv.slice(2))
  const file = path.resolve(args.file)
  await stat(file).catch(() => {
    throw new Error(`找不到文件 ${file} / file not found: ${file}`)
  })
  started = true
  fileLabel = file
  const handle = openFromEnv()
  const work = await mkdtemp(path.join(tmpdir(), 'gp-import-'))
  let exitCode = 1
  try {
    try {
      await migrateToLatest(handle.db)
    } catch (error) {
      if (isConnectionLost(error)) connectionLost(error)
      throw error
    }
    const { viewer, username } = await importViewer(handle.db, args.brand, args.as)
    console.log(`${describeLocation()} · ${args.type} · ${args.brand} · ${username}${args.dryRun ? ' · dry run' : ''}`)
    const rejectedPath = path.join(work, 'rejected.ndjson')
    let last = 0
    const request: ImportRequest = {
      viewer,
      recordCode: args.type as ImportRequest['recordCode'],
      source: { path: file },
      fileName: path.basename(file),
      replace: args.replace,
      reason: args.reason,
      rejectedPath,
      maxErrors: 100,
      onProgress: (p) => {
        const now = Date.now()
        if (now - last > 5_000) {
          last = now
          process.stderr.write(`  … ${p.rows} rows\n`)
        }
      },
    }
    fileLabel = file
    let report: ImportReport
    try {
      if (args.dryRun) {
        phase = 'checking'
        report = await previewImport(handle.db, request)
      } else {
        phase = 'committing'
        report = (await commitImport(handle.db, request)).report
      }
    } catch (error) {
      if (isConnectionLost(error)) connectionLost(error)
      throw error
    }
    phase = 'finishing'
    finished = true
    printReport(report, args.locales, args.dryRun)
    if (report.rejected > 0) {
      const out = path.join(path.dirname(file), `${path.parse(file).name}.rejected.csv`)
      await writeRejectedCsv(rejectedPath, report.headerCells, args.locales[0]!, out)
      console.log(words(args.locales, (l) => translate(l, 'importPages.rejectedWritten', { path: out })))
    }
    exitCode = report.rejected === 0 && !report.fileIssues.some((i) => i.severity === 'error') ? 0 : 1
  } finally {
    await rm(work, { recursive: true, force: true })
    await handle.close()
  }
  if (exitCode !== 0) process.exit(exitCode)
})
