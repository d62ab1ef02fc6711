import {
  countField,
  dataQualityField,
  dateField,
  decimalField,
  INTEGER_DIGITS,
  ownerField,
  sqlYear,
  textField,
  yearOfDate,
  yearStart,
  type RecordDescriptor,
} from './descriptor.ts'

/** A collection from an outlet's recovery bins; costed as avoided emissions (cartons reused). */
export const recoveryCollections = {
  code: 'recovery_collections',
  table: 'recovery_collections',
  fields: [
    ownerField(),
    dateField('date', 'collection_date'),
    countField('cartonsCollected', 'cartons_collected'),
    countField('cartonsReused', 'cartons_reused'),
    decimalField('recyclerMassKg', 'recycler_mass_kg', 3),
    textField('recyclerName', 'recycler_name'),
    dataQualityField,
  ],
  keyColumns: ['collection_date'],
  dateColumn: 'collection_date',
  costing: {
    columns: ['cartons_reused'],
    needs: null,
    input: (row, values, at) => ({
      recordId: row.recordId,
      outletId: row.outletId,
      regionCode: row.regionCode,
      recordType: 'recovery_collections',
      date: row.date,
      cartonsReused: values[at[0]!] as number,
    }),
    slots: [{ field: 'cartonsReused', kind: 'number', digits: INTEGER_DIGITS }],
    templateOf: (parts) => ({
      input: { recordId: '0', outletId: 0, date: yearStart(parts), recordType: 'recovery_collections', regionCode: '', cartonsReused: 1 },
      present: [true],
    }),
    groupOf: (input) => {
      const year = yearOfDate(input.date)
      return { key: String(year), parts: { year } }
    },
    sql: {
      from: 'recovery_collections t',
      key: `${sqlYear('collection_date')}::text`,
      parts: `jsonb_build_object('year', ${sqlYear('collection_date')})`,
      slots: ['t.cartons_reused'],
      integerSlots: true,
    },
  },
} satisfies RecordDescriptor
