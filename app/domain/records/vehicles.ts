import { dataQualityField, dateField, ownerField, textField, type RecordDescriptor } from './descriptor.ts'

/** The vehicle register: one row per vehicle, no month of its own; not costed. */
export const vehicles = {
  code: 'vehicles',
  table: 'vehicles',
  fields: [
    textField('plate', 'plate'),
    ownerField(),
    textField('vehicleClass', 'vehicle_class'),
    textField('energy', 'energy'),
    textField('emissionStandard', 'emission_standard'),
    dateField('inServiceFrom', 'in_service_from'),
    dateField('inServiceTo', 'in_service_to'),
    textField('acquisition', 'acquisition'),
    dataQualityField,
  ],
  keyColumns: ['plate'],
  dateColumn: null,
} satisfies RecordDescriptor
