import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { CostedRecordType } from '#app/domain/emissions/types.ts'
import type { CostingDescriptor, RecordDescriptor } from './descriptor.ts'
import { facilityElectricity } from './facility-electricity.ts'
import { packagingConsumption } from './packaging-consumption.ts'
import { recoveryBins } from './recovery-bins.ts'
import { recoveryCollections } from './recovery-collections.ts'
import { reusableAssets } from './reusable-assets.ts'
import { shipmentStats } from './shipment-stats.ts'
import { vehicleUse } from './vehicle-use.ts'
import { vehicles } from './vehicles.ts'

/** Every record type's descriptor, by code. A new record type adds its file here. */
export const recordDescriptors: Readonly<Record<RecordCode, RecordDescriptor>> = {
  shipment_stats: shipmentStats,
  packaging_consumption: packagingConsumption,
  recovery_bins: recoveryBins,
  recovery_collections: recoveryCollections,
  reusable_assets: reusableAssets,
  vehicles,
  vehicle_use: vehicleUse,
  facility_electricity: facilityElectricity,
}

/** How a costed record type is costed (its descriptor must have one). */
export function costingOf(recordType: CostedRecordType): CostingDescriptor {
  const costing = recordDescriptors[recordType].costing
  if (!costing) throw new Error(`${recordType} has no costing descriptor`)
  return costing
}

/** The date column that gives a costed type's rows their month. */
export function dateColumnOf(recordType: CostedRecordType): string {
  const column = recordDescriptors[recordType].dateColumn
  if (column === null) throw new Error(`${recordType} has no date column`)
  return column
}

export type { CostingDescriptor, CostRow, DbValue, FieldMap, RecordDescriptor, SqlType } from './descriptor.ts'
