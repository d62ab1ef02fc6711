import Decimal from 'decimal.js'
import type { CostInput } from '#app/domain/emissions/costing.ts'
import { dataQualityField, decimalField, monthField, sqlRecorded, sqlYear, yearOfDate, yearStart, type RecordDescriptor } from './descriptor.ts'
import type { VehicleClass } from '#app/domain/emissions/fleet.ts'

type Input = Extract<CostInput, { recordType: 'vehicle_use' }>

/**
 * The readings of a vehicle's month as the engine takes them: fuel in litres
 * when recorded, else kilograms (CNG, LNG), none for a battery vehicle
 * whatever a sheet says in the fuel column; and a zero in one column beside a
 * reading in the other is an empty cell, not a second energy source (it would
 * turn a fuel figure into "fuel and electricity"). `readingsSql` below is the
 * same rule for the SQL costing; tests/db/emissions-sql.test.ts holds both equal.
 */
export function vehicleReadings(
  energy: string,
  fuelLitres: string | null,
  fuelKg: string | null,
  electricityKwh: string | null,
): { fuel: string | null; unit: 'L' | 'kg' | null; kwh: string | null } {
  const battery = energy === 'BEV'
  const fuel = battery ? null : (fuelLitres ?? fuelKg)
  const unit = battery ? null : fuelLitres !== null ? 'L' : fuelKg !== null ? 'kg' : null
  if (fuel === null || electricityKwh === null) return { fuel, unit, kwh: electricityKwh }
  const fuelZero = new Decimal(fuel).isZero()
  const kwhZero = new Decimal(electricityKwh).isZero()
  if (fuelZero && !kwhZero) return { fuel: null, unit: null, kwh: electricityKwh }
  if (kwhZero && !fuelZero) return { fuel, unit, kwh: null }
  return { fuel, unit, kwh: electricityKwh }
}

// vehicleReadings in SQL, as columns q.fuel, q.unit and q.kwh of a vehicle_use row t and its vehicle v.
const readingsSql = `
  cross join lateral (select
    case when v.energy = 'BEV' then null else coalesce(t.fuel_litres, t.fuel_kg) end as fuel,
    case when v.energy = 'BEV' then null when t.fuel_litres is not null then 'L' when t.fuel_kg is not null then 'kg' end as unit) f
  cross join lateral (select
    (f.fuel is not null and t.electricity_kwh is not null and f.fuel = 0 and t.electricity_kwh <> 0) as no_fuel,
    (f.fuel is not null and t.electricity_kwh is not null and t.electricity_kwh = 0 and f.fuel <> 0) as no_kwh) z
  cross join lateral (select
    case when z.no_fuel then null else f.fuel end as fuel,
    case when z.no_fuel then null else f.unit end as unit,
    case when z.no_kwh then null else t.electricity_kwh end as kwh) q`

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value))

/** A vehicle's distance and energy in a month; costed as fleet emissions (fuel first, electricity, else distance default). */
export const vehicleUse = {
  code: 'vehicle_use',
  table: 'vehicle_use',
  fields: [
    { field: 'plate', via: 'vehicle' },
    monthField(),
    decimalField('distanceKm', 'distance_km', 2),
    decimalField('fuelLitres', 'fuel_litres', 3),
    decimalField('fuelKg', 'fuel_kg', 3),
    decimalField('electricityKwh', 'electricity_kwh', 3),
    dataQualityField,
  ],
  keyColumns: ['vehicle_id', 'month'],
  dateColumn: 'month',
  costing: {
    columns: ['distance_km', 'fuel_litres', 'fuel_kg', 'electricity_kwh'],
    needs: 'vehicle',
    input: (row, values, at) => ({
      recordId: row.recordId,
      outletId: row.outletId,
      regionCode: row.regionCode,
      recordType: 'vehicle_use',
      date: row.date,
      vehicleClass: row.vehicle!.vehicleClass,
      energy: row.vehicle!.energy,
      distanceKm: String(values[at[0]!]),
      fuelLitres: text(values[at[1]!]),
      fuelKg: text(values[at[2]!]),
      electricityKwh: text(values[at[3]!]),
    }),
    slots: [
      { field: 'fuelLitres', kind: 'decimal', digits: [9, 3] },
      { field: 'fuelKg', kind: 'decimal', digits: [9, 3] },
      { field: 'electricityKwh', kind: 'decimal', digits: [9, 3] },
      { field: 'distanceKm', kind: 'decimal', digits: [10, 2] },
    ],
    templateOf: (parts) => ({
      input: {
        recordId: '0',
        outletId: 0,
        date: yearStart(parts),
        recordType: 'vehicle_use',
        regionCode: String(parts.regionCode),
        vehicleClass: parts.vehicleClass as VehicleClass,
        energy: String(parts.energy),
        distanceKm: '1',
        fuelLitres: null,
        fuelKg: null,
        electricityKwh: null,
      },
      present: [parts.fuelUnit === 'L', parts.fuelUnit === 'kg', parts.electricity === true, true],
    }),
    groupOf: (costInput) => {
      const input = costInput as Input
      const year = yearOfDate(input.date)
      const { unit, kwh } = vehicleReadings(input.energy, input.fuelLitres, input.fuelKg, input.electricityKwh)
      const electricity = kwh !== null
      return {
        key: [input.vehicleClass, input.energy, input.regionCode, year, unit ?? '-', electricity ? 'y' : 'n'].join('|'),
        parts: { vehicleClass: input.vehicleClass, energy: input.energy, regionCode: input.regionCode, year, fuelUnit: unit, electricity },
      }
    },
    sql: {
      from: `vehicle_use t join vehicles v on v.outlet_id = t.outlet_id and v.id = t.vehicle_id ${readingsSql}`,
      key: `concat_ws('|', v.vehicle_class, v.energy, t.region_code, ${sqlYear('month')}, coalesce(q.unit, '-'), ${sqlRecorded('q.kwh')})`,
      parts: `jsonb_build_object('vehicleClass', v.vehicle_class, 'energy', v.energy, 'regionCode', t.region_code,
      'year', ${sqlYear('month')}, 'fuelUnit', q.unit, 'electricity', q.kwh is not null)`,
      slots: [`case when q.unit = 'L' then q.fuel end`, `case when q.unit = 'kg' then q.fuel end`, 'q.kwh', 't.distance_km'],
      integerSlots: false,
    },
  },
} satisfies RecordDescriptor
