import { costedRecordTypes, recordCodes, type CostedRecordType, type RecordCode } from '#app/domain/activity/definitions.ts'
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
  [shipmentStats.code]: shipmentStats,
  [packagingConsumption.code]: packagingConsumption,
  [recoveryBins.code]: recoveryBins,
  [recoveryCollections.code]: recoveryCollections,
  [reusableAssets.code]: reusableAssets,
  [vehicles.code]: vehicles,
  [vehicleUse.code]: vehicleUse,
  [facilityElectricity.code]: facilityElectricity,
}

// The costed codes are listed beside the record codes (their type is needed
// where no descriptor is loaded); a descriptor with costing must be among them.
for (const code of recordCodes) {
  if (Boolean(recordDescriptors[code].costing) !== (costedRecordTypes as readonly string[]).includes(code)) {
    throw new Error(`${code}: its descriptor's costing and costedRecordTypes disagree`)
  }
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

export { facilityElectricity, packagingConsumption, recoveryBins, recoveryCollections, reusableAssets, shipmentStats, vehicleUse, vehicles }
export type { CostingDescriptor, CostRow, DbValue, FieldMap, RecordDescriptor, SqlType } from './descriptor.ts'
