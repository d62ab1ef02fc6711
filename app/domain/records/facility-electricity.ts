import type { CostInput } from '#app/domain/emissions/costing.ts'
import { dataQualityField, decimalField, monthField, ownerField, sqlYear, yearOfDate, yearStart, type RecordDescriptor } from './descriptor.ts'

type Input = Extract<CostInput, { recordType: 'facility_electricity' }>

/** A month of a site's metered electricity; costed as facility emissions (kWh × grid factor). */
export const facilityElectricity = {
  code: 'facility_electricity',
  table: 'facility_electricity',
  fields: [ownerField('siteCode'), monthField(), decimalField('electricityKwh', 'electricity_kwh', 3), dataQualityField],
  keyColumns: ['month'],
  dateColumn: 'month',
  costing: {
    columns: ['electricity_kwh'],
    needs: null,
    input: (row, values, at) => ({
      recordId: row.recordId,
      outletId: row.outletId,
      regionCode: row.regionCode,
      recordType: 'facility_electricity',
      date: row.date,
      electricityKwh: String(values[at[0]!]),
    }),
    slots: [{ field: 'electricityKwh', kind: 'decimal', digits: [11, 3] }],
    templateOf: (parts) => ({
      input: { recordId: '0', outletId: 0, date: yearStart(parts), recordType: 'facility_electricity', regionCode: String(parts.regionCode), electricityKwh: '1' },
      present: [true],
    }),
    groupOf: (costInput) => {
      const input = costInput as Input
      const year = yearOfDate(input.date)
      return { key: `${input.regionCode}|${year}`, parts: { regionCode: input.regionCode, year } }
    },
    sql: {
      from: 'facility_electricity t',
      key: `t.region_code || '|' || ${sqlYear('month')}`,
      parts: `jsonb_build_object('regionCode', t.region_code, 'year', ${sqlYear('month')})`,
      slots: ['t.electricity_kwh'],
      integerSlots: false,
    },
  },
} satisfies RecordDescriptor
