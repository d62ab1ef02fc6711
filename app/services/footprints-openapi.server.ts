import { partnerApiErrors } from '#app/domain/credits/partner-request.ts'
import { ACTIVITY_QUALITIES, ELEMENTS, maxReportingOutletsNote } from '#app/domain/footprints/allocation.ts'
import { footprintFieldCodes, maxBatchParcels, maxFootprintBodyBytes, maxParcelMassKg } from '#app/domain/footprints/request.ts'
import { footprintRouteErrors, footprintsPath, intensitiesPath, specVersion } from './footprints.server.ts'

/**
 * The footprint endpoints' part of the OpenAPI document: schemas for every
 * answer (the tests validate real answers against them) and the paths.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const kg = { type: 'string', pattern: '^[0-9]+\\.[0-9]{6}$', description: 'kg CO2e, decimal string, 6 decimals (half up).' }
const kgOrNull = { ...kg, type: ['string', 'null'] }
const percent = { type: 'string', pattern: '^[0-9]{1,3}\\.[0-9]{2}$', description: 'Percent, decimal string, 2 decimals.' }
const percentOrNull = { ...percent, type: ['string', 'null'] }
const level = { type: 'string', enum: ['city', 'province', 'national'] }

const qualityShares = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: [...ACTIVITY_QUALITIES],
  description: 'Shares of the element’s emissions by how the activity data was obtained; null when the element’s emissions are zero.',
  properties: Object.fromEntries(ACTIVITY_QUALITIES.map((q) => [q, percent])),
}

const schemas = {
  FootprintError: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: [...Object.keys(partnerApiErrors), ...Object.keys(footprintRouteErrors)] },
          message: ref('Bilingual'),
          fields: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['field', 'code', 'message'],
              properties: {
                field: { type: 'string', description: "Dotted path in the body ('parcels.3.originCity') or the query parameter's name." },
                code: { type: 'string', enum: [...footprintFieldCodes] },
                message: ref('Bilingual'),
              },
            },
          },
        },
      },
    },
  },
  Departure: {
    type: 'object',
    additionalProperties: false,
    required: ['code', 'zh', 'en'],
    properties: { code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } },
  },
  BasedOn: {
    type: 'object',
    additionalProperties: false,
    required: ['pact', 'ileap', 'standards'],
    properties: { pact: { type: 'string' }, ileap: { type: 'string' }, standards: { type: 'array', items: { type: 'string' } } },
  },
  Intensity: {
    type: 'object',
    additionalProperties: false,
    description: [
      'One brand’s emission intensity in one region and month, per parcel: the ISO 14083 / GLEC allocation of hub operations,',
      'transport (TTW and WTT apart) and packaging. Field names follow PACT (referencePeriodStart/End, declaredUnit,',
      'primaryDataShare) and iLEAP (co2eIntensityWTW/TTW, hubActivityUnit, transportActivityUnit) where they apply; the',
      'answer’s `departures` say where they do not. `status` withheld (`suppressed`, fewer than 3 reporting outlets) or',
      '`no_data` records carry no figures.',
    ].join(' '),
    required: ['id', 'status', 'carrier', 'geography', 'referencePeriodStart', 'referencePeriodEnd', 'provisional', 'declaredUnit', 'unit', 'reportingOutlets'],
    properties: {
      id: { type: 'string', description: 'brand:region:month', examples: ['sf:410100:2026-10'] },
      status: { type: 'string', enum: ['published', 'suppressed', 'no_data'] },
      message: ref('Bilingual'),
      carrier: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'nameZh', 'nameEn'],
        properties: { code: { type: 'string' }, nameZh: { type: 'string' }, nameEn: { type: 'string' } },
      },
      geography: {
        type: 'object',
        additionalProperties: false,
        required: ['level', 'code', 'nameZh', 'nameEn', 'geographyCountry'],
        properties: {
          level,
          code: { type: 'string', pattern: '^[0-9]{6}$', description: 'GB/T 2260; 000000 for the nation.' },
          nameZh: { type: 'string' },
          nameEn: { type: 'string' },
          geographyCountry: { type: 'string', enum: ['CN'] },
        },
      },
      referencePeriodStart: { type: 'string', format: 'date-time' },
      referencePeriodEnd: { type: 'string', format: 'date-time', description: 'Exclusive.' },
      provisional: { type: 'boolean', description: 'The month is not over: outlets may still report.' },
      declaredUnit: { type: 'string', enum: ['parcel'] },
      unit: { type: 'string', enum: ['kgCO2e/parcel'] },
      reportingOutlets: { type: 'integer', minimum: 0 },
      parcels: { type: 'string', pattern: '^[0-9]+$', description: 'Parcels handled by the reporting outlets (the allocation base).' },
      factorSetVersions: { type: 'array', items: { type: 'string' }, description: 'Emission factor sets of the figures (see /methodology?version=…).' },
      hubOperations: {
        type: ['object', 'null'],
        additionalProperties: false,
        description: 'Electricity of outlets and sorting centres; electricity has no tank-to-wheel part. Null: not reported.',
        required: ['hubActivityUnit', 'co2eIntensityTTW', 'co2eIntensityWTT', 'co2eIntensityWTW', 'energyCarriers', 'primaryDataShare', 'dataQuality'],
        properties: {
          hubActivityUnit: { type: 'string', enum: ['parcel'] },
          co2eIntensityTTW: kg,
          co2eIntensityWTT: kg,
          co2eIntensityWTW: kg,
          energyCarriers: { type: 'array', items: { type: 'string', enum: ['electricity'] } },
          primaryDataShare: percentOrNull,
          dataQuality: qualityShares,
        },
      },
      transport: {
        type: ['object', 'null'],
        additionalProperties: false,
        description: 'Pick-up and delivery vehicles of the outlets. WTT includes grid electricity of electric vehicles. Null: not reported.',
        required: ['transportActivityUnit', 'co2eIntensityTTW', 'co2eIntensityWTT', 'co2eIntensityWTW', 'primaryDataShare', 'dataQuality'],
        properties: {
          transportActivityUnit: { type: 'string', enum: ['parcel'] },
          co2eIntensityTTW: kg,
          co2eIntensityWTT: kg,
          co2eIntensityWTW: { ...kg, description: 'Published TTW + published WTT.' },
          primaryDataShare: percentOrNull,
          dataQuality: qualityShares,
        },
      },
      packaging: {
        type: ['object', 'null'],
        additionalProperties: false,
        description: 'Packaging used at the outlets, cradle to gate. Null: not reported.',
        required: ['co2eIntensity', 'boundary', 'materials', 'primaryDataShare', 'dataQuality'],
        properties: {
          co2eIntensity: kg,
          boundary: { type: 'string', enum: ['cradle_to_gate'] },
          materials: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['material', 'massKgPerParcel', 'co2eIntensity'],
              properties: { material: { type: 'string' }, massKgPerParcel: { ...kg, description: 'kg of material per parcel.' }, co2eIntensity: kg },
            },
          },
          primaryDataShare: percentOrNull,
          dataQuality: qualityShares,
        },
      },
      total: {
        type: 'object',
        additionalProperties: false,
        required: ['co2eIntensity', 'primaryDataShare', 'dataQuality'],
        properties: { co2eIntensity: { ...kg, description: 'Sum of the published elements.' }, primaryDataShare: percentOrNull, dataQuality: qualityShares },
      },
      notReported: { type: 'array', items: { type: 'string', enum: [...ELEMENTS] }, description: 'Elements with no record: not zero, left out of the total.' },
      created: { type: 'string', format: 'date-time' },
    },
  },
  IntensitiesResponse: {
    type: 'object',
    additionalProperties: false,
    required: ['specVersion', 'basedOn', 'departures', 'intensities'],
    properties: {
      specVersion: { type: 'string', enum: [specVersion] },
      basedOn: ref('BasedOn'),
      departures: { type: 'array', items: ref('Departure') },
      intensities: { type: 'array', items: ref('Intensity'), description: 'The region asked for, then each wider one (province, nation).' },
    },
  },
  ParcelDescription: {
    type: 'object',
    additionalProperties: false,
    required: ['waybillNo', 'brand', 'originCity', 'date'],
    properties: {
      waybillNo: { type: 'string', description: 'Letters and digits, 8-30; spaces are removed and letters upper-cased.', examples: ['SF1400000000101'] },
      brand: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$', examples: ['sf'] },
      originCity: { type: 'string', pattern: '^[0-9]{4}00$', description: 'GB/T 2260 prefecture-level city code.', examples: ['410100'] },
      date: { type: 'string', format: 'date', description: 'Day the parcel was handed to the courier (China time); not in the future.' },
      massKg: { type: ['string', 'number', 'null'], description: `Mass in kg, above 0 and at most ${maxParcelMassKg}; a decimal string is preferred.`, examples: ['1.25'] },
    },
  },
  FootprintBatchRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['parcels'],
    properties: { parcels: { type: 'array', minItems: 1, maxItems: maxBatchParcels, items: ref('ParcelDescription') } },
  },
  Fallback: {
    type: 'object',
    additionalProperties: false,
    required: ['level', 'code', 'reason', 'message'],
    properties: { level, code: { type: 'string', pattern: '^[0-9]{6}$' }, reason: { type: 'string', enum: ['suppressed', 'no_data'] }, message: ref('Bilingual') },
  },
  ParcelFootprint: {
    type: 'object',
    additionalProperties: false,
    required: ['waybillNo', 'carrier', 'originCity', 'date', 'massKg', 'declaredUnit', 'unit', 'fallbacks', 'status', 'intensityId'],
    properties: {
      waybillNo: { type: 'string' },
      carrier: { type: 'string' },
      originCity: { type: 'string' },
      date: { type: 'string', format: 'date' },
      massKg: { type: ['string', 'null'] },
      declaredUnit: { type: 'string', enum: ['parcel'] },
      unit: { type: 'string', enum: ['kgCO2e'] },
      fallbacks: { type: 'array', items: ref('Fallback'), description: 'Narrower regions passed over, and why.' },
      status: { type: 'string', enum: ['ok', 'no_data'] },
      intensityId: { type: ['string', 'null'], description: 'The intensity (in `intensities`) the figures are.' },
      geography: { type: 'object', additionalProperties: false, required: ['level', 'code'], properties: { level, code: { type: 'string' } } },
      hubOperationsCo2eWTW: kgOrNull,
      transportCo2eTTW: kgOrNull,
      transportCo2eWTT: kgOrNull,
      transportCo2eWTW: kgOrNull,
      packagingCo2e: kgOrNull,
      totalCo2e: kg,
      co2ePerTonne: { ...kgOrNull, description: 'kg CO2e per tonne of the parcel: totalCo2e × 1000 ÷ massKg. Null without a mass.' },
      primaryDataShare: percentOrNull,
      notReported: { type: 'array', items: { type: 'string', enum: [...ELEMENTS] } },
      factorSetVersions: { type: 'array', items: { type: 'string' } },
    },
  },
  FootprintBatch: {
    type: 'object',
    additionalProperties: false,
    required: ['specVersion', 'basedOn', 'batch', 'departures', 'footprints', 'intensities'],
    properties: {
      specVersion: { type: 'string', enum: [specVersion] },
      basedOn: ref('BasedOn'),
      batch: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'created', 'parcelCount', 'maxParcels'],
        properties: {
          id: { type: 'string', pattern: '^fpb_[0-9a-f]{24}$' },
          created: { type: 'string', format: 'date-time' },
          parcelCount: { type: 'integer', minimum: 1, maximum: maxBatchParcels },
          maxParcels: { type: 'integer' },
        },
      },
      departures: { type: 'array', items: ref('Departure') },
      footprints: { type: 'array', items: ref('ParcelFootprint') },
      intensities: { type: 'array', items: ref('Intensity'), description: 'Every intensity used or passed over.' },
    },
  },
}

const signedHeaders = [
  { name: 'X-GP-Key-Id', in: 'header', required: true, schema: { type: 'string', pattern: '^gpk_[0-9a-f]{24}$' } },
  { name: 'X-GP-Timestamp', in: 'header', required: true, schema: { type: 'string', pattern: '^[0-9]{1,12}$' } },
  { name: 'X-GP-Signature', in: 'header', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
]
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('FootprintError') } } })
const authErrors = {
  '401': err('key_missing, key_unknown, key_revoked, signature_missing, signature_invalid, timestamp_invalid, timestamp_stale'),
  '405': err('method_not_allowed'),
  '409': err('request_replayed'),
  '429': { ...err('rate_limited'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
  '500': err('internal_error'),
}

const paths = {
  [intensitiesPath]: {
    get: {
      operationId: 'getIntensities',
      summary: 'Emission intensities of a brand, region and month 品牌、地区、月份的排放强度',
      description: 'Signed like every partner request; a GET is signed over an empty body. Public aggregates: any brand may be asked for.',
      parameters: [
        ...signedHeaders,
        { name: 'brand', in: 'query', required: true, schema: { type: 'string', pattern: '^[a-z0-9_-]{1,32}$' }, examples: { sf: { value: 'sf' } } },
        { name: 'region', in: 'query', required: true, description: 'A GB/T 2260 city or province code.', schema: { type: 'string', pattern: '^[0-9]{6}$' } },
        { name: 'month', in: 'query', required: true, schema: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}$' } },
      ],
      responses: {
        '200': { description: 'The region’s intensity and each wider region’s.', content: { 'application/json': { schema: ref('IntensitiesResponse') } } },
        '413': err('body_too_large (a GET has no body)'),
        '422': err('validation_failed (see fields)'),
        ...authErrors,
      },
    },
  },
  [footprintsPath]: {
    post: {
      operationId: 'postFootprintBatch',
      summary: 'Footprints of a batch of parcels 一批包裹的碳足迹',
      parameters: [...signedHeaders, { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' } }],
      requestBody: { required: true, content: { 'application/json': { schema: ref('FootprintBatchRequest') } } },
      responses: {
        '201': {
          description: 'The batch’s footprints, kept under batch.id (or the stored answer of an earlier request with this Idempotency-Key).',
          headers: {
            Location: { schema: { type: 'string' }, description: 'Where to read the batch again.' },
            'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] }, description: 'Present when the answer is a stored one.' },
          },
          content: { 'application/json': { schema: ref('FootprintBatch') } },
        },
        '400': err('body_not_json, idempotency_key_missing, idempotency_key_invalid'),
        '413': err(`body_too_large (over ${maxFootprintBodyBytes / 1024} KB)`),
        '422': err('validation_failed (see fields), idempotency_key_reused'),
        ...authErrors,
      },
    },
  },
  [`${footprintsPath}/{batchId}`]: {
    get: {
      operationId: 'getFootprintBatch',
      summary: 'A batch’s footprints again 再次读取一批包裹的碳足迹',
      parameters: [...signedHeaders, { name: 'batchId', in: 'path', required: true, schema: { type: 'string', pattern: '^fpb_[0-9a-f]{24}$' } }],
      responses: {
        '200': { description: 'The answer as first given.', content: { 'application/json': { schema: ref('FootprintBatch') } } },
        '404': err('batch_not_found: no such batch among this partner’s own'),
        ...authErrors,
      },
    },
  },
}

const description = [
  '**Parcel footprints (ISO 14083 / GLEC v3; PACT with the iLEAP logistics extension).** `GET ' + intensitiesPath + '` gives a brand’s',
  'emission intensities per parcel for a city or province and month (hub operations, transport TTW and WTT apart, packaging),',
  `with each wider region’s; \`POST ${footprintsPath}\` gives the footprints of up to ${maxBatchParcels} parcels you describe`,
  '(waybill, brand, origin city, date, mass where known), computed from those intensities and kept under a batch id that only',
  `you can read again (\`GET ${footprintsPath}/{batchId}\`). ${maxReportingOutletsNote}`,
  'Only aggregates are used: nothing about a consumer. The method, its units and a worked example are on /methodology.',
]

export const footprintOpenApi = { schemas, paths, description }
