import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Papa from 'papaparse'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import { ForbiddenWrite, saveRecordFromForm, submitOutletMonth } from '#app/services/activity.server.ts'
import { recordCodes, recordDefinitions } from '#app/domain/activity/definitions.ts'
import { templateCsv } from '#app/domain/csv/template.ts'
import { commitImport, previewImport, rejectedCsvChunks, type ImportRequest } from '#app/services/imports.server.ts'
import { serverDatabaseName, withCopyTransaction } from '#db/models/imports.ts'
import { recomputeEmissions } from '#app/services/emissions.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// The upload service end to end on a seeded database (both drivers: COPY on
// PostgreSQL, INSERTs on PGlite): encodings and date forms, duplicates
// against the database, replacement, all-or-nothing commits, scope, locked
// months, the rejected rows file, and every record type costed on commit.

let t: TestDatabase
let work: string
const today = '2026-11-22'
const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/csv/${name}`))
const bytes = (text: string) => new TextEncoder().encode(text)

const viewer = (username: string): Promise<Viewer> => viewerOf(t.db, username)

let operator: Viewer
let brandAdmin: Viewer
let ztoAdmin: Viewer

function request(who: Viewer, recordCode: ImportRequest['recordCode'], source: Uint8Array | string, extra: Partial<ImportRequest> = {}): ImportRequest {
  return { viewer: who, recordCode, source: { bytes: typeof source === 'string' ? bytes(source) : source }, fileName: 'upload.csv', today, ...extra }
}

async function countRows(table: 'shipment_stats' | 'emission_results' | 'import_batches', where = sql`true`): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)} where ${where}`.execute(t.db)
  return Number(rows[0]!.n)
}

const header = 'outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality\n'

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  work = await mkdtemp(path.join(tmpdir(), 'gp-imports-test-'))
  operator = await viewer('outlet.sf')
  brandAdmin = await viewer('carrier.sf')
  ztoAdmin = await viewer('carrier.zto')
})
afterAll(async () => {
  await t?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

describe('encodings and date forms', () => {
  it('UTF-8 without BOM, English headers: previewed, then committed with its emission results', async () => {
    const preview = await previewImport(t.db, request(operator, 'shipment_stats', fixture('shipment-utf8.csv')))
    expect([preview.encoding, preview.rows, preview.accepted, preview.rejected, preview.committed]).toEqual(['utf-8', 2, 2, 0, false])
    // The preview's first rows as they will be stored: the file's lines 2 and 3, values exact, blanks empty.
    expect(preview.sample?.map((r) => [r.row, r.action, r.values.date, r.values.parcels, r.values.dataQuality, r.values.ecommerceParcels])).toEqual([
      [2, 'new', '2024-03-01', '1200', 'measured', ''],
      [3, 'new', '2024-03-02', '980', 'estimated', ''],
    ])
    expect(await countRows('shipment_stats')).toBe(0)

    const commit = await commitImport(t.db, request(operator, 'shipment_stats', fixture('shipment-utf8.csv'), { fileName: 'shipment-utf8.csv' }))
    expect(commit.ok).toBe(true)
    expect([commit.report.accepted, commit.report.created, commit.report.committed]).toEqual([2, 2, true])
    expect(commit.report.sample).toBeUndefined()
    const rows = await t.db.selectFrom('shipment_stats').select([sql<string>`stat_date::text`.as('date'), 'parcels', 'data_quality', 'source']).orderBy('stat_date').execute()
    expect(rows).toEqual([
      { date: '2024-03-01', parcels: 1200, data_quality: 'measured', source: 'csv' },
      { date: '2024-03-02', parcels: 980, data_quality: 'estimated', source: 'csv' },
    ])
    expect(await countRows('emission_results', sql`record_type = 'shipment_stats' and status = 'current'`)).toBe(2)
    // the preview costs row by row with the engine, the commit in SQL: the same avoided total
    expect(Number(preview.avoidedCo2eKg)).toBeGreaterThan(0)
    expect(commit.report.avoidedCo2eKg).toBe(preview.avoidedCo2eKg)
    const batch = await t.db.selectFrom('import_batches').selectAll().where('id', '=', commit.batchId!).executeTakeFirstOrThrow()
    expect([batch.status, batch.rows_total, batch.rows_accepted, batch.encoding, batch.committed_at !== null]).toEqual(['committed', 2, 2, 'utf-8', true])
  })

  it('UTF-8 with BOM and GB18030 give the same rows: "1,200", full-width digits, 2024/3/1 and 2024年3月2日 read alike', async () => {
    // Both fixtures hold the same rows as the file above (2024-03-01, 2024-03-02) with other figures:
    // different values under the same keys, so without "replace" they are refused as already imported.
    for (const name of ['shipment-utf8-bom.csv', 'shipment-gb18030.csv']) {
      const report = await previewImport(t.db, request(brandAdmin, 'shipment_stats', fixture(name)))
      expect(report.encoding).toBe(name.includes('gb18030') ? 'gb18030' : 'utf-8')
      expect(report.errors.map((e) => `${e.row}:${e.column ?? '-'}:${e.code}`)).toEqual([
        '2:-:duplicate_in_database',
        '3:-:duplicate_in_database',
        '4:网点编码:outlet_out_of_scope',
        '4:电子运单件数:part_exceeds_whole',
      ])
    }
    // A brand admin of ZTO sees row 4 as its own outlet, and its real error: 520 e-waybills out of 500 parcels.
    const zto = await previewImport(t.db, request(ztoAdmin, 'shipment_stats', fixture('shipment-gb18030.csv')))
    expect(zto.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual(['2:网点编码:outlet_out_of_scope', '3:网点编码:outlet_out_of_scope', '4:电子运单件数:part_exceeds_whole'])
    expect(issueMessage(zto.errors[2]!, 'en')).toBe('“Parcels with e-waybill” (520) cannot be more than “Parcels handled” (500). Check both figures.')
  })

  it('every date form: 2024-03-05, 2024/3/6, 2024.3.7 and 2024年3月8日 are stored as ISO dates', async () => {
    const file = `${header}SF-410105-01,2024-03-05,10,10,0,measured\nSF-410105-01,2024/3/6,10,10,0,measured\nSF-410105-01,2024.3.7,10,10,0,measured\nSF-410105-01,2024年3月8日,10,10,0,实测\n`
    const commit = await commitImport(t.db, request(operator, 'shipment_stats', file))
    expect([commit.ok, commit.report.accepted]).toEqual([true, 4])
    const dates = await t.db.selectFrom('shipment_stats').select(sql<string>`stat_date::text`.as('date')).where('stat_date', '>=', '2024-03-05').where('stat_date', '<=', '2024-03-08').orderBy('stat_date').execute()
    expect(dates.map((d) => d.date)).toEqual(['2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08'])
  })

  it('tab and semicolon delimiters, columns in any order, an unknown column reported as a warning', async () => {
    const tab = `日期\t数据质量\t收寄件数\t网点编码\t纸质运单件数\t电子运单件数\t备注\n2024-03-09\t实测\t20\tSF-410105-01\t0\t20\t周六\n`
    const report = await previewImport(t.db, request(operator, 'shipment_stats', tab))
    expect([report.delimiter, report.accepted]).toEqual(['\t', 1])
    expect(report.fileIssues.map((i) => `${i.severity}:${i.code}:${i.column}`)).toEqual(['warning:unknown_column:备注'])
    const semicolon = `${header.replace(/,/g, ';')}SF-410105-01;2024-03-10;"1,020";1020;0;measured\n`
    expect((await previewImport(t.db, request(operator, 'shipment_stats', semicolon))).accepted).toBe(1)
  })
})

describe('duplicates', () => {
  const file = `${header}SF-410105-01,2024-04-01,100,90,10,measured\nSF-410105-01,2024-04-02,200,200,0,measured\n`

  it('the same file twice: the second time it is reported as imported, with its date, and nothing is written', async () => {
    const first = await commitImport(t.db, request(operator, 'shipment_stats', file, { fileName: 'april.csv' }))
    expect(first.ok).toBe(true)
    const before = await countRows('shipment_stats')
    const preview = await previewImport(t.db, request(operator, 'shipment_stats', file))
    expect(preview.alreadyImported?.batchId).toBe(first.batchId)
    expect([preview.accepted, preview.duplicates]).toEqual([0, 2])
    const again = await commitImport(t.db, request(operator, 'shipment_stats', file, { fileName: 'april-again.csv' }))
    expect(again.ok).toBe(false)
    expect(again.report.alreadyImported?.batchId).toBe(first.batchId)
    expect(await countRows('shipment_stats')).toBe(before)
    expect(await countRows('import_batches', sql`file_name = 'april-again.csv'`)).toBe(0)
  })

  it('the same rows in another file (other order, other spelling) are duplicates: counted, skipped, never counted twice', async () => {
    const other = `date,outletCode,dataQuality,parcels,paperWaybillParcels,eWaybillParcels\n2024/4/2,SF-410105-01,实测,200,0,200\n2024年4月1日,SF-410105-01,measured,１００,10,90\n`
    const before = await countRows('shipment_stats')
    const commit = await commitImport(t.db, request(operator, 'shipment_stats', other))
    // Nothing to write, so nothing is committed: no batch claims the rows.
    expect(commit.ok).toBe(false)
    expect([commit.report.accepted, commit.report.duplicates, commit.report.rejected]).toEqual([0, 2, 0])
    expect(await countRows('shipment_stats')).toBe(before)
  })

  it('the same key with other figures is refused unless "replace" is chosen; a replacement is audited and re-costed', async () => {
    const changed = `${header}SF-410105-01,2024-04-01,110,100,10,measured\n`
    const refused = await commitImport(t.db, request(operator, 'shipment_stats', changed))
    expect(refused.report.errors).toMatchObject([{ row: 2, code: 'duplicate_in_database' }])
    expect(issueMessage(refused.report.errors[0]!, 'zh-CN')).toBe('这条记录（网点编码、日期相同）已经导入过，不会重复计入。如需替换原有数据，请选择“替换已有数据”。')

    const old = await t.db.selectFrom('shipment_stats').select(sql<string>`id::text`.as('id')).where('stat_date', '=', '2024-04-01').where('superseded_at', 'is', null).executeTakeFirstOrThrow()
    const replaced = await commitImport(t.db, request(operator, 'shipment_stats', changed, { replace: true, reason: '系统重新导出' }))
    expect([replaced.ok, replaced.report.accepted, replaced.report.replaced]).toEqual([true, 1, 1])
    const chain = await t.db
      .selectFrom('shipment_stats')
      .select([sql<string>`id::text`.as('id'), 'parcels', sql<string | null>`superseded_by::text`.as('supersededBy')])
      .where('stat_date', '=', '2024-04-01')
      .orderBy('id')
      .execute()
    expect(chain.map((r) => [r.parcels, r.supersededBy === null])).toEqual([
      [100, false],
      [110, true],
    ])
    expect(chain[0]!.supersededBy).toBe(chain[1]!.id)
    const audit = await t.db.selectFrom('audit_log').select(['action', 'reason', 'before', 'after']).where('entity_type', '=', 'shipment_stats').where('entity_id', '=', chain[1]!.id).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'import.replace', reason: '系统重新导出', before: { parcels: 100 }, after: { parcels: 110 } })
    const results = await sql<{ record_id: string; status: string }>`
      select record_id::text, status from emission_results where record_type = 'shipment_stats' and record_id in (${old.id}::bigint, ${chain[1]!.id}::bigint) order by record_id`.execute(t.db)
    expect(results.rows.map((r) => r.status)).toEqual(['superseded', 'current'])
  })
})

describe('all or nothing', () => {
  it('a failure after rows were written leaves no row, no result, no batch', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `SF-410105-01,2024-05-${String(i + 1).padStart(2, '0')},10,10,0,measured`)
    const file = `${header}${lines.join('\n')}\n`
    const before = await Promise.all([countRows('shipment_stats'), countRows('emission_results'), countRows('import_batches')])
    await expect(commitImport(t.db, request(operator, 'shipment_stats', file, { fileName: 'may.csv' }), { chunkRows: 10, failAfterRows: 20 })).rejects.toThrow(/Test failure after 20 rows/)
    expect(await Promise.all([countRows('shipment_stats'), countRows('emission_results'), countRows('import_batches')])).toEqual(before)
    // The same file then goes in whole.
    const commit = await commitImport(t.db, request(operator, 'shipment_stats', file, { fileName: 'may.csv' }), { chunkRows: 10 })
    expect([commit.ok, commit.report.accepted]).toEqual([true, 30])
  })

  it('on PostgreSQL, a COPY the server refuses (a duplicate key) fails the transaction instead of hanging', async () => {
    const name = await serverDatabaseName(t.db)
    if (name === null) return // the embedded database writes with INSERTs, whose errors are plain errors
    const url = new URL(process.env.DATABASE_URL!)
    url.pathname = `/${name}`
    const existing = await t.db.selectFrom('shipment_stats').select([sql<string>`id::text`.as('id'), 'outlet_id']).executeTakeFirstOrThrow()
    const before = await countRows('shipment_stats')
    const line = (id: string) => `${id}\t${existing.outlet_id}\t1\t410105\t2024-05-31\t1\t1\t0\tmeasured\tcsv\n`
    await expect(
      withCopyTransaction(url.toString(), async (_trx, copy) => {
        await copy.copyIn('copy shipment_stats (id, outlet_id, brand_id, region_code, stat_date, parcels, e_waybill_parcels, paper_waybill_parcels, data_quality, source) from stdin', [line('990000001')])
        // The same id again: the primary key refuses it after the data has gone.
        await copy.copyIn('copy shipment_stats (id, outlet_id, brand_id, region_code, stat_date, parcels, e_waybill_parcels, paper_waybill_parcels, data_quality, source) from stdin', [line(existing.id)])
      }),
    ).rejects.toThrow()
    expect(await countRows('shipment_stats')).toBe(before)
  })

  it('a file whose header lacks a required column writes nothing', async () => {
    const commit = await commitImport(t.db, request(operator, 'shipment_stats', 'outletCode,date,parcels,dataQuality\nSF-410105-01,2024-06-01,5,measured\n'))
    expect(commit.ok).toBe(false)
    expect(commit.report.fileIssues.map((i) => i.code)).toEqual(['missing_column', 'missing_column'])
    expect(await countRows('shipment_stats', sql`stat_date = '2024-06-01'`)).toBe(0)
  })
})

describe('scope', () => {
  const mixed = `${header}SF-410105-01,2024-07-01,10,10,0,measured\nZTO-410105-01,2024-07-01,10,10,0,measured\nSF-410105-02,2024-07-01,10,10,0,measured\n`

  it('an operator writes only its outlet; another brand’s outlet is refused with a reason, not written', async () => {
    const sfOther = await t.db.selectFrom('outlets').select('code').where('code', 'like', 'SF-%').where('code', '<>', 'SF-410105-01').orderBy('code').executeTakeFirstOrThrow()
    const file = mixed.replace('SF-410105-02', sfOther.code)
    const commit = await commitImport(t.db, request(operator, 'shipment_stats', file))
    expect(commit.report.errors.map((e) => `${e.row}:${e.code}`)).toEqual(['3:outlet_out_of_scope', '4:outlet_out_of_scope'])
    expect(issueMessage(commit.report.errors[0]!, 'en')).toBe('“ZTO-410105-01” is not your outlet or one of your brand’s outlets; you cannot report for it.')
    expect(await countRows('shipment_stats', sql`stat_date = '2024-07-01'`)).toBe(1)
  })

  it('a brand admin writes for its brand’s outlets, not another brand’s', async () => {
    const sfOther = await t.db.selectFrom('outlets').select('code').where('code', 'like', 'SF-%').where('code', '<>', 'SF-410105-01').orderBy('code').executeTakeFirstOrThrow()
    const file = `${header}${sfOther.code},2024-07-02,10,10,0,measured\nZTO-410105-01,2024-07-02,10,10,0,measured\n`
    const commit = await commitImport(t.db, request(brandAdmin, 'shipment_stats', file))
    expect([commit.report.accepted, commit.report.errors.map((e) => `${e.row}:${e.code}`)]).toEqual([1, ['3:outlet_out_of_scope']])
  })

  it('a bureau officer cannot upload at all', async () => {
    const bureau = await viewer('bureau.henan')
    await expect(commitImport(t.db, request(bureau, 'shipment_stats', mixed))).rejects.toBeInstanceOf(ForbiddenWrite)
    await expect(previewImport(t.db, request(bureau, 'shipment_stats', mixed))).rejects.toBeInstanceOf(ForbiddenWrite)
  })
})

describe('submitted months', () => {
  it('rows of a locked month need a reason; with one (and "replace") they are restatements beside the originals', async () => {
    const first = await commitImport(t.db, request(operator, 'shipment_stats', `${header}SF-410105-01,2024-08-01,10,10,0,measured\n`))
    expect(first.ok).toBe(true)
    expect(await submitOutletMonth(t.db, operator, operator.outletId!, '2024-08', today)).toEqual({ ok: true })
    const file = `${header}SF-410105-01,2024-08-01,12,12,0,measured\nSF-410105-01,2024-08-02,5,5,0,measured\n`
    const refused = await commitImport(t.db, request(operator, 'shipment_stats', file, { replace: true }))
    expect(refused.report.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual(['2:date:month_locked', '3:date:month_locked'])
    expect(issueMessage(refused.report.errors[0]!, 'zh-CN')).toBe('2024-08 已提交锁定。如需更正，请在上传时填写原因，原记录会保留。')
    const restated = await commitImport(t.db, request(operator, 'shipment_stats', file, { replace: true, reason: '补录 8 月 2 日', fileName: 'aug.csv' }))
    expect([restated.report.accepted, restated.report.replaced, restated.report.restated]).toEqual([2, 1, 2])
    const rows = await t.db.selectFrom('shipment_stats').select(['parcels', 'restatement_reason', sql<boolean>`superseded_at is not null`.as('superseded')]).where('stat_date', '>=', '2024-08-01').where('stat_date', '<=', '2024-08-02').orderBy('id').execute()
    expect(rows).toEqual([
      { parcels: 10, restatement_reason: null, superseded: true },
      { parcels: 12, restatement_reason: '补录 8 月 2 日', superseded: false },
      { parcels: 5, restatement_reason: '补录 8 月 2 日', superseded: false },
    ])
  })
})

describe('rejected rows file', () => {
  it('has the original cells and a reason column naming row, column and message, in the reader’s language', async () => {
    const file = `${header}SF-410105-01,2024-09-01,100,120,0,measured\nSF-410105-01,2024-09-02,ten,10,0,measured\nSF-410105-01,2024-09-03,10,10,0,measured\n`
    const rejectedPath = path.join(work, 'rejected.ndjson')
    const report = await previewImport(t.db, request(operator, 'shipment_stats', file, { rejectedPath }))
    expect([report.accepted, report.rejected]).toEqual([1, 2])
    let csv = ''
    for await (const chunk of rejectedCsvChunks(rejectedPath, report.headerCells, 'en')) csv += chunk
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const rows = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data
    expect(rows[0]).toEqual(['outletCode', 'date', 'parcels', 'eWaybillParcels', 'paperWaybillParcels', 'dataQuality', 'Reason'])
    expect(rows.slice(1).map((r) => r.slice(0, 6))).toEqual([
      ['SF-410105-01', '2024-09-01', '100', '120', '0', 'measured'],
      ['SF-410105-01', '2024-09-02', 'ten', '10', '0', 'measured'],
    ])
    expect(rows[1]![6]).toBe('Row 2; eWaybillParcels: “Parcels with e-waybill” (120) cannot be more than “Parcels handled” (100). Check both figures.')
    expect(rows[2]![6]).toMatch(/^Row 3; parcels: “Parcels handled” must be a number/)
    expect(await readFile(rejectedPath, 'utf8')).toContain('"r":3')
  })
})

describe('every record type by CSV, costed on commit', () => {
  it('writes each type and stores a current emission result for each costed one', async () => {
    // The van the monthly-use rows are for.
    const van = await saveRecordFromForm(
      t.db,
      brandAdmin,
      'vehicles',
      { plate: '豫A1C001', outletCode: 'SF-410105-01', vehicleClass: 'light_van', energy: 'diesel', emissionStandard: 'guo6', inServiceFrom: '2024-01-01', acquisition: 'existing', dataQuality: 'measured' },
      { today },
    )
    expect(van.ok).toBe(true)
    const files: [ImportRequest['recordCode'], string, number][] = [
      ['packaging_consumption', '网点编码,日期或月份,包装物品编码,数量（件）,数据质量\nSF-410105-01,2024-09,box_03,400,实测\nSF-410105-01,2024-09-02,tape_bopp_45,20,实测\n', 2],
      ['recovery_bins', 'outletCode,asOfDate,installedBins,labelledBins,inServiceBins,dataQuality\nSF-410105-01,2024-09-01,3,3,2,measured\n', 0],
      ['recovery_collections', 'outletCode,date,cartonsCollected,cartonsReused,recyclerMassKg,recyclerName,dataQuality\nSF-410105-01,2024-09-01,120,80,12.5,郑州再生资源公司,measured\n', 1],
      ['reusable_assets', 'outletCode,month,assetType,assetsInCirculation,tripsCompleted,assetsReturned,assetsLost,dataQuality\nSF-410105-01,2024-09,可循环快递箱,300,900,850,6,measured\n', 1],
      ['vehicles', 'plate,outletCode,vehicleClass,energy,emissionStandard,inServiceFrom,acquisition,dataQuality\n豫A 1C002,SF-410105-01,电动三轮车,纯电动,无,2024-02-01,新购,实测\n', 0],
      ['vehicle_use', 'plate,month,distanceKm,fuelLitres,dataQuality\n豫A1C001,2024-09,"2,150.5",215,measured\n', 1],
      ['facility_electricity', 'siteCode,month,electricityKwh,dataQuality\nSF-410105-01,2024-09,1860,measured\n', 1],
    ]
    for (const [code, text, costed] of files) {
      const commit = await commitImport(t.db, request(operator, code, text, { fileName: `${code}.csv` }))
      expect([code, commit.ok, commit.report.rejected, commit.report.errors]).toEqual([code, true, 0, []])
      const { rows } = await sql<{ n: string }>`
        select count(*)::text as n from emission_results e join ${sql.table(code)} r on r.id = e.record_id and r.outlet_id = e.outlet_id
        where e.record_type = ${code} and e.status = 'current' and r.import_batch_id = ${commit.batchId}::bigint`.execute(t.db).catch(() => ({ rows: [{ n: '0' }] }))
      expect([code, Number(rows[0]!.n)]).toEqual([code, costed])
    }
    // What the commit stored (in SQL, or by the engine for a group it keeps) is what the engine computes
    // record by record: a recompute of every record by the engine finds nothing to write.
    const again = await recomputeEmissions(t.db, { path: 'engine', skipRollups: true })
    if (!again.ok) throw new Error(again.error.key)
    expect([again.summary.examined >= 6, again.summary.written, again.summary.changed, again.summary.failed]).toEqual([true, 0, 0, 0])
    const use = await t.db.selectFrom('vehicle_use').select(['distance_km', 'fuel_litres']).where('month', '=', '2024-09-01').executeTakeFirstOrThrow()
    expect([use.distance_km, use.fuel_litres]).toEqual(['2150.50', '215.000'])
  })
})

describe('templates', () => {
  it('every template, with Chinese or English headers, is read back with every column recognised', async () => {
    for (const code of recordCodes) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const report = await previewImport(t.db, request(operator, code, templateCsv(recordDefinitions[code], locale)))
        expect([code, locale, report.fileIssues, report.rows]).toEqual([code, locale, [], 1])
      }
    }
  })
})
