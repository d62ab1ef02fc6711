import type { CostInput } from '#app/domain/emissions/costing.ts'
import { countField, dataQualityField, INTEGER_DIGITS, ownerField, sqlYear, yearOfDate, yearStart, type RecordDescriptor } from './descriptor.ts'

type Input = Extract<CostInput, { recordType: 'packaging_consumption' }>

/**
 * The mass of packaging a row counts, in SQL (`t` the row, `i` its catalog
 * item): items × unit mass, a reusable item's divided by its design life in
 * uses, as the packaging calculator (app/domain/emissions/packaging.ts) does.
 */
export const packagingMassKgSql = (t: string, i: string): string => `(${t}.item_count * ${i}.unit_mass_kg / coalesce(${i}.design_life_uses, 1))`

/** Packaging items used in a day or a month; costed as packaging emissions (mass × material factor). */
export const packagingConsumption = {
  code: 'packaging_consumption',
  table: 'packaging_consumption',
  fields: [ownerField(), { field: 'period', via: 'period' }, { field: 'itemCode', via: 'item' }, countField('itemCount', 'item_count'), dataQualityField],
  keyColumns: ['period_start', 'period_kind', 'item_id'],
  dateColumn: 'period_start',
  costing: {
    columns: ['item_count'],
    needs: 'item',
    input: (row, values, at) => ({
      recordId: row.recordId,
      outletId: row.outletId,
      regionCode: row.regionCode,
      recordType: 'packaging_consumption',
      date: row.date,
      itemCount: values[at[0]!] as number,
      item: row.item!,
    }),
    slots: [{ field: 'itemCount', kind: 'number', digits: INTEGER_DIGITS }],
    templateOf: (parts) => ({
      input: {
        recordId: '0',
        outletId: 0,
        date: yearStart(parts),
        recordType: 'packaging_consumption',
        regionCode: '',
        itemCount: 1,
        item: {
          code: String(parts.code),
          material: String(parts.material),
          unitMassKg: String(parts.unitMassKg),
          designLifeUses: parts.designLifeUses === null || parts.designLifeUses === undefined ? null : Number(parts.designLifeUses),
        },
      },
      present: [true],
    }),
    groupOf: (costInput) => {
      const { item, date } = costInput as Input
      const year = yearOfDate(date)
      return {
        key: `${item.code}|${year}`,
        parts: { code: item.code, material: item.material, unitMassKg: item.unitMassKg, designLifeUses: item.designLifeUses, year },
      }
    },
    sql: {
      from: 'packaging_consumption t join packaging_items i on i.id = t.item_id',
      key: `i.code || '|' || ${sqlYear('period_start')}`,
      parts: `jsonb_build_object('code', i.code, 'material', i.material, 'unitMassKg', i.unit_mass_kg::text,
      'designLifeUses', i.design_life_uses, 'year', ${sqlYear('period_start')})`,
      slots: ['t.item_count'],
      integerSlots: true,
    },
  },
} satisfies RecordDescriptor
