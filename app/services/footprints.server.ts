import { randomBytes } from 'node:crypto'
import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import { chinaDay } from '#app/domain/credits/actions.ts'
import { parseIdempotencyKey } from '#app/domain/credits/partner-request.ts'
import { partnerHeaders, sha256Hex } from '#app/domain/credits/signing.server.ts'
import {
  allocateGroup,
  parcelFootprint,
  publishedDecimals,
  percentDecimals,
  type ActivityQuality,
  type Element,
  type ElementIntensity,
  type GeographyLevel,
  type GroupTotals,
  type IntensityOutcome,
  type ParcelFootprint,
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
import { findFootprintBatch, findFootprintBatchByKey, insertFootprintBatch } from '#db/models/footprints.ts'
import type { Database } from '#db/schema.ts'
import { getFactorSet } from './emissions.server.ts'
import { chainOf, emptyGroup, groupKey, loadGroups, namesFor, thisMonth, type Names } from './footprint-groups.server.ts'
import { apiError, authenticatePartner, guardReplay, type PartnerApiContext, type PartnerHttpRequest, type PartnerHttpResponse } from './partners.server.ts'

type Db = Kysely<Database>

export const intensitiesPath = '/api/partner/v1/intensities'
export const footprintsPath = '/api/partner/v1/footprints'
export const specVersion = 'greenparcel-footprints/1.0'
/** What the exchange format follows where it applies (and departs from, in `departures`). */
export const basedOn = { pact: '2.3', ileap: '1.0', standards: ['ISO 14083:2023', 'GLEC Framework v3.0'] }

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
      ? { hubActivityUnit: 'parcel', co2eIntensityTTW: fixed(new Decimal(0)), co2eIntensityWTT: fixed(hub.co2eKg), co2eIntensityWTW: fixed(hub.co2eKg), energyCarriers: ['electricity'], ...qualityJson(hub) }
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

// ---- the methodology section ------------------------------------------------------------

export type { FootprintExample }

/** The example with the given published set (the one the methodology page shows). */
export async function footprintMethodology(db: Db, version: string): Promise<FootprintExample | null> {
  const found = await getFactorSet(db, version)
  return found.ok ? footprintExample(found.set) : null
}
