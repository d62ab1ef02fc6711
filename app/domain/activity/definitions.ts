import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import type { ActivityContext, IssueCode } from './context.ts'
import { acquisitions, assetTypes, dataQualities, emissionStandards, energies, vehicleClasses } from './enums.ts'
import type { FieldDefinition, FieldValue } from './fields.ts'
import { checkVehicle, checkVehicleUse } from './vehicle-rules.ts'

export const recordCodes = [
  'shipment_stats',
  'packaging_consumption',
  'recovery_bins',
  'recovery_collections',
  'reusable_assets',
  'vehicles',
  'vehicle_use',
  'facility_electricity',
] as const
export type RecordCode = (typeof recordCodes)[number]

/** The record types that produce emission results (their descriptors have a costing). */
export const costedRecordTypes = [
  'shipment_stats',
  'packaging_consumption',
  'recovery_collections',
  'reusable_assets',
  'vehicle_use',
  'facility_electricity',
] as const satisfies readonly RecordCode[]
export type CostedRecordType = (typeof costedRecordTypes)[number]

export type Report = (field: string, code: IssueCode, key: MessageKey, params: MessageParams) => void

/**
 * One kind of activity record. The plausibility rules are declared as data
 * where they can be (a part within its whole, parts adding up to a whole, an
 * end not before its start) and as a function only where they need the
 * vehicle register or the plausibility ranges.
 */
export interface RecordDefinition<F extends readonly FieldDefinition[] = readonly FieldDefinition[]> {
  code: RecordCode
  label: MessageKey
  fields: F
  /** Fields that identify one record: a second record with the same values is a duplicate. */
  naturalKey: readonly F[number]['code'][]
  /** part ≤ whole; a part given without its whole is an error too. */
  partOfWhole?: readonly { part: F[number]['code']; whole: F[number]['code'] }[]
  /** The parts add up exactly to the whole. */
  sumsTo?: readonly { parts: readonly F[number]['code'][]; whole: F[number]['code'] }[]
  dateOrder?: readonly { start: F[number]['code']; end: F[number]['code'] }[]
  /** Entered once a month per outlet (or per vehicle): the outlet's month lists it as missing until it is. */
  enteredMonthly?: true
  /** Record-level rules; runs only when every field was read without a problem. */
  check?: (record: Readonly<Record<string, unknown>>, ctx: ActivityContext, report: Report) => void
}

/** The typed record a definition yields. */
export type RecordOf<D extends { fields: readonly FieldDefinition[] }> = {
  -readonly [F in D['fields'][number] as F['code']]: FieldValue<F>
}

function defineRecord<const F extends readonly FieldDefinition[]>(definition: RecordDefinition<F>): RecordDefinition<F> {
  return definition
}

const dataQuality = {
  code: 'dataQuality',
  kind: 'enum',
  label: 'activity.field.dataQuality',
  required: true,
  enum: dataQualities,
  example: 'measured',
  headerAliases: ['data_quality'],
} as const

const outletCode = {
  code: 'outletCode',
  kind: 'code',
  label: 'activity.field.outletCode',
  required: true,
  maxLength: 64,
  ref: 'outlet',
  example: 'SF-410105-01',
  headerAliases: ['outlet_code', 'outlet', '网点代码', '网点'],
} as const

const day = {
  code: 'date',
  kind: 'date',
  label: 'activity.field.date',
  required: true,
  example: '2024-03-01',
  headerAliases: ['日期（年月日）'],
} as const

const month = {
  code: 'month',
  kind: 'month',
  label: 'activity.field.month',
  required: true,
  example: '2024-03',
  headerAliases: ['年月'],
} as const

function count<const C extends string, const R extends boolean>(code: C, label: MessageKey, required: R, example: string) {
  return { code, kind: 'count', label, required, example } as const
}

export const shipmentStats = defineRecord({
  code: 'shipment_stats',
  label: 'activity.record.shipment_stats',
  fields: [
    outletCode,
    day,
    count('parcels', 'activity.field.parcels', true, '1200'),
    count('eWaybillParcels', 'activity.field.eWaybillParcels', true, '1150'),
    count('paperWaybillParcels', 'activity.field.paperWaybillParcels', true, '50'),
    count('ecommerceParcels', 'activity.field.ecommerceParcels', false, '900'),
    count('ecommerceOriginalPackagingParcels', 'activity.field.ecommerceOriginalPackagingParcels', false, '600'),
    count('recyclablePackagingParcels', 'activity.field.recyclablePackagingParcels', false, '30'),
    count('boxParcels', 'activity.field.boxParcels', false, '700'),
    count('narrowTapeBoxParcels', 'activity.field.narrowTapeBoxParcels', false, '650'),
    count('transitBags', 'activity.field.transitBags', false, '40'),
    count('recyclableTransitBags', 'activity.field.recyclableTransitBags', false, '36'),
    dataQuality,
  ],
  naturalKey: ['outletCode', 'date'],
  partOfWhole: [
    { part: 'eWaybillParcels', whole: 'parcels' },
    { part: 'paperWaybillParcels', whole: 'parcels' },
    { part: 'ecommerceParcels', whole: 'parcels' },
    { part: 'ecommerceOriginalPackagingParcels', whole: 'ecommerceParcels' },
    { part: 'recyclablePackagingParcels', whole: 'parcels' },
    { part: 'boxParcels', whole: 'parcels' },
    { part: 'narrowTapeBoxParcels', whole: 'boxParcels' },
    { part: 'recyclableTransitBags', whole: 'transitBags' },
  ],
  sumsTo: [{ parts: ['eWaybillParcels', 'paperWaybillParcels'], whole: 'parcels' }],
})

export const packagingConsumption = defineRecord({
  code: 'packaging_consumption',
  label: 'activity.record.packaging_consumption',
  fields: [
    outletCode,
    {
      code: 'period',
      kind: 'dateOrMonth',
      label: 'activity.field.period',
      required: true,
      example: '2024-03',
      headerAliases: ['日期', '月份', 'date', 'month'],
    },
    {
      code: 'itemCode',
      kind: 'code',
      label: 'activity.field.itemCode',
      required: true,
      maxLength: 64,
      ref: 'packagingItem',
      example: 'BOX-3',
      headerAliases: ['item_code', '物品编码', '耗材编码'],
    },
    { ...count('itemCount', 'activity.field.itemCount', true, '500'), headerAliases: ['数量', 'quantity', 'qty'] },
    dataQuality,
  ],
  enteredMonthly: true,
  naturalKey: ['outletCode', 'period', 'itemCode'],
})

export const recoveryBins = defineRecord({
  code: 'recovery_bins',
  label: 'activity.record.recovery_bins',
  fields: [
    outletCode,
    { code: 'asOfDate', kind: 'date', label: 'activity.field.asOfDate', required: true, example: '2024-03-01', headerAliases: ['as_of', '日期', 'date'] },
    count('installedBins', 'activity.field.installedBins', true, '2'),
    count('labelledBins', 'activity.field.labelledBins', true, '2'),
    count('inServiceBins', 'activity.field.inServiceBins', true, '1'),
    dataQuality,
  ],
  naturalKey: ['outletCode', 'asOfDate'],
  partOfWhole: [
    { part: 'labelledBins', whole: 'installedBins' },
    { part: 'inServiceBins', whole: 'installedBins' },
  ],
})

export const recoveryCollections = defineRecord({
  code: 'recovery_collections',
  label: 'activity.record.recovery_collections',
  fields: [
    outletCode,
    day,
    count('cartonsCollected', 'activity.field.cartonsCollected', true, '120'),
    count('cartonsReused', 'activity.field.cartonsReused', true, '80'),
    {
      code: 'recyclerMassKg',
      kind: 'decimal',
      unit: 'kg',
      label: 'activity.field.recyclerMassKg',
      required: false,
      example: '12.5',
      headerAliases: ['recycler_mass_kg', '交售重量（千克）', '交售重量(kg)'],
    },
    {
      code: 'recyclerName',
      kind: 'text',
      label: 'activity.field.recyclerName',
      required: false,
      maxLength: 200,
      example: { key: 'activity.example.recyclerName' },
      headerAliases: ['recycler', '回收企业'],
    },
    dataQuality,
  ],
  naturalKey: ['outletCode', 'date'],
  partOfWhole: [{ part: 'cartonsReused', whole: 'cartonsCollected' }],
  check(record, _ctx, report) {
    const mass = record.recyclerMassKg as { isZero(): boolean } | null
    if (mass !== null && !mass.isZero() && record.recyclerName === null) {
      report('recyclerName', 'recycler_name_required', 'activity.error.recyclerNameRequired', { field: 'recyclerName' })
    }
  },
})

export const reusableAssets = defineRecord({
  code: 'reusable_assets',
  label: 'activity.record.reusable_assets',
  fields: [
    outletCode,
    month,
    { code: 'assetType', kind: 'enum', label: 'activity.field.assetType', required: true, enum: assetTypes, example: 'box', headerAliases: ['asset_type', '类型'] },
    count('assetsInCirculation', 'activity.field.assetsInCirculation', true, '300'),
    count('tripsCompleted', 'activity.field.tripsCompleted', true, '900'),
    count('assetsReturned', 'activity.field.assetsReturned', true, '850'),
    count('assetsLost', 'activity.field.assetsLost', true, '6'),
    dataQuality,
  ],
  naturalKey: ['outletCode', 'month', 'assetType'],
})

export const vehicles = defineRecord({
  code: 'vehicles',
  label: 'activity.record.vehicles',
  fields: [
    { code: 'plate', kind: 'plate', label: 'activity.field.plate', required: true, example: '豫A12345', headerAliases: ['车牌', '号牌', 'plate_number', 'licence_plate', 'license_plate'] },
    outletCode,
    { code: 'vehicleClass', kind: 'enum', label: 'activity.field.vehicleClass', required: true, enum: vehicleClasses, example: 'light_van', headerAliases: ['vehicle_class', 'class', '车型'] },
    { code: 'energy', kind: 'enum', label: 'activity.field.energy', required: true, enum: energies, example: 'BEV', headerAliases: ['能源', '燃料类型', 'fuel_type', 'energy_type'] },
    { code: 'emissionStandard', kind: 'enum', label: 'activity.field.emissionStandard', required: true, enum: emissionStandards, example: 'none', headerAliases: ['emission_standard', '排放阶段'] },
    { code: 'inServiceFrom', kind: 'date', label: 'activity.field.inServiceFrom', required: true, example: '2023-06-01', headerAliases: ['in_service_from', '投入使用日期'] },
    { code: 'inServiceTo', kind: 'date', label: 'activity.field.inServiceTo', required: false, allowFuture: true, example: '', headerAliases: ['in_service_to', '退出使用日期'] },
    { code: 'acquisition', kind: 'enum', label: 'activity.field.acquisition', required: true, enum: acquisitions, example: 'new', headerAliases: ['购置类型'] },
    dataQuality,
  ],
  naturalKey: ['plate'],
  dateOrder: [{ start: 'inServiceFrom', end: 'inServiceTo' }],
  check: checkVehicle,
})

export const vehicleUse = defineRecord({
  code: 'vehicle_use',
  label: 'activity.record.vehicle_use',
  fields: [
    { code: 'plate', kind: 'plate', label: 'activity.field.plate', required: true, ref: 'vehicle', example: '豫A12345', headerAliases: ['车牌', '号牌', 'plate_number', 'licence_plate', 'license_plate'] },
    month,
    { code: 'distanceKm', kind: 'decimal', unit: 'km', label: 'activity.field.distanceKm', required: true, example: '2150', headerAliases: ['distance_km', '里程', '行驶里程', '里程(km)', 'distance'] },
    { code: 'fuelLitres', kind: 'decimal', unit: 'L', label: 'activity.field.fuelLitres', required: false, example: '', headerAliases: ['fuel_litres', 'fuel_l', 'fuel(l)', '燃油(l)', '油耗（升）'] },
    { code: 'fuelKg', kind: 'decimal', unit: 'kg', label: 'activity.field.fuelKg', required: false, example: '', headerAliases: ['fuel_kg', '燃料(kg)', '燃气（千克）'] },
    { code: 'electricityKwh', kind: 'decimal', unit: 'kWh', label: 'activity.field.electricityKwh', required: false, example: '430', headerAliases: ['electricity_kwh', '用电量', '电量（千瓦时）', '用电量(kwh)'] },
    dataQuality,
  ],
  enteredMonthly: true,
  naturalKey: ['plate', 'month'],
  check: checkVehicleUse,
})

export const facilityElectricity = defineRecord({
  code: 'facility_electricity',
  label: 'activity.record.facility_electricity',
  fields: [
    { ...outletCode, code: 'siteCode', label: 'activity.field.siteCode', ref: 'site', headerAliases: ['site_code', '网点编码', '分拣中心编码', 'outlet_code', 'outletcode'] },
    month,
    { code: 'electricityKwh', kind: 'decimal', unit: 'kWh', label: 'activity.field.electricityKwh', required: true, example: '1860', headerAliases: ['electricity_kwh', '用电量', '电量（千瓦时）', '用电量(kwh)'] },
    dataQuality,
  ],
  enteredMonthly: true,
  naturalKey: ['siteCode', 'month'],
})

export const recordDefinitions = {
  shipment_stats: shipmentStats,
  packaging_consumption: packagingConsumption,
  recovery_bins: recoveryBins,
  recovery_collections: recoveryCollections,
  reusable_assets: reusableAssets,
  vehicles,
  vehicle_use: vehicleUse,
  facility_electricity: facilityElectricity,
} as const satisfies Record<RecordCode, RecordDefinition>

export type RecordDefinitions = typeof recordDefinitions
export type ActivityRecord<C extends RecordCode> = RecordOf<RecordDefinitions[C]>

export function isRecordCode(value: unknown): value is RecordCode {
  return typeof value === 'string' && (recordCodes as readonly string[]).includes(value)
}

export function fieldOf(definition: RecordDefinition, code: string): FieldDefinition | undefined {
  return definition.fields.find((field) => field.code === code)
}
