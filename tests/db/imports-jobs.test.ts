import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { insertBatch } from '#db/models/imports.ts'
import {
  batchPage,
  batchRejectedCsv,
  createUpload,
  startCommit,
  storeUpload,
  waitForJob,
} from '#app/services/imports.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// The web upload's life, without the browser: the file streams to the uploads
// folder, its preview runs as a job that keeps the batch row up to date, the
// commit runs as another job, and the rejected rows come back as CSV.

let t: TestDatabase

const viewer = (username: string): Promise<Viewer> => viewerOf(t.db, username)

async function* chunks(text: string, size = 7): AsyncIterable<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(async () => t?.close())

describe('an upload through the web app', () => {
  it('is stored, previewed, committed once, and its rejected rows downloaded', async () => {
    const operator = await viewer('outlet.sf')
    // Dates of the past year: the preview's "today" is the real one.
    const file = 'outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality\nSF-410105-01,2025-01-01,10,10,0,measured\nSF-410105-01,2025-01-02,10,12,0,measured\nSF-410105-01,2025-01-03,10,9,1,measured\n'
    const upload = await storeUpload(chunks(file), '../../etc/一月.csv')
    expect(upload.fileName).toBe('一月.csv')
    expect(upload.bytes).toBe(new TextEncoder().encode(file).length)

    const batchId = await createUpload(t.db, operator, { recordCode: 'shipment_stats', upload, replace: false, reason: null })
    await waitForJob(t.db, batchId)
    const previewed = await batchPage(t.db, operator, batchId)
    expect(previewed?.status).toBe('validated')
    expect([previewed?.report?.rows, previewed?.report?.accepted, previewed?.report?.rejected]).toEqual([3, 2, 1])
    expect(await t.db.selectFrom('shipment_stats').select('id').where('stat_date', '>=', '2025-01-01').where('stat_date', '<=', '2025-01-03').execute()).toEqual([])

    // Another brand's operator does not see the batch at all.
    expect(await batchPage(t.db, await viewer('outlet.zto'), batchId)).toBeUndefined()

    expect(await startCommit(t.db, operator, batchId, { replace: false, reason: null })).toEqual({ ok: true })
    // A second click while the first commit runs (or after) is refused.
    expect(await startCommit(t.db, operator, batchId, { replace: false, reason: null })).toEqual({ ok: false, error: { key: 'importPages.error.notReady' } })
    await waitForJob(t.db, batchId)
    const committed = await batchPage(t.db, operator, batchId)
    expect([committed?.status, committed?.report?.committed, committed?.report?.accepted]).toEqual(['committed', true, 2])
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from shipment_stats where import_batch_id = ${batchId}::bigint`.execute(t.db)
    expect(rows[0]!.n).toBe('2')

    const rejected = await batchRejectedCsv(t.db, operator, batchId, 'zh-CN')
    expect(rejected?.name).toBe('一月-rejected.csv')
    const bytes = new Uint8Array(await new Response(rejected!.stream).arrayBuffer())
    // A BOM first, so that Excel reads the Chinese reason column as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(3))
    expect(text.split('\r\n').slice(0, 2)).toEqual([
      'outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality,错误原因',
      'SF-410105-01,2025-01-02,10,12,0,measured,第 3 行；eWaybillParcels：“电子运单件数”（12）不能大于“收寄件数”（10），请核对这两个数。',
    ])
  })

  it('a job that no process runs any more (a restart) is reported as interrupted, and can be checked again', async () => {
    const operator = await viewer('outlet.sf')
    const upload = await storeUpload(chunks('outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality\nSF-410105-01,2025-02-01,10,10,0,measured\n'), 'feb.csv')
    const batchId = await insertBatch(t.db, {
      recordType: 'shipment_stats', brandId: null, outletId: operator.outletId, fileName: upload.fileName, fileSha256: upload.sha256,
      storedName: upload.storedName, fileBytes: upload.bytes, uploadedBy: operator.userId, replaceExisting: false, reason: null, status: 'validating',
    })
    await t.db.updateTable('import_batches').set({ updated_at: sql`now() - interval '1 hour'` }).where('id', '=', batchId).execute()
    const page = await batchPage(t.db, operator, batchId)
    expect([page?.status, page?.failure]).toEqual(['failed', { key: 'importPages.error.interrupted' }])
  })
})
