import type { CostInput } from '#app/domain/emissions/costing.ts'
import {
  countField,
  dataQualityField,
  INTEGER_DIGITS,
  monthField,
  ownerField,
  sqlYear,
  textField,
  yearOfDate,
  yearStart,
  type RecordDescriptor,
} from './descriptor.ts'

type Input = Extract<CostInput, { recordType: 'reusable_assets' }>

/** A month of reusable boxes or transit bags in circulation; costed as avoided emissions (trips). */
export const reusableAssets = {
  code: 'reusable_assets',
  table: 'reusable_assets',
  fields: [
    ownerField(),
    monthField(),
    textField('assetType', 'asset_type'),
    countField('assetsInCirculation', 'in_circulation'),
    countField('tripsCompleted', 'trips_completed'),
    countField('assetsReturned', 'returns'),
    countField('assetsLost', 'losses'),
    dataQualityField,
  ],
  keyColumns: ['month', 'asset_type'],
  dateColumn: 'month',
  costing: {
    columns: ['asset_type', 'trips_completed'],
    needs: null,
    input: (row, values, at) => ({
      recordId: row.recordId,
      outletId: row.outletId,
      regionCode: row.regionCode,
      recordType: 'reusable_assets',
      date: row.date,
      assetType: values[at[0]!] as 'box' | 'transit_bag',
      tripsCompleted: values[at[1]!] as number,
    }),
    slots: [{ field: 'tripsCompleted', kind: 'number', digits: INTEGER_DIGITS }],
    templateOf: (parts) => ({
      input: {
        recordId: '0',
        outletId: 0,
        date: yearStart(parts),
        recordType: 'reusable_assets',
        regionCode: '',
        assetType: parts.assetType as 'box' | 'transit_bag',
        tripsCompleted: 1,
      },
      present: [true],
    }),
    groupOf: (costInput) => {
      const input = costInput as Input
      const year = yearOfDate(input.date)
      return { key: `${input.assetType}|${year}`, parts: { assetType: input.assetType, year } }
    },
    sql: {
      from: 'reusable_assets t',
      key: `t.asset_type || '|' || ${sqlYear('month')}`,
      parts: `jsonb_build_object('assetType', t.asset_type, 'year', ${sqlYear('month')})`,
      slots: ['t.trips_completed'],
      integerSlots: true,
    },
  },
} satisfies RecordDescriptor
