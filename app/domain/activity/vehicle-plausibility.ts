import Decimal from 'decimal.js'
import Papa from 'papaparse'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import { vehicleMeasures, type VehicleMeasure, type VehiclePlausibility, type VehicleRange } from './context.ts'
import { energies, vehicleClasses, type Energy, type VehicleClass } from './enums.ts'
import { classAllowsEnergy, measuresOf } from './vehicle-rules.ts'

/** A problem in the plausibility file, naming file, row (1 = header) and column. */
export interface RangeFileError {
  file: string
  row: number
  field: string
  key: MessageKey
  params: MessageParams
}

export type LoadVehiclePlausibilityResult =
  | { ok: true; plausibility: VehiclePlausibility }
  | { ok: false; errors: RangeFileError[] }

const columns = ['vehicle_class', 'energy', 'measure', 'min', 'max', 'typical', 'source', 'rationale', 'verified'] as const
const decimalPattern = /^\d+(\.\d+)?$/

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName
}

/**
 * Parse and validate factors/vehicle-plausibility.csv. Pure: the caller reads
 * the file. Every row is checked and every problem reported; the file must also
 * cover every class/energy/measure a vehicle can need, so that no monthly-use
 * row ever goes unchecked for want of a range.
 */
export function loadVehiclePlausibility(fileText: string, fileName: string): LoadVehiclePlausibilityResult {
  const file = baseName(fileName)
  const errors: RangeFileError[] = []
  const parsed = Papa.parse<string[]>(fileText.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' })
  const [header = [], ...rows] = parsed.data
  const indexOf = new Map(header.map((name, index) => [name.trim(), index]))
  for (const column of columns) {
    if (!indexOf.has(column)) errors.push({ file, row: 1, field: column, key: 'activity.ranges.error.missingColumn', params: { file, column } })
  }
  if (errors.length > 0) return { ok: false, errors }

  const ranges: VehicleRange[] = []
  const firstRowOf = new Map<string, number>()
  rows.forEach((cells, i) => {
    const row = i + 2
    const cell = (column: (typeof columns)[number]) => (cells[indexOf.get(column)!] ?? '').trim()
    const invalid = (field: string, value: string) =>
      errors.push({ file, row, field, key: 'activity.ranges.error.invalidValue', params: { file, row, field, value } })
    const before = errors.length

    const vehicleClass = cell('vehicle_class')
    const energy = cell('energy')
    const measure = cell('measure')
    if (!(vehicleClasses.options as readonly string[]).includes(vehicleClass)) invalid('vehicle_class', vehicleClass)
    if (!(energies.options as readonly string[]).includes(energy)) invalid('energy', energy)
    if (!(vehicleMeasures as readonly string[]).includes(measure)) invalid('measure', measure)
    for (const column of ['min', 'max'] as const) {
      if (!decimalPattern.test(cell(column))) invalid(column, cell(column))
    }
    const typical = cell('typical')
    if (typical !== '' && !decimalPattern.test(typical)) invalid('typical', typical)
    const verified = cell('verified')
    if (verified !== 'yes' && verified !== 'no') invalid('verified', verified)
    if (cell('source') === '' || cell('rationale') === '') {
      errors.push({ file, row, field: cell('source') === '' ? 'source' : 'rationale', key: 'activity.ranges.error.sourceRequired', params: { file, row } })
    }
    if (errors.length > before) return

    const c = vehicleClass as VehicleClass
    const e = energy as Energy
    const m = measure as VehicleMeasure
    if (!classAllowsEnergy(c, e) || !measuresOf(e).some((x) => x.measure === m)) {
      errors.push({ file, row, field: 'measure', key: 'activity.ranges.error.notApplicable', params: { file, row, vehicleClass: c, energy: e, measure: m } })
      return
    }
    const min = new Decimal(cell('min'))
    const max = new Decimal(cell('max'))
    if (min.gt(max)) {
      errors.push({ file, row, field: 'min', key: 'activity.ranges.error.minAboveMax', params: { file, row } })
      return
    }
    const id = `${c}|${e}|${m}`
    const firstRow = firstRowOf.get(id)
    if (firstRow !== undefined) {
      errors.push({ file, row, field: 'measure', key: 'activity.ranges.error.duplicate', params: { file, row, firstRow } })
      return
    }
    firstRowOf.set(id, row)
    ranges.push({ vehicleClass: c, energy: e, measure: m, min, max, source: cell('source'), rationale: cell('rationale'), verified: verified === 'yes' })
  })

  for (const c of vehicleClasses.options) {
    for (const e of energies.options) {
      if (!classAllowsEnergy(c, e)) continue
      for (const { measure } of measuresOf(e)) {
        if (!firstRowOf.has(`${c}|${e}|${measure}`)) {
          errors.push({ file, row: 0, field: 'measure', key: 'activity.ranges.error.missingRange', params: { file, vehicleClass: c, energy: e, measure } })
        }
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors }

  const byId = new Map(ranges.map((range) => [`${range.vehicleClass}|${range.energy}|${range.measure}`, range]))
  return {
    ok: true,
    plausibility: {
      fileName: file,
      ranges,
      find: (vehicleClass, energy, measure) => byId.get(`${vehicleClass}|${energy}|${measure}`),
    },
  }
}
