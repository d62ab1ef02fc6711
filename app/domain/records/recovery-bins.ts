import { countField, dataQualityField, dateField, ownerField, type RecordDescriptor } from './descriptor.ts'

/** A snapshot of an outlet's recovery bins; not costed. */
export const recoveryBins = {
  code: 'recovery_bins',
  table: 'recovery_bins',
  fields: [
    ownerField(),
    dateField('asOfDate', 'as_of_date'),
    countField('installedBins', 'installed_bins'),
    countField('labelledBins', 'labelled_bins'),
    countField('inServiceBins', 'in_service_bins'),
    dataQualityField,
  ],
  keyColumns: ['as_of_date'],
  dateColumn: 'as_of_date',
} satisfies RecordDescriptor
