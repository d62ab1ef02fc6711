import type { CostInput } from '#app/domain/emissions/costing.ts'
import {
  countField,
  dataQualityField,
  dateField,
  INTEGER_DIGITS,
  ownerField,
  recorded,
  sqlRecorded,
  sqlYear,
  yearOfDate,
  yearStart,
  type RecordDescriptor,
} from './descriptor.ts'

type Input = Extract<CostInput, { recordType: 'shipment_stats' }>

/** A day's parcels at an outlet; costed as avoided emissions (e-waybills, narrow tape, no re-pack). */
export const shipmentStats = {
  code: 'shipment_stats',
  table: 'shipment_stats',
  fields: [
    ownerField(),
    dateField('date', 'stat_date'),
    countField('parcels', 'parcels'),
    countField('eWaybillParcels', 'e_waybill_parcels'),
    countField('paperWaybillParcels', 'paper_waybill_parcels'),
    countField('ecommerceParcels', 'ecommerce_parcels'),
    countField('ecommerceOriginalPackagingParcels', 'ecommerce_original_parcels'),
    countField('recyclablePackagingParcels', 'recyclable_packaging_parcels'),
    countField('boxParcels', 'box_parcels'),
    countField('narrowTapeBoxParcels', 'narrow_tape_box_parcels'),
    countField('transitBags', 'transit_bags'),
    countField('recyclableTransitBags', 'recyclable_transit_bags'),
    dataQualityField,
  ],
  keyColumns: ['stat_date'],
  dateColumn: 'stat_date',
  costing: {
    columns: ['e_waybill_parcels', 'ecommerce_original_parcels', 'narrow_tape_box_parcels'],
    needs: null,
    input: (row, values, at) => ({
      recordId: row.recordId,
      outletId: row.outletId,
      regionCode: row.regionCode,
      recordType: 'shipment_stats',
      date: row.date,
      eWaybillParcels: values[at[0]!] as number,
      ecommerceOriginalParcels: values[at[1]!] as number | null,
      narrowTapeBoxParcels: values[at[2]!] as number | null,
    }),
    slots: [
      { field: 'eWaybillParcels', kind: 'number', digits: INTEGER_DIGITS },
      { field: 'narrowTapeBoxParcels', kind: 'number', digits: INTEGER_DIGITS },
      { field: 'ecommerceOriginalParcels', kind: 'number', digits: INTEGER_DIGITS },
    ],
    templateOf: (parts) => ({
      input: {
        recordId: '0',
        outletId: 0,
        date: yearStart(parts),
        recordType: 'shipment_stats',
        regionCode: '',
        eWaybillParcels: 1,
        narrowTapeBoxParcels: parts.narrowTape === true ? 1 : null,
        ecommerceOriginalParcels: parts.original === true ? 1 : null,
      },
      present: [true, parts.narrowTape === true, parts.original === true],
    }),
    groupOf: (costInput) => {
      const input = costInput as Input
      const year = yearOfDate(input.date)
      return {
        key: `${year}|${recorded(input.narrowTapeBoxParcels)}|${recorded(input.ecommerceOriginalParcels)}`,
        parts: { year, narrowTape: input.narrowTapeBoxParcels !== null, original: input.ecommerceOriginalParcels !== null },
      }
    },
    sql: {
      from: 'shipment_stats t',
      key: `concat_ws('|', ${sqlYear('stat_date')}, ${sqlRecorded('t.narrow_tape_box_parcels')}, ${sqlRecorded('t.ecommerce_original_parcels')})`,
      parts: `jsonb_build_object('year', ${sqlYear('stat_date')}, 'narrowTape', t.narrow_tape_box_parcels is not null,
      'original', t.ecommerce_original_parcels is not null)`,
      slots: ['t.e_waybill_parcels', 't.narrow_tape_box_parcels', 't.ecommerce_original_parcels'],
      integerSlots: true,
    },
  },
} satisfies RecordDescriptor
