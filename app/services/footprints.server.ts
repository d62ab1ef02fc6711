import { randomBytes } from 'node:crypto'
import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { chinaDay } from '#app/domain/credits/actions.ts'
import { parseIdempotencyKey } from '#app/domain/credits/partner-request.ts'
import { partnerHeaders, sha256Hex } from '#app/domain/credits/signing.server.ts'
import { toCsv, type CsvColumn } from '#app/domain/export/csv.ts'
import {
  allocateGroup,
  emptySplit,
  nationalCode,
  parcelFootprint,
  publicationStatus,
  publishedDecimals,
  percentDecimals,
  type ActivityQuality,
  type Element,
  type ElementIntensity,
  type GeographyLevel,
  type GroupTotals,
  type IntensityOutcome,
  type ParcelFootprint,
  type QualitySplit,
} from '#app/domain/footprints/allocation.ts'
import { footprintExample, type FootprintExample } from '#app/domain/footprints/example.ts'
import {
  maxBatchParcels,
  maxFootprintBodyBytes,
  parseFootprintBatch,
  parseIntensityQuery,
  type FootprintFieldCode,
  type FootprintFieldError,
  type ParcelRequest,
} from '#app/domain/footprints/request.ts'
import { translate, type MessageKey, type MessageParams } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import {
  brandIdsByCode,
  findFootprintBatch,
  findFootprintBatchByKey,
  footprintGroups,
  footprintMaterials,
  insertFootprintBatch,
  regionsByCode,
  type FootprintGroupRow,
  type FootprintMaterialRow,
} from '#db/models/footprints.ts'
import type { Database } from '#db/schema.ts'
import { getFactorSet } from './emissions.server.ts'
import { apiError, authenticatePartner, guardReplay, type PartnerApiContext, type PartnerHttpRequest, type PartnerHttpResponse } from './partners.server.ts'

type Db = Kysely<Database>

export const intensitiesPath = '/api/partner/v1/intensities'
export const footprintsPath = '/api/partner/v1/footprints'
export const specVersion = 'greenparcel-footprints/1.0'
/** What the exchange format follows where it applies (and departs from, in `departures`). */
export const basedOn = { pact: '2.3', ileap: '1.0', standards: ['ISO 14083:2023', 'GLEC Framework v3.0'] }

// ---- sums → the domain's group totals ------------------------------------------------

const d = (value: string | number) => new Decimal(value)

function groupKey(brandCode: string, level: GeographyLevel, code: string, month: string): string {
  return `${brandCode}|${level}|${code}|${month}`
}

function emptyGroup(brandCode: string, level: GeographyLevel, geographyCode: string, month: string): GroupTotals {
  const none = { co2eKg: d(0), byQuality: emptySplit(), records: 0 }
  return { brandCode, level, geographyCode, month, parcels: d(0), reportingOutlets: 0, hub: none, transport: { ...none, ttwKg: d(0) }, packaging: { ...none, materials: [] }, factorSetVersions: [] }
}

function split(measured: string, estimated: string, byDefault: string): QualitySplit {
  return { measured: d(measured), estimated: d(estimated), default: d(byDefault) }
}

function toGroup(row: FootprintGroupRow, materials: readonly FootprintMaterialRow[], month: string): GroupTotals {
  return {
    brandCode: row.brandCode,
    level: row.level,
    geographyCode: row.geographyCode,
    month,
    parcels: d(row.parcels),
    reportingOutlets: row.reportingOutlets,
    hub: { co2eKg: d(row.hubKg), byQuality: split(row.hubMeasuredKg, row.hubEstimatedKg, row.hubDefaultKg), records: row.hubRecords },
    transport: {
      co2eKg: d(row.fleetKg),
      ttwKg: d(row.fleetTtwKg),
      byQuality: split(row.fleetMeasuredKg, row.fleetEstimatedKg, row.fleetDefaultKg),
      records: row.fleetRecords,
    },
    packaging: {
      co2eKg: d(row.packagingKg),
      byQuality: split(row.packagingMeasuredKg, row.packagingEstimatedKg, row.packagingDefaultKg),
      records: row.packagingRecords,
      materials: materials.map((m) => ({ material: m.material, massKg: d(m.massKg), co2eKg: d(m.co2eKg) })),
    },
    factorSetVersions: [...row.factorSetVersions].sort(),
  }
}

/** Every group of the month for these brands (or the viewer's reach), keyed by groupKey. */
async function loadGroups(db: Db, month: string, filter: { brandIds: readonly number[] | null; viewer: Viewer | null }): Promise<Map<string, GroupTotals>> {
  const args = { month: `${month}-01`, brandIds: filter.brandIds, viewer: filter.viewer }
  const [rows, materials] = await Promise.all([footprintGroups(db, args), footprintMaterials(db, args)])
  const byGroup = new Map<string, FootprintMaterialRow[]>()
  for (const m of materials) {
    const key = `${m.brandId}|${m.level}|${m.geographyCode}`
    byGroup.set(key, [...(byGroup.get(key) ?? []), m])
  }
  const out = new Map<string, GroupTotals>()
  for (const row of rows) {
    out.set(groupKey(row.brandCode, row.level, row.geographyCode, month), toGroup(row, byGroup.get(`${row.brandId}|${row.level}|${row.geographyCode}`) ?? [], month))
  }
  return out
}

/** The geographies a parcel's intensity is looked for in, narrowest first. */
function chainOf(regionCode: string): { level: GeographyLevel; code: string }[] {
  const province = `${regionCode.slice(0, 2)}0000`
  const chain: { level: GeographyLevel; code: string }[] = []
  if (regionCode !== province) chain.push({ level: 'city', code: `${regionCode.slice(0, 4)}00` })
  chain.push({ level: 'province', code: province }, { level: 'national', code: nationalCode })
  return chain
}

// ---- the exchange format (PACT / iLEAP where they apply) -----------------------------

const fixed = (value: Decimal) => value.toFixed(publishedDecimals)
const pct = (value: Decimal | null) => (value === null ? null : value.toFixed(percentDecimals))

function bilingual(key: MessageKey, params?: MessageParams) {
  return { zh: translate('zh-CN', key, params), en: translate('en', key, params) }
}

const departureKeys = ['declaredUnit', 'elements', 'boundary', 'dqi', 'geography', 'rounding', 'chain'] as const

export function departures() {
  return departureKeys.map((code) => ({ code, ...bilingual(`footprints.departure.${code}`) }))
}

interface Names {
  brands: Map<string, { id: number; nameZh: string; nameEn: string }>
  regions: Map<string, { level: string; nameZh: string; nameEn: string }>
}

function qualityJson(element: ElementIntensity) {
  return {
    primaryDataShare: pct(element.primaryDataShare),
    dataQuality: element.qualityShares
      ? (Object.fromEntries(Object.entries(element.qualityShares).map(([k, v]) => [k, v.toFixed(percentDecimals)])) as Record<ActivityQuality, string>)
      : null,
  }
}

function nextMonth(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

export function intensityId(group: Pick<GroupTotals, 'brandCode' | 'geographyCode' | 'month'>): string {
  return `${group.brandCode}:${group.geographyCode}:${group.month}`
}

/** One intensity record: what every parcel of the group carries, with where it comes from. */
function intensityJson(outcome: IntensityOutcome, names: Names, now: Date) {
  const g = outcome.group
  const brand = names.brands.get(g.brandCode)
  const region = g.level === 'national' ? { nameZh: '全国', nameEn: 'China' } : names.regions.get(g.geographyCode)
  const status = outcome.status === 'ok' ? 'published' : outcome.status
  const base = {
    id: intensityId(g),
    status,
    carrier: { code: g.brandCode, nameZh: brand?.nameZh ?? g.brandCode, nameEn: brand?.nameEn ?? g.brandCode },
    geography: { level: g.level, code: g.geographyCode, nameZh: region?.nameZh ?? g.geographyCode, nameEn: region?.nameEn ?? g.geographyCode, geographyCountry: 'CN' },
    referencePeriodStart: `${g.month}-01T00:00:00+08:00`,
    referencePeriodEnd: `${nextMonth(g.month)}-01T00:00:00+08:00`,
    // A month not yet over can still change as outlets report.
    provisional: `${nextMonth(g.month)}-01` > chinaDay(now),
    declaredUnit: 'parcel',
    unit: 'kgCO2e/parcel',
    reportingOutlets: g.reportingOutlets,
  }
  if (outcome.status !== 'ok') {
    return {
      ...base,
      message: bilingual(outcome.status === 'suppressed' ? 'footprints.fallback.suppressed' : 'footprints.fallback.noData', { level: translate('zh-CN', `footprints.level.${g.level}`), code: g.geographyCode }),
    }
  }
  const { hubOperations: hub, transport, packaging, total } = outcome
  return {
    ...base,
    parcels: g.parcels.toFixed(0),
    factorSetVersions: [...g.factorSetVersions],
    hubOperations: hub
      ? { hubActivityUnit: 'parcel', co2eIntensityTTW: fixed(d(0)), co2eIntensityWTT: fixed(hub.co2eKg), co2eIntensityWTW: fixed(hub.co2eKg), energyCarriers: ['electricity'], ...qualityJson(hub) }
      : null,
    transport: transport
      ? { transportActivityUnit: 'parcel', co2eIntensityTTW: fixed(transport.ttwKg), co2eIntensityWTT: fixed(transport.wttKg), co2eIntensityWTW: fixed(transport.co2eKg), ...qualityJson(transport) }
      : null,
    packaging: packaging
      ? {
          co2eIntensity: fixed(packaging.co2eKg),
          boundary: 'cradle_to_gate',
          materials: packaging.materials.map((m) => ({ material: m.material.replace(/^material:/, ''), massKgPerParcel: fixed(m.massKg), co2eIntensity: fixed(m.co2eKg) })),
          ...qualityJson(packaging),
        }
      : null,
    total: { co2eIntensity: fixed(total.co2eKg), ...qualityJson(total) },
    notReported: outcome.notReported,
    created: now.toISOString(),
  }
}

function footprintJson(parcel: ParcelRequest, footprint: ParcelFootprint) {
  const base = {
    waybillNo: parcel.waybillNo,
    carrier: parcel.brand,
    originCity: parcel.originCity,
    date: parcel.date,
    massKg: parcel.massKg ? parcel.massKg.toFixed() : null,
    declaredUnit: 'parcel',
    unit: 'kgCO2e',
    fallbacks: footprint.fallbacks.map((f) => ({
      level: f.level,
      code: f.geographyCode,
      reason: f.reason,
      message: bilingual(f.reason === 'suppressed' ? 'footprints.fallback.suppressed' : 'footprints.fallback.noData', { level: translate('zh-CN', `footprints.level.${f.level}`), code: f.geographyCode }),
    })),
  }
  if (footprint.status !== 'ok') return { ...base, status: 'no_data' as const, intensityId: null }
  const i = footprint.intensity
  const opt = (v: Decimal | null) => (v === null ? null : fixed(v))
  return {
    ...base,
    status: 'ok' as const,
    intensityId: intensityId(i.group),
    geography: { level: i.group.level, code: i.group.geographyCode },
    hubOperationsCo2eWTW: opt(footprint.hubOperationsKg),
    transportCo2eTTW: opt(footprint.ttwKg),
    transportCo2eWTT: opt(footprint.wttKg),
    transportCo2eWTW: opt(footprint.wtwKg),
    packagingCo2e: opt(footprint.packagingKg),
    totalCo2e: fixed(footprint.totalKg),
    co2ePerTonne: opt(footprint.perTonneKg),
    primaryDataShare: pct(i.total.primaryDataShare),
    notReported: i.notReported,
    factorSetVersions: [...i.group.factorSetVersions],
  }
}

// ---- the partner API -----------------------------------------------------------------

const fieldKeys: Record<FootprintFieldCode, MessageKey> = {
  field_required: 'footprints.api.field.required',
  field_invalid_type: 'footprints.api.field.invalidType',
  field_unknown: 'footprints.api.field.unknown',
  parcels_empty: 'footprints.api.field.parcelsEmpty',
  parcels_too_many: 'footprints.api.field.parcelsTooMany',
  waybill_no_invalid: 'footprints.api.field.waybillNoInvalid',
  waybill_no_duplicate: 'footprints.api.field.waybillNoDuplicate',
  brand_invalid: 'footprints.api.field.brandInvalid',
  brand_unknown: 'footprints.api.field.brandUnknown',
  origin_city_invalid: 'footprints.api.field.originCityInvalid',
  origin_city_unknown: 'footprints.api.field.originCityUnknown',
  region_invalid: 'footprints.api.field.regionInvalid',
  region_unknown: 'footprints.api.field.regionUnknown',
  date_invalid: 'footprints.api.field.dateInvalid',
  date_in_future: 'footprints.api.field.dateInFuture',
  month_invalid: 'footprints.api.field.monthInvalid',
  month_in_future: 'footprints.api.field.monthInFuture',
  mass_invalid: 'footprints.api.field.massInvalid',
}

/** Error codes of the footprint endpoints beyond the partner API's own (same envelope). */
export const footprintRouteErrors = {
  batch_not_found: { status: 404, key: 'footprints.api.batchNotFound' },
  method_not_allowed: { status: 405, key: 'footprints.api.methodNotAllowed' },
  body_too_large: { status: 413, key: 'footprints.api.bodyTooLarge' },
} as const satisfies Record<string, { status: number; key: MessageKey }>

export function footprintError(code: keyof typeof footprintRouteErrors, headers: Record<string, string> = {}): PartnerHttpResponse {
  const spec = footprintRouteErrors[code]
  return { status: spec.status, headers, body: { error: { code, message: bilingual(spec.key, { max: maxFootprintBodyBytes / 1024 }) } } }
}

function validationError(code: 'body_not_json' | 'validation_failed', errors: readonly FootprintFieldError[]): PartnerHttpResponse {
  const answer = apiError(code)
  const body = answer.body as { error: Record<string, unknown> }
  if (errors.length > 0) {
    body.error.fields = errors.map((e) => ({ field: e.field, code: e.code, message: bilingual(fieldKeys[e.code], e.params) }))
  }
  return answer
}

export type FootprintApiContext = Pick<PartnerApiContext, 'db' | 'keys' | 'toleranceSeconds'>

function thisMonth(now: Date): string {
  return chinaDay(now).slice(0, 7)
}

async function namesFor(db: Db, brandCodes: readonly string[], regionCodes: readonly string[]): Promise<Names> {
  const [brands, regions] = await Promise.all([brandIdsByCode(db, brandCodes), regionsByCode(db, regionCodes)])
  return { brands, regions }
}

/**
 * GET /api/partner/v1/intensities?brand=sf&region=410100&month=2026-10: the
 * intensities of that brand, region and month, and of every wider region (a
 * city's chain is city, province, nation), each published or withheld.
 * Public aggregates: any partner may read any brand's.
 */
export async function handleIntensities(ctx: FootprintApiContext, req: PartnerHttpRequest, now: Date): Promise<PartnerHttpResponse> {
  if (req.method.toUpperCase() !== 'GET') return footprintError('method_not_allowed', { Allow: 'GET' })
  if (req.body.byteLength > 0) return footprintError('body_too_large')
  const auth = await authenticatePartner(ctx, req, now)
  if (!auth.ok) return auth.response
  const replayed = await guardReplay(ctx, auth.key.partnerId, auth.signature, now)
  if (replayed) return replayed

  const query = parseIntensityQuery(new URL(req.path, 'http://partner.invalid').searchParams, thisMonth(now))
  if (!query.ok) return validationError(query.code, query.errors)
  const { brand, region, month } = query.value
  const chain = chainOf(region)
  const names = await namesFor(ctx.db, [brand], chain.filter((c) => c.level !== 'national').map((c) => c.code))
  const brandRow = names.brands.get(brand)
  const errors: FootprintFieldError[] = []
  if (!brandRow) errors.push({ field: 'brand', code: 'brand_unknown' })
  if (!names.regions.has(region)) errors.push({ field: 'region', code: 'region_unknown' })
  if (errors.length > 0 || !brandRow) return validationError('validation_failed', errors)

  const groups = await loadGroups(ctx.db, month, { brandIds: [brandRow.id], viewer: null })
  const intensities = chain.map(({ level, code }) => {
    const group = groups.get(groupKey(brand, level, code, month)) ?? emptyGroup(brand, level, code, month)
    return intensityJson(allocateGroup(group), names, now)
  })
  return { status: 200, headers: {}, body: { specVersion, basedOn, departures: departures(), intensities } }
}

const batchIdPattern = /^fpb_[0-9a-f]{24}$/

/**
 * POST /api/partner/v1/footprints: the footprints of up to maxBatchParcels
 * parcels the partner describes, computed from the public intensities, kept
 * under a batch id for the partner to read again. Idempotent by
 * Idempotency-Key, like the green actions.
 */
export async function handleFootprintBatch(ctx: FootprintApiContext, req: PartnerHttpRequest, now: Date): Promise<PartnerHttpResponse> {
  if (req.method.toUpperCase() !== 'POST') return footprintError('method_not_allowed', { Allow: 'POST' })
  if (req.body.byteLength > maxFootprintBodyBytes) return footprintError('body_too_large')
  const auth = await authenticatePartner(ctx, req, now)
  if (!auth.ok) return auth.response
  const idempotency = parseIdempotencyKey(req.headers.get(partnerHeaders.idempotencyKey))
  if (!idempotency.ok) return apiError(idempotency.code)
  const replayed = await guardReplay(ctx, auth.key.partnerId, auth.signature, now)
  if (replayed) return replayed

  const partnerId = auth.key.partnerId
  const bodySha256 = sha256Hex(req.body)
  const stored = async (): Promise<PartnerHttpResponse | null> => {
    const found = await findFootprintBatchByKey(ctx.db, partnerId, idempotency.key)
    if (!found) return null
    if (found.bodySha256 !== bodySha256) return apiError('idempotency_key_reused')
    return { status: 201, body: found.response, headers: { 'Idempotent-Replayed': 'true' } }
  }
  const earlier = await stored()
  if (earlier) return earlier

  const parsed = parseFootprintBatch(new TextDecoder().decode(req.body), chinaDay(now))
  if (!parsed.ok) return validationError(parsed.code, parsed.errors)
  const parcels = parsed.value

  const brandCodes = [...new Set(parcels.map((p) => p.brand))]
  const cityCodes = [...new Set(parcels.map((p) => p.originCity))]
  const provinceCodes = [...new Set(cityCodes.map((c) => `${c.slice(0, 2)}0000`))]
  const names = await namesFor(ctx.db, brandCodes, [...cityCodes, ...provinceCodes])
  const errors: FootprintFieldError[] = []
  parcels.forEach((p, i) => {
    if (!names.brands.has(p.brand)) errors.push({ field: `parcels.${i}.brand`, code: 'brand_unknown' })
    if (names.regions.get(p.originCity)?.level !== 'city') {
      errors.push({ field: `parcels.${i}.originCity`, code: 'origin_city_unknown' })
    }
  })
  if (errors.length > 0) return validationError('validation_failed', errors)

  const brandIds = brandCodes.map((code) => names.brands.get(code)!.id)
  const months = [...new Set(parcels.map((p) => p.date.slice(0, 7)))].sort()
  const groups = new Map<string, GroupTotals>()
  for (const month of months) {
    for (const [key, group] of await loadGroups(ctx.db, month, { brandIds, viewer: null })) groups.set(key, group)
  }
  const outcomes = new Map<string, IntensityOutcome>()
  const outcomeOf = (brand: string, level: GeographyLevel, code: string, month: string) => {
    const key = groupKey(brand, level, code, month)
    let outcome = outcomes.get(key)
    if (!outcome) {
      outcome = allocateGroup(groups.get(key) ?? emptyGroup(brand, level, code, month))
      outcomes.set(key, outcome)
    }
    return outcome
  }
  const used = new Map<string, IntensityOutcome>()
  const footprints = parcels.map((parcel) => {
    const month = parcel.date.slice(0, 7)
    const chain = chainOf(parcel.originCity).map(({ level, code }) => outcomeOf(parcel.brand, level, code, month))
    const footprint = parcelFootprint(chain, { massKg: parcel.massKg })
    // The intensities the answer rests on: the one used and every one passed over.
    for (const outcome of chain) {
      used.set(intensityId(outcome.group), outcome)
      if (outcome.status === 'ok') break
    }
    return footprintJson(parcel, footprint)
  })

  const id = `fpb_${randomBytes(12).toString('hex')}`
  const body = {
    specVersion,
    basedOn,
    batch: { id, created: now.toISOString(), parcelCount: parcels.length, maxParcels: maxBatchParcels },
    departures: departures(),
    footprints,
    intensities: [...used.values()].map((o) => intensityJson(o, names, now)),
  }
  const inserted = await insertFootprintBatch(ctx.db, { partnerId, id, keyId: auth.keyId, idempotencyKey: idempotency.key, bodySha256, parcelCount: parcels.length, response: body })
  if (inserted === undefined) {
    // A concurrent request with the same key committed first: its answer stands.
    const answer = await stored()
    if (answer) return answer
    throw new Error('footprint batch claimed but not found')
  }
  return { status: 201, headers: { Location: `${footprintsPath}/${id}` }, body }
}

/** GET /api/partner/v1/footprints/{id}: a batch's answer again, to the partner that asked for it and no other. */
export async function handleFootprintBatchRead(ctx: FootprintApiContext, req: PartnerHttpRequest, batchId: string, now: Date): Promise<PartnerHttpResponse> {
  if (req.method.toUpperCase() !== 'GET') return footprintError('method_not_allowed', { Allow: 'GET' })
  if (req.body.byteLength > 0) return footprintError('body_too_large')
  const auth = await authenticatePartner(ctx, req, now)
  if (!auth.ok) return auth.response
  const replayed = await guardReplay(ctx, auth.key.partnerId, auth.signature, now)
  if (replayed) return replayed
  if (!batchIdPattern.test(batchId)) return footprintError('batch_not_found')
  const found = await findFootprintBatch(ctx.db, auth.key.partnerId, batchId)
  if (!found) return footprintError('batch_not_found')
  return { status: 200, headers: {}, body: found.response }
}

// ---- the intensities CSV (brand admins, bureaus, admins) -------------------------------

export const intensityCsvRoles = ['carrier_admin', 'bureau_officer', 'admin'] as const

/**
 * The levels a viewer's reach covers whole: a brand admin and an admin every
 * level; a province bureau its cities and itself; a city bureau its city. A
 * wider group summed over part of its outlets would be a figure nobody else
 * sees, so it is not given.
 */
function levelsFor(viewer: Viewer): GeographyLevel[] {
  if (viewer.role === 'admin' || viewer.role === 'carrier_admin') return ['city', 'province', 'national']
  if (viewer.role === 'bureau_officer' && viewer.regionCode) {
    if (viewer.regionCode.endsWith('0000')) return ['city', 'province']
    if (viewer.regionCode.endsWith('00')) return ['city']
  }
  return []
}

interface CsvRow extends Record<string, string | number | Decimal | null> {
  month: string
  brandCode: string
  brand: string
  level: string
  regionCode: string
  region: string
  reportingOutlets: number
  parcels: Decimal
  hub: Decimal | null
  ttw: Decimal | null
  wtt: Decimal | null
  wtw: Decimal | null
  packaging: Decimal | null
  total: Decimal | null
  primaryShare: Decimal | null
  versions: string
  apiStatus: string
  notReported: string
}

export type IntensityCsvResult = { ok: true; text: string; fileName: string; asciiName: string } | { ok: false; status: 400 | 403 }

/**
 * The intensities the partner API gives, for the viewer's own reach (scoped
 * in SQL), with the figures the API withholds shown to those entitled to
 * them (a regulator, the brand itself) and a column saying what partners see.
 */
export async function intensitiesCsv(db: Db, viewer: Viewer, monthParam: string | null, locale: Locale, now: Date): Promise<IntensityCsvResult> {
  if (!(intensityCsvRoles as readonly string[]).includes(viewer.role)) return { ok: false, status: 403 }
  const current = thisMonth(now)
  const month = monthParam ?? current
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month) || month > current) return { ok: false, status: 400 }
  const levels = levelsFor(viewer)
  const groups = [...(await loadGroups(db, month, { brandIds: null, viewer })).values()].filter((g) => levels.includes(g.level))
  const names = await namesFor(db, [...new Set(groups.map((g) => g.brandCode))], [...new Set(groups.map((g) => g.geographyCode))])
  const t = (key: MessageKey) => translate(locale, key)
  const rows: CsvRow[] = groups.map((group) => {
    const status = publicationStatus(group)
    const outcome = allocateGroup(group, { withholdSmallGroups: false })
    const ok = outcome.status === 'ok' ? outcome : null
    const brand = names.brands.get(group.brandCode)
    const region = group.level === 'national' ? null : names.regions.get(group.geographyCode)
    return {
      month,
      brandCode: group.brandCode,
      brand: brand ? (locale === 'zh-CN' ? brand.nameZh : brand.nameEn) : group.brandCode,
      level: t(`footprints.level.${group.level}`),
      regionCode: group.geographyCode,
      region: region ? (locale === 'zh-CN' ? region.nameZh : region.nameEn) : t('footprints.level.national'),
      reportingOutlets: group.reportingOutlets,
      parcels: group.parcels,
      hub: ok?.hubOperations?.co2eKg ?? null,
      ttw: ok?.transport?.ttwKg ?? null,
      wtt: ok?.transport?.wttKg ?? null,
      wtw: ok?.transport?.co2eKg ?? null,
      packaging: ok?.packaging?.co2eKg ?? null,
      total: ok?.total.co2eKg ?? null,
      primaryShare: ok?.total.primaryDataShare ?? null,
      versions: group.factorSetVersions.join(' '),
      apiStatus: t(status === 'published' ? 'footprints.csv.status.published' : status === 'suppressed' ? 'footprints.csv.status.suppressed' : 'footprints.csv.status.noData'),
      notReported: (ok?.notReported ?? []).map((e: Element) => t(`footprints.element.${e}`)).join(' '),
    }
  })
  const columns: CsvColumn<CsvRow>[] = [
    { key: 'month', header: { key: 'footprints.csv.month' }, type: 'text' },
    { key: 'brandCode', header: { key: 'footprints.csv.brandCode' }, type: 'text' },
    { key: 'brand', header: { key: 'footprints.csv.brand' }, type: 'text' },
    { key: 'level', header: { key: 'footprints.csv.level' }, type: 'text' },
    { key: 'regionCode', header: { key: 'footprints.csv.regionCode' }, type: 'text' },
    { key: 'region', header: { key: 'footprints.csv.region' }, type: 'text' },
    { key: 'reportingOutlets', header: { key: 'footprints.csv.reportingOutlets' }, type: 'number' },
    { key: 'parcels', header: { key: 'footprints.csv.parcels' }, type: 'number' },
    { key: 'hub', header: { key: 'footprints.csv.hub' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'ttw', header: { key: 'footprints.csv.ttw' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'wtt', header: { key: 'footprints.csv.wtt' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'wtw', header: { key: 'footprints.csv.wtw' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'packaging', header: { key: 'footprints.csv.packaging' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'total', header: { key: 'footprints.csv.total' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'primaryShare', header: { key: 'footprints.csv.primaryShare' }, type: 'number', fractionDigits: percentDecimals },
    { key: 'versions', header: { key: 'footprints.csv.versions' }, type: 'text' },
    { key: 'apiStatus', header: { key: 'footprints.csv.apiStatus' }, type: 'text' },
    { key: 'notReported', header: { key: 'footprints.csv.notReported' }, type: 'text' },
  ]
  return {
    ok: true,
    text: toCsv(columns, rows, locale),
    fileName: `${t('footprints.csv.fileName')}-${month}.csv`,
    asciiName: `parcel-footprint-intensities-${month}.csv`,
  }
}

// ---- the methodology section ------------------------------------------------------------

export type { FootprintExample }

/** The example with the given published set (the one the methodology page shows). */
export async function footprintMethodology(db: Db, version: string): Promise<FootprintExample | null> {
  const found = await getFactorSet(db, version)
  return found.ok ? footprintExample(found.set) : null
}
