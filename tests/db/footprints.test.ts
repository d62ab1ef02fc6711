import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '#app/domain/credits/signing.server.ts'
import { recomputeEmissions } from '#app/services/emissions.server.ts'
import {
  footprintsPath,
  handleFootprintBatch,
  handleFootprintBatchRead,
  handleIntensities,
  intensitiesPath,
  type FootprintApiContext,
} from '#app/services/footprints.server.ts'
import { intensitiesCsv } from '#app/services/footprints-csv.server.ts'
import { partnerOpenApiDocument } from '#app/services/partner-openapi.server.ts'
import { createPartner } from '#app/services/partners.server.ts'
import { creditKeys } from '#app/utils/credits-env.server.ts'
import { rebuildRollups } from '#db/models/rollups.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'
import { validateAgainst } from '../support/json-schema.ts'
import { addRecord, addVehicle, itemId } from './emissions-support.ts'

// Hand-computed figures (factor set 2026.1; October 2026 electricity in Henan falls back to the
// central grid's 2023 factor, 0.5271 kgCO2/kWh):
// SF Zhengzhou, 3 reporting outlets, 1000 + 2000 + 3000 = 6000 parcels
//   hub       1000 kWh (measured) + 500 kWh (estimated) = 1500 × 0.5271 = 790.65 kg → 0.131775 /parcel
//   transport 100 L diesel: TTW 100 × 2.676492 = 267.6492 kg → 0.044608; WTT 100 × 0.611 = 61.1 kg → 0.010183
//   packaging 1000 No.4 cartons × 0.215 kg × 1.200 = 258 kg → 0.043000; 215 kg of board → 0.035833 kg/parcel
//   total     0.131775 + 0.054791 + 0.043000 = 0.229566; a 2.5 kg parcel: 0.229566 × 1000 ÷ 2.5 = 91.826400 per tonne
//   primary   hub 527.1 / 790.65 = 66.67 %; all (527.1 + 267.6492 + 61.1 + 258) / 1377.3992 = 80.87 %
// SF Hebi: one reporting outlet, 500 parcels, 200 kWh × 0.5271 = 105.42 kg → 0.210840 (withheld from partners)
// SF Henan: 4 reporting outlets, 6500 parcels (Hebi adds 500)
//   hub (790.65 + 105.42) / 6500 = 0.137857, TTW 0.041177, WTT 0.009400, packaging 0.039692, total 0.228126

let t: TestDatabase
let ctx: FootprintApiContext
let partnerA: { keyId: string; secret: string }
let partnerB: { keyId: string; secret: string }
const now = new Date('2026-11-22T02:00:00Z')
const nowSeconds = Math.floor(now.getTime() / 1000)
const openapi = partnerOpenApiDocument('http://test.invalid')
const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const valid = (name: string, body: unknown) => validateAgainst(openapi, schema(name), body)

async function outletId(code: string): Promise<number> {
  return (await t.db.selectFrom('outlets').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  ctx = { db: t.db, keys: creditKeys() }
  const admin = await viewerOf(t.db, 'admin')
  for (const [name, assign] of [
    ['Mall A', (k: { keyId: string; secret: string }) => (partnerA = k)],
    ['Mall B', (k: { keyId: string; secret: string }) => (partnerB = k)],
  ] as const) {
    const created = await createPartner(t.db, admin, ctx.keys, { name, ratePerSecond: '1000', burst: 1000 })
    if (!created.ok) throw new Error('partner not created')
    assign({ keyId: created.issued.keyId, secret: created.issued.secret })
  }
  const [z1, z2, z3, hebi] = await Promise.all(['SF-410105-01', 'SF-410102-01', 'SF-410104-01', 'SF-410611-01'].map(outletId))
  const day = (n: number) => ({ stat_date: '2026-10-15', parcels: n, e_waybill_parcels: n, paper_waybill_parcels: 0 })
  await addRecord(t.db, 'shipment_stats', z1!, day(1000))
  await addRecord(t.db, 'shipment_stats', z2!, day(2000))
  await addRecord(t.db, 'shipment_stats', z3!, day(3000))
  await addRecord(t.db, 'shipment_stats', hebi!, day(500))
  await addRecord(t.db, 'facility_electricity', z1!, { month: '2026-10-01', electricity_kwh: '1000' })
  await addRecord(t.db, 'facility_electricity', z2!, { month: '2026-10-01', electricity_kwh: '500', data_quality: 'estimated' })
  await addRecord(t.db, 'facility_electricity', hebi!, { month: '2026-10-01', electricity_kwh: '200' })
  const van = await addVehicle(t.db, z1!, { plate: '豫A12345', vehicle_class: 'light_van', energy: 'diesel' })
  await addRecord(t.db, 'vehicle_use', z1!, { vehicle_id: van, month: '2026-10-01', distance_km: '1500', fuel_litres: '100' })
  await addRecord(t.db, 'packaging_consumption', z1!, { period_start: '2026-10-01', period_kind: 'month', item_id: await itemId(t.db, 'box_04'), item_count: 1000 })
  const recomputed = await recomputeEmissions(t.db)
  if (!recomputed.ok) throw new Error('recompute failed')
  await rebuildRollups(t.db)
}, 120_000)
afterAll(() => t?.close())

let tick = 0
async function call(
  handler: 'intensities' | 'batch' | 'read',
  options: { path?: string; body?: string; partner?: { keyId: string; secret: string }; idempotencyKey?: string; batchId?: string; secret?: string },
) {
  const partner = options.partner ?? partnerA
  const method = handler === 'batch' ? 'POST' : 'GET'
  const path = options.path ?? (handler === 'batch' ? footprintsPath : `${footprintsPath}/${options.batchId}`)
  const body = options.body ?? ''
  const signed = signRequest({
    method,
    path,
    timestamp: nowSeconds - (tick++ % 250),
    body,
    keyId: partner.keyId,
    secret: options.secret ?? partner.secret,
    ...(handler === 'batch' ? { idempotencyKey: options.idempotencyKey ?? `fp-${tick}-${Math.random().toString(36).slice(2, 10)}` } : {}),
  })
  const req = { method, path, headers: new Headers(signed.headers), body: new TextEncoder().encode(body) }
  const answer =
    handler === 'intensities'
      ? await handleIntensities(ctx, req, now)
      : handler === 'batch'
        ? await handleFootprintBatch(ctx, req, now)
        : await handleFootprintBatchRead(ctx, req, options.batchId ?? '', now)
  return answer as { status: number; body: any; headers: Record<string, string> }
}

const batchBody = JSON.stringify({
  parcels: [
    { waybillNo: 'SF1400000000101', brand: 'sf', originCity: '410100', date: '2026-10-15', massKg: '2.5' },
    { waybillNo: 'SF1400000000102', brand: 'sf', originCity: '410600', date: '2026-10-03' },
    { waybillNo: 'SF1400000000103', brand: 'sf', originCity: '530100', date: '2026-10-20', massKg: 1 },
    { waybillNo: 'SF1400000000104', brand: 'sf', originCity: '410100', date: '2026-09-30' },
  ],
})

describe('intensities', () => {
  it('gives the city, province and national intensities, by hand', async () => {
    const answer = await call('intensities', { path: `${intensitiesPath}?brand=sf&region=410100&month=2026-10` })
    expect(answer.status).toBe(200)
    expect(valid('IntensitiesResponse', answer.body)).toEqual([])
    const [city, province, nation] = answer.body.intensities
    expect(city).toMatchObject({
      id: 'sf:410100:2026-10',
      status: 'published',
      reportingOutlets: 3,
      parcels: '6000',
      referencePeriodStart: '2026-10-01T00:00:00+08:00',
      referencePeriodEnd: '2026-11-01T00:00:00+08:00',
      provisional: false,
      factorSetVersions: ['2026.1'],
      hubOperations: { co2eIntensityTTW: '0.000000', co2eIntensityWTT: '0.131775', co2eIntensityWTW: '0.131775', primaryDataShare: '66.67', dataQuality: { measured: '66.67', estimated: '33.33', default: '0.00' } },
      transport: { co2eIntensityTTW: '0.044608', co2eIntensityWTT: '0.010183', co2eIntensityWTW: '0.054791', primaryDataShare: '100.00' },
      packaging: { co2eIntensity: '0.043000', materials: [{ material: 'corrugated_virgin', massKgPerParcel: '0.035833', co2eIntensity: '0.043000' }] },
      total: { co2eIntensity: '0.229566', primaryDataShare: '80.87' },
      notReported: [],
    })
    expect(province).toMatchObject({ id: 'sf:410000:2026-10', status: 'published', reportingOutlets: 4, parcels: '6500', total: { co2eIntensity: '0.228126' } })
    expect(province.hubOperations.co2eIntensityWTW).toBe('0.137857')
    expect(nation).toMatchObject({ id: 'sf:000000:2026-10', status: 'published', reportingOutlets: 4 })
  })

  it('withholds a city with fewer than 3 reporting outlets, and says so', async () => {
    const answer = await call('intensities', { path: `${intensitiesPath}?brand=sf&region=410600&month=2026-10` })
    expect(answer.status).toBe(200)
    expect(valid('IntensitiesResponse', answer.body)).toEqual([])
    const [city] = answer.body.intensities
    expect(city).toMatchObject({ status: 'suppressed', reportingOutlets: 1 })
    expect(city.total).toBeUndefined()
    expect(city.parcels).toBeUndefined()
    expect(city.message.en).toContain('Fewer than 3 outlets')
    // The English note is English throughout: no Chinese level name before the code.
    expect(city.message.en).not.toMatch(/[\u4e00-\u9fff]/)
  })

  it('names each bad query parameter', async () => {
    const answer = await call('intensities', { path: `${intensitiesPath}?brand=SF!&region=41010&month=2026-13&extra=1` })
    expect([answer.status, answer.body.error.code]).toEqual([422, 'validation_failed'])
    expect(valid('FootprintError', answer.body)).toEqual([])
    expect(answer.body.error.fields.map((f: any) => [f.field, f.code])).toEqual([
      ['extra', 'field_unknown'],
      ['brand', 'brand_invalid'],
      ['region', 'region_invalid'],
      ['month', 'month_invalid'],
    ])
    const unknown = await call('intensities', { path: `${intensitiesPath}?brand=nosuch&region=419900&month=2026-12` })
    expect(unknown.body.error.fields.map((f: any) => [f.field, f.code])).toEqual([['month', 'month_in_future']])
    const missing = await call('intensities', { path: `${intensitiesPath}?brand=nosuch&region=419900&month=2026-10` })
    expect(missing.body.error.fields.map((f: any) => [f.field, f.code])).toEqual([
      ['brand', 'brand_unknown'],
      ['region', 'region_unknown'],
    ])
    expect(missing.body.error.fields[0].message.zh).toContain('快递品牌')
  })

  it('refuses an unsigned, wrongly signed or replayed request', async () => {
    const path = `${intensitiesPath}?brand=sf&region=410100&month=2026-10`
    const wrong = await call('intensities', { path, secret: 'gpsk_not-the-secret' })
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'signature_invalid'])
    const unsigned = await handleIntensities(ctx, { method: 'GET', path, headers: new Headers(), body: new Uint8Array(0) }, now)
    expect([unsigned.status, (unsigned.body as any).error.code]).toEqual([401, 'key_missing'])
    const signed = signRequest({ method: 'GET', path, timestamp: nowSeconds - 299, body: '', keyId: partnerA.keyId, secret: partnerA.secret })
    const once = () => handleIntensities(ctx, { method: 'GET', path, headers: new Headers(signed.headers), body: new Uint8Array(0) }, now)
    expect((await once()).status).toBe(200)
    const again = await once()
    expect([again.status, (again.body as any).error.code]).toEqual([409, 'request_replayed'])
    // The signature covers the query: another month under the same signature does not pass.
    const tampered = await handleIntensities(ctx, { method: 'GET', path: path.replace('2026-10', '2026-09'), headers: new Headers(signed.headers), body: new Uint8Array(0) }, now)
    expect((tampered.body as any).error.code).toBe('signature_invalid')
  })
})

describe('footprint batches', () => {
  let batchId: string

  it('gives each parcel its intensity, falling back to wider regions and saying why', async () => {
    const answer = await call('batch', { body: batchBody })
    expect(answer.status).toBe(201)
    expect(valid('FootprintBatch', answer.body)).toEqual([])
    batchId = answer.body.batch.id
    expect(answer.headers.Location).toBe(`${footprintsPath}/${batchId}`)
    const [zhengzhou, hebi, kunming, september] = answer.body.footprints
    expect(zhengzhou).toMatchObject({
      status: 'ok',
      intensityId: 'sf:410100:2026-10',
      fallbacks: [],
      massKg: '2.5',
      hubOperationsCo2eWTW: '0.131775',
      transportCo2eTTW: '0.044608',
      transportCo2eWTT: '0.010183',
      transportCo2eWTW: '0.054791',
      packagingCo2e: '0.043000',
      totalCo2e: '0.229566',
      co2ePerTonne: '91.826400',
      primaryDataShare: '80.87',
    })
    expect(hebi).toMatchObject({ status: 'ok', intensityId: 'sf:410000:2026-10', totalCo2e: '0.228126', co2ePerTonne: null })
    expect(hebi.fallbacks.map((f: any) => [f.level, f.code, f.reason])).toEqual([['city', '410600', 'suppressed']])
    // Yunnan has nothing in October: city and province passed over, the nation's figure used.
    expect(kunming.fallbacks.map((f: any) => [f.level, f.code, f.reason])).toEqual([
      ['city', '530100', 'no_data'],
      ['province', '530000', 'no_data'],
    ])
    expect(kunming).toMatchObject({ status: 'ok', intensityId: 'sf:000000:2026-10', totalCo2e: '0.228126', co2ePerTonne: '228.126000' })
    expect(september).toMatchObject({ status: 'no_data', intensityId: null })
    expect(september.totalCo2e).toBeUndefined()
    const ids = answer.body.intensities.map((i: any) => `${i.id}:${i.status}`)
    expect(ids).toEqual(expect.arrayContaining(['sf:410100:2026-10:published', 'sf:410600:2026-10:suppressed', 'sf:410000:2026-10:published', 'sf:000000:2026-10:published', 'sf:410100:2026-09:no_data']))
    // Nothing personal: no waybill, phone number, outlet or vehicle appears anywhere (the
    // batch's random id left out: its digits could look like anything).
    const shown = JSON.stringify({ ...answer.body, batch: { ...answer.body.batch, id: 'fpb_' } })
    expect(shown).not.toMatch(/GP202405189|(?<!\d)1[3-9]\d{9}(?!\d)|SF-41|豫A/)
  })

  it('reads a batch again for its own partner only', async () => {
    const own = await call('read', { batchId })
    expect(own.status).toBe(200)
    expect(valid('FootprintBatch', own.body)).toEqual([])
    expect(own.body.batch.id).toBe(batchId)
    const other = await call('read', { batchId, partner: partnerB })
    expect([other.status, other.body.error.code]).toEqual([404, 'batch_not_found'])
    expect(valid('FootprintError', other.body)).toEqual([])
    const bad = await call('read', { batchId: '../1' })
    expect(bad.status).toBe(404)
  })

  it('answers a retry with the same Idempotency-Key from the store, and refuses the key with another body', async () => {
    const first = await call('batch', { body: batchBody, idempotencyKey: 'fp-idem-0001' })
    const second = await call('batch', { body: batchBody, idempotencyKey: 'fp-idem-0001' })
    expect([first.status, second.status, second.headers['Idempotent-Replayed']]).toEqual([201, 201, 'true'])
    expect(second.body.batch.id).toBe(first.body.batch.id)
    const other = await call('batch', { body: batchBody.replace('2.5', '3'), idempotencyKey: 'fp-idem-0001' })
    expect([other.status, other.body.error.code]).toEqual([422, 'idempotency_key_reused'])
    // Partner B may use the same key for its own batch.
    const b = await call('batch', { body: batchBody, idempotencyKey: 'fp-idem-0001', partner: partnerB })
    expect(b.status).toBe(201)
    expect(b.body.batch.id).not.toBe(first.body.batch.id)
  })

  it('names every field at fault', async () => {
    const body = JSON.stringify({
      parcels: [
        { waybillNo: 'SF1', brand: 'sf', originCity: '410100', date: '2026-10-01' },
        { waybillNo: 'SF1400000000201', brand: 'nosuch', originCity: '419900', date: '2026-10-01' },
        { waybillNo: 'SF1400000000202', brand: 'sf', originCity: '410000', date: '2026-11-23', massKg: '-1', colour: 'red' },
        { waybillNo: 'SF1400000000203', brand: 'sf', originCity: '410100', date: '2026-02-30', massKg: '1001' },
      ],
    })
    const answer = await call('batch', { body })
    expect([answer.status, answer.body.error.code]).toEqual([422, 'validation_failed'])
    expect(valid('FootprintError', answer.body)).toEqual([])
    expect(answer.body.error.fields.map((f: any) => [f.field, f.code])).toEqual([
      ['parcels.0.waybillNo', 'waybill_no_invalid'],
      ['parcels.2.originCity', 'origin_city_invalid'],
      ['parcels.2.date', 'date_in_future'],
      ['parcels.2.massKg', 'mass_invalid'],
      ['parcels.2.colour', 'field_unknown'],
      ['parcels.3.date', 'date_invalid'],
      ['parcels.3.massKg', 'mass_invalid'],
    ])
    // Existence is checked once the shape is right.
    const unknown = await call('batch', { body: JSON.stringify({ parcels: [{ waybillNo: 'SF1400000000201', brand: 'nosuch', originCity: '419900', date: '2026-10-01' }] }) })
    expect(unknown.body.error.fields.map((f: any) => [f.field, f.code])).toEqual([
      ['parcels.0.brand', 'brand_unknown'],
      ['parcels.0.originCity', 'origin_city_unknown'],
    ])
    const duplicate = await call('batch', { body: JSON.stringify({ parcels: [{ waybillNo: 'SF1400000000301', brand: 'sf', originCity: '410100', date: '2026-10-01' }, { waybillNo: 'sf 1400000000301', brand: 'sf', originCity: '410100', date: '2026-10-01' }] }) })
    expect(duplicate.body.error.fields).toMatchObject([{ field: 'parcels.1.waybillNo', code: 'waybill_no_duplicate' }])
    const tooMany = await call('batch', { body: JSON.stringify({ parcels: Array.from({ length: 501 }, (_, i) => ({ waybillNo: `SF${String(i).padStart(12, '0')}`, brand: 'sf', originCity: '410100', date: '2026-10-01' })) }) })
    expect(tooMany.body.error.fields).toMatchObject([{ field: 'parcels', code: 'parcels_too_many' }])
    const notJson = await call('batch', { body: '{"parcels": [' })
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'body_not_json'])
  })

  it('refuses a batch without Idempotency-Key or over the size limit', async () => {
    const signed = signRequest({ method: 'POST', path: footprintsPath, timestamp: nowSeconds, body: batchBody, keyId: partnerA.keyId, secret: partnerA.secret })
    const answer = await handleFootprintBatch(ctx, { method: 'POST', path: footprintsPath, headers: new Headers(signed.headers), body: new TextEncoder().encode(batchBody) }, now)
    expect((answer.body as any).error.code).toBe('idempotency_key_missing')
    const big = await handleFootprintBatch(ctx, { method: 'POST', path: footprintsPath, headers: new Headers(signed.headers), body: new Uint8Array(200 * 1024) }, now)
    expect([big.status, (big.body as any).error.code]).toEqual([413, 'body_too_large'])
  })
})

describe('intensities CSV', () => {
  const lines = (text: string) => text.replace(/^\uFEFF/, '').trim().split('\r\n')

  it('gives a brand admin its own brand at every level, with what partners see', async () => {
    const result = await intensitiesCsv(t.db, await viewerOf(t.db, 'carrier.sf'), '2026-10', 'en', now)
    if (!result.ok) throw new Error('refused')
    const rows = lines(result.text)
    expect(rows[0]).toContain('Total kgCO2e/parcel')
    const zhengzhou = rows.find((r) => r.includes(',410100,'))!
    expect(zhengzhou).toBe('2026-10,sf,SF Express,city,410100,Zhengzhou,3,6000,0.131775,0.044608,0.010183,0.054791,0.043000,0.229566,80.87,2026.1,published,')
    // The brand sees its own small city in full; partners do not.
    const hebi = rows.find((r) => r.includes(',410600,'))!
    expect(hebi).toContain('withheld (fewer than 3 reporting outlets)')
    expect(hebi).toBe('2026-10,sf,SF Express,city,410600,Hebi,1,500,0.210840,,,,,0.210840,100.00,2026.1,withheld (fewer than 3 reporting outlets),transport packaging')
    expect(rows.filter((r) => r.includes(',zto,'))).toEqual([])
  })

  it('gives a city bureau its city only, every brand, and refuses others', async () => {
    const result = await intensitiesCsv(t.db, await viewerOf(t.db, 'bureau.zhengzhou'), '2026-10', 'zh-CN', now)
    if (!result.ok) throw new Error('refused')
    const rows = lines(result.text).slice(1)
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.includes(',410100,'))).toBe(true)
    const zto = await intensitiesCsv(t.db, await viewerOf(t.db, 'carrier.zto'), '2026-10', 'en', now)
    expect(zto.ok && lines(zto.text).slice(1).some((r) => r.includes(',sf,'))).toBe(false)
    expect(await intensitiesCsv(t.db, await viewerOf(t.db, 'consumer.demo'), '2026-10', 'en', now)).toEqual({ ok: false, status: 403 })
    expect(await intensitiesCsv(t.db, await viewerOf(t.db, 'outlet.sf'), '2026-10', 'en', now)).toEqual({ ok: false, status: 403 })
    expect(await intensitiesCsv(t.db, await viewerOf(t.db, 'carrier.sf'), '2026-13', 'en', now)).toEqual({ ok: false, status: 400 })
  })
})
