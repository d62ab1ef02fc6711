import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { allocateGroup, emptySplit, parcelFootprint, publicationStatus, type GroupTotals } from '#app/domain/footprints/allocation.ts'
import { parseFootprintBatch, parseIntensityQuery } from '#app/domain/footprints/request.ts'

const d = (v: string | number) => new Decimal(v)

// One brand, one city, one month, figures chosen to be checked by hand:
// 4 reporting outlets, 8000 parcels
// hub:       400 kg measured + 100 kg estimated = 500 kg     → 500 / 8000 = 0.0625 kg/parcel; primary 80.00 %
// transport: TTW 300 kg, WTT 60 kg (of which 20 kg grid electricity), 360 kg, 200 kg of it from a distance default
//            → TTW 0.0375, WTT 0.0075, WTW 0.045; primary (360 - 200) / 360 = 44.44 %, default 55.56 %
// packaging: 240 kg (corrugated 200 kg CO2e from 160 kg board; film 40 kg CO2e from 13.6 kg) all measured
//            → 0.03; board 0.02 kg/parcel, 0.025 CO2e; film 0.0017 kg/parcel, 0.005 CO2e
// total:     0.0625 + 0.045 + 0.03 = 0.1375 kg/parcel; primary (400 + 160 + 240) / 1100 = 72.73 %
function group(overrides: Partial<GroupTotals> = {}): GroupTotals {
  return {
    brandCode: 'sf',
    level: 'city',
    geographyCode: '410100',
    month: '2026-10',
    parcels: d(8000),
    reportingOutlets: 4,
    hub: { co2eKg: d(500), byQuality: { measured: d(400), estimated: d(100), default: d(0) }, records: 4 },
    transport: { co2eKg: d(360), ttwKg: d(300), byQuality: { measured: d(160), estimated: d(0), default: d(200) }, records: 3 },
    packaging: {
      co2eKg: d(240),
      byQuality: { measured: d(240), estimated: d(0), default: d(0) },
      records: 2,
      materials: [
        { material: 'material:pe_film', massKg: d('13.6'), co2eKg: d(40) },
        { material: 'material:corrugated_virgin', massKg: d(160), co2eKg: d(200) },
      ],
    },
    factorSetVersions: ['2026.1'],
    ...overrides,
  }
}

describe('allocateGroup', () => {
  it('allocates each element per parcel, TTW and WTT apart', () => {
    const outcome = allocateGroup(group())
    if (outcome.status !== 'ok') throw new Error(outcome.status)
    expect(outcome.hubOperations!.co2eKg.toFixed(6)).toBe('0.062500')
    expect(outcome.hubOperations!.primaryDataShare!.toFixed(2)).toBe('80.00')
    expect(outcome.transport!.ttwKg.toFixed(6)).toBe('0.037500')
    expect(outcome.transport!.wttKg.toFixed(6)).toBe('0.007500')
    expect(outcome.transport!.co2eKg.toFixed(6)).toBe('0.045000')
    expect(outcome.transport!.qualityShares!.default.toFixed(2)).toBe('55.56')
    expect(outcome.transport!.primaryDataShare!.toFixed(2)).toBe('44.44')
    expect(outcome.packaging!.co2eKg.toFixed(6)).toBe('0.030000')
    expect(outcome.packaging!.materials.map((m) => [m.material, m.massKg.toFixed(6), m.co2eKg.toFixed(6)])).toEqual([
      ['material:corrugated_virgin', '0.020000', '0.025000'],
      ['material:pe_film', '0.001700', '0.005000'],
    ])
    expect(outcome.total.co2eKg.toFixed(6)).toBe('0.137500')
    expect(outcome.total.primaryDataShare!.toFixed(2)).toBe('72.73')
    expect(outcome.notReported).toEqual([])
  })

  it('rounds each element half up to 6 decimals, and sums the rounded parts', () => {
    // 1 kg over 3 parcels: 0.333333…; TTW 2 kg → 0.666667; WTT 1 kg → 0.333333; WTW 1.000000 (not 0.999999 + rounding)
    const outcome = allocateGroup(
      group({
        parcels: d(3),
        reportingOutlets: 3,
        hub: { co2eKg: d(1), byQuality: { ...emptySplit(), measured: d(1) }, records: 1 },
        transport: { co2eKg: d(3), ttwKg: d(2), byQuality: { ...emptySplit(), measured: d(3) }, records: 1 },
        packaging: { co2eKg: d(0), byQuality: emptySplit(), records: 0, materials: [] },
      }),
    )
    if (outcome.status !== 'ok') throw new Error(outcome.status)
    expect(outcome.hubOperations!.co2eKg.toFixed()).toBe('0.333333')
    expect([outcome.transport!.ttwKg.toFixed(), outcome.transport!.wttKg.toFixed(), outcome.transport!.co2eKg.toFixed(6)]).toEqual(['0.666667', '0.333333', '1.000000'])
    expect(outcome.total.co2eKg.toFixed(6)).toBe('1.333333')
    // Packaging had no record: not zero, left out, said so.
    expect(outcome.packaging).toBeNull()
    expect(outcome.notReported).toEqual(['packaging'])
  })

  it('withholds a group of fewer than 3 reporting outlets, and gives none without parcels or records', () => {
    expect(allocateGroup(group({ reportingOutlets: 2 })).status).toBe('suppressed')
    expect(allocateGroup(group({ reportingOutlets: 2 }), { withholdSmallGroups: false }).status).toBe('ok')
    expect(allocateGroup(group({ parcels: d(0) })).status).toBe('no_data')
    const none = { co2eKg: d(0), byQuality: emptySplit(), records: 0 }
    expect(publicationStatus(group({ hub: none, transport: { ...none, ttwKg: d(0) }, packaging: { ...none, materials: [] } }))).toBe('no_data')
  })

  it('gives no quality shares for an element whose emissions are zero', () => {
    const outcome = allocateGroup(group({ hub: { co2eKg: d(0), byQuality: emptySplit(), records: 2 } }))
    if (outcome.status !== 'ok') throw new Error(outcome.status)
    expect(outcome.hubOperations!.co2eKg.toFixed(6)).toBe('0.000000')
    expect(outcome.hubOperations!.primaryDataShare).toBeNull()
  })
})

describe('parcelFootprint', () => {
  it('takes the first published intensity of the chain and lists what it passed over', () => {
    const city = allocateGroup(group({ reportingOutlets: 1 }))
    const province = allocateGroup(group({ level: 'province', geographyCode: '410000' }))
    const footprint = parcelFootprint([city, province], { massKg: d('0.5') })
    if (footprint.status !== 'ok') throw new Error(footprint.status)
    expect(footprint.fallbacks).toEqual([{ level: 'city', geographyCode: '410100', reason: 'suppressed' }])
    expect(footprint.intensity.group.geographyCode).toBe('410000')
    expect(footprint.totalKg.toFixed(6)).toBe('0.137500')
    // per tonne: 0.1375 × 1000 ÷ 0.5 = 275
    expect(footprint.perTonneKg!.toFixed(6)).toBe('275.000000')
    expect([footprint.ttwKg!.toFixed(6), footprint.wttKg!.toFixed(6), footprint.wtwKg!.toFixed(6)]).toEqual(['0.037500', '0.007500', '0.045000'])
  })

  it('has no footprint when every level is withheld or empty', () => {
    const footprint = parcelFootprint([allocateGroup(group({ parcels: d(0) })), allocateGroup(group({ reportingOutlets: 0 }))], {})
    expect(footprint).toEqual({ status: 'no_data', fallbacks: [{ level: 'city', geographyCode: '410100', reason: 'no_data' }, { level: 'city', geographyCode: '410100', reason: 'no_data' }] })
  })
})

describe('requests', () => {
  it('reads a batch, normalising waybills and taking masses as decimals', () => {
    const parsed = parseFootprintBatch(JSON.stringify({ parcels: [{ waybillNo: 'sf 1400 0000 00101', brand: 'SF', originCity: '410100', date: '2026-10-15', massKg: 1.25 }] }), '2026-11-22')
    expect(parsed).toMatchObject({ ok: true, value: [{ waybillNo: 'SF1400000000101', brand: 'sf', originCity: '410100', date: '2026-10-15' }] })
    if (parsed.ok) expect(parsed.value[0]!.massKg!.toFixed()).toBe('1.25')
  })

  it('refuses an empty batch and a body that is not an object of parcels', () => {
    expect(parseFootprintBatch('{"parcels":[]}', '2026-11-22')).toMatchObject({ ok: false, errors: [{ field: 'parcels', code: 'parcels_empty' }] })
    expect(parseFootprintBatch('[]', '2026-11-22')).toMatchObject({ ok: false, code: 'validation_failed' })
    expect(parseFootprintBatch('{"parcels":[{}]}', '2026-11-22')).toMatchObject({ ok: false, errors: [{ field: 'parcels.0.waybillNo', code: 'field_required' }, { field: 'parcels.0.brand' }, { field: 'parcels.0.originCity' }, { field: 'parcels.0.date' }] })
  })

  it('reads the intensity query and refuses a province-shaped city or a month to come', () => {
    expect(parseIntensityQuery(new URLSearchParams('brand=sf&region=410000&month=2026-10'), '2026-11')).toEqual({ ok: true, value: { brand: 'sf', region: '410000', month: '2026-10' } })
    expect(parseIntensityQuery(new URLSearchParams('brand=sf&region=410100&month=2026-12'), '2026-11')).toMatchObject({ ok: false, errors: [{ field: 'month', code: 'month_in_future' }] })
    expect(parseIntensityQuery(new URLSearchParams('brand=sf&region=410105&month=2026-10'), '2026-11')).toMatchObject({ ok: false, errors: [{ field: 'region', code: 'region_invalid' }] })
    expect(parseIntensityQuery(new URLSearchParams('region=410100&month=2026-10&month=2026-09'), '2026-11')).toMatchObject({ ok: false, errors: [{ field: 'brand', code: 'field_required' }, { field: 'month', code: 'field_invalid_type' }] })
  })
})
