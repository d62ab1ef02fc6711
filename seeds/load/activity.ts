import { readFile } from 'node:fs/promises'
import path from 'node:path'
import Decimal from 'decimal.js'
import { sql, type Kysely } from 'kysely'
import { z } from 'zod'
import { addMonths, daysInMonth, monthIndex, yearMonthOf, type Month } from '#app/domain/periods/period.ts'
import type { Database } from '#db/schema.ts'
import { rebuildRollups } from '#db/models/rollups.ts'
import { mulberry32 } from '#app/utils/mulberry32.ts'

/**
 * Demo activity: 24 months of synthetic records for every demo outlet, shaped
 * by seeds/activity-profile.json (whose note says what the shapes follow) and
 * drawn from a PRNG seeded per outlet, so the same profile always gives the
 * same rows. The months end before the profile's anchor date, never "now".
 */

const rateSpec = z
  .object({
    start: z.number().min(0),
    end: z.number().min(0),
    outletSpread: z.number().min(0).default(0),
    dailyNoise: z.number().min(0).default(0),
  })
  .strict()
const range = z.tuple([z.number(), z.number()]).refine(([a, b]) => a <= b, 'range min above max')
const decimalText = z.string().regex(/^\d+(\.\d+)?$/)

const packagingBases = [
  'boxParcels',
  'bagParcels',
  'narrowTapeBoxParcels',
  'wideTapeBoxParcels',
  'eWaybillParcels',
  'recyclablePackagingParcels',
  'singleUseTransitBags',
  'recyclableTransitBags',
] as const

// Items of the packaging catalog (seeds/packaging-items.csv), used in
// proportion to a monthly count: perUnit items per parcel (or bag) of the basis.
const packagingUseSpec = z
  .object({
    item: z.string().min(1),
    basis: z.enum(packagingBases),
    perUnit: z.object({ start: z.number().min(0), end: z.number().min(0) }).strict(),
  })
  .strict()

const rateNames = [
  'eWaybillRate',
  'ecommerceShare',
  'noRepackRate',
  'boxShare',
  'narrowTapeRate',
  'recyclablePackagingRate',
  'recyclableTransitBagRate',
] as const

export const activityProfileSchema = z
  .object({
    note: z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict(),
    seed: z.number().int(),
    anchorDate: z.string().regex(/^\d{4}-\d{2}-01$/),
    months: z.number().int().min(1).max(120),
    parcels: z
      .object({
        perDayMin: z.number().positive(),
        perDayMax: z.number().positive(),
        weekendFactor: z.number().positive(),
        dailyNoise: z.number().min(0),
        missingDayShare: z.number().min(0).max(1),
        monthFactor: z.record(z.string().regex(/^([1-9]|1[0-2])$/), z.number().positive()),
        growthPerYear: z.number(),
      })
      .strict(),
    stoppedReporting: z.array(z.object({ outlet: z.string(), fromMonth: z.string().regex(/^\d{4}-\d{2}$/) }).strict()),
    shipment: z
      .object({
        eWaybillRate: rateSpec,
        ecommerceShare: rateSpec,
        noRepackRate: rateSpec,
        boxShare: rateSpec,
        narrowTapeRate: rateSpec,
        recyclablePackagingRate: rateSpec,
        recyclableTransitBagRate: rateSpec,
        parcelsPerTransitBag: z.number().positive(),
      })
      .strict(),
    brandOffsets: z.record(z.string(), z.record(z.enum([...rateNames, 'nevShareOfNew']), z.number())),
    packagingUse: z.array(packagingUseSpec).min(1),
    recovery: z
      .object({
        binsInstalled: range,
        labelledAtStartShare: z.number().min(0).max(1),
        labelledLaterWithinMonths: z.number().int().positive(),
        returnRate: rateSpec,
        reuseShare: rateSpec,
        cartonMassKg: decimalText,
        recyclers: z.array(z.string().min(1)).min(1),
      })
      .strict(),
    fleet: z
      .object({
        vehiclesPerOutlet: range,
        startShareTricycle: z.number().min(0).max(1),
        startNevShareOfVans: z.number().min(0).max(1),
        replacementsPerVehicleYear: z.number().min(0),
        nevShareOfNew: z.object({ start: z.number(), end: z.number() }).strict(),
        addedPerOutletYear: z.number().min(0),
        sortingCentreTrucks: range,
        kmPerMonth: z.object({ electric_tricycle: range, light_van: range, light_truck: range }).strict(),
        use: z.record(
          z.string().regex(/^[a-z_]+:[A-Za-z]+$/),
          z.union([z.object({ kwhPerKm: range }).strict(), z.object({ litresPer100Km: range }).strict()]),
        ),
      })
      .strict(),
    facility: z
      .object({
        outletBaseKwh: range,
        outletKwhPerParcel: z.number().min(0),
        sortingCentreKwh: range,
      })
      .strict(),
  })
  .strict()

export type ActivityProfile = z.infer<typeof activityProfileSchema>

export function parseActivityProfile(text: string, fileName: string): ActivityProfile {
  const parsed = activityProfileSchema.safeParse(JSON.parse(text))
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${fileName} ${issue.path.join('.')}: ${issue.message}`)
    throw new Error(`The activity profile does not validate:\n${lines.join('\n')}`)
  }
  return parsed.data
}

export interface SeedOutlet {
  id: number
  code: string
  brandId: number
  brandCode: string
  regionCode: string
  kind: 'outlet' | 'sorting_centre'
  openedOn: string
}

type VehicleClass = 'electric_tricycle' | 'light_van' | 'light_truck'
type Energy = 'BEV' | 'diesel' | 'gasoline'

interface Owner {
  outlet_id: number
  brand_id: number
  region_code: string
}

export interface GeneratedActivity {
  months: Month[]
  shipments: (Owner & {
    stat_date: string
    parcels: number
    e_waybill_parcels: number
    paper_waybill_parcels: number
    ecommerce_parcels: number
    ecommerce_original_parcels: number
    recyclable_packaging_parcels: number
    box_parcels: number
    narrow_tape_box_parcels: number
    transit_bags: number
    recyclable_transit_bags: number
  })[]
  packaging: (Owner & { period_start: string; item_code: string; item_count: number })[]
  bins: (Owner & { as_of_date: string; installed_bins: number; labelled_bins: number; in_service_bins: number })[]
  collections: (Owner & {
    collection_date: string
    cartons_collected: number
    cartons_reused: number
    recycler_mass_kg: string
    recycler_name: string
  })[]
  vehicles: (Owner & {
    plate: string
    vehicle_class: VehicleClass
    energy: Energy
    emission_standard: 'guo5' | 'guo6' | 'none'
    in_service_from: string
    in_service_to: string | null
    acquisition: 'new' | 'replacement' | 'existing'
  })[]
  vehicleUse: (Owner & {
    plate: string
    month: string
    distance_km: string
    fuel_litres: string | null
    electricity_kwh: string | null
  })[]
  facility: (Owner & { month: string; electricity_kwh: string })[]
}

const provincePlate: Record<string, string> = { '41': '豫', '53': '云', '15': '蒙', '33': '浙' }

/** The profile's months: they end before its anchor date, never "now". */
function activityMonths(profile: ActivityProfile): { from: Month; to: Month } {
  const to = addMonths(yearMonthOf(profile.anchorDate), -1)
  return { from: addMonths(to, -(profile.months - 1)), to }
}

/** Pure and deterministic: the same profile and outlets give the same rows. */
export function generateActivity(profile: ActivityProfile, outlets: readonly SeedOutlet[]): GeneratedActivity {
  const { from: firstMonth, to: lastMonth } = activityMonths(profile)
  const months = Array.from({ length: profile.months }, (_, i) => addMonths(firstMonth, i))
  const out: GeneratedActivity = {
    months,
    shipments: [],
    packaging: [],
    bins: [],
    collections: [],
    vehicles: [],
    vehicleUse: [],
    facility: [],
  }
  const stopped = new Map(profile.stoppedReporting.map((s) => [s.outlet, s.fromMonth]))
  const progress = (month: Month) => (months.length === 1 ? 1 : monthsFrom(firstMonth, month) / (months.length - 1))

  for (const outlet of outlets) {
    const rand = prng(profile.seed, outlet.code)
    const owner: Owner = { outlet_id: outlet.id, brand_id: outlet.brandId, region_code: outlet.regionCode }
    const offsets = profile.brandOffsets[outlet.brandCode] ?? {}
    const stopFrom = stopped.get(outlet.code)
    const active = (month: Month) =>
      (stopFrom === undefined || month < stopFrom) && `${month}-${daysInMonthOf(month)}` >= outlet.openedOn
    const isOutlet = outlet.kind === 'outlet'

    // Each outlet sits at its own distance from the brand's trend.
    const outletOffset = Object.fromEntries(
      rateNames.map((name) => {
        return [name, (rand() * 2 - 1) * profile.shipment[name].outletSpread]
      }),
    ) as Record<(typeof rateNames)[number], number>
    const rate = (name: (typeof rateNames)[number], t: number, daily: boolean) => {
      const spec = profile.shipment[name]
      const noise = daily ? (rand() * 2 - 1) * spec.dailyNoise : 0
      return clamp01(spec.start + (spec.end - spec.start) * t + (offsets[name] ?? 0) + outletOffset[name] + noise)
    }
    const basePerDay = profile.parcels.perDayMin + rand() * (profile.parcels.perDayMax - profile.parcels.perDayMin)
    const returnOffset = (rand() * 2 - 1) * profile.recovery.returnRate.outletSpread
    const reuseOffset = (rand() * 2 - 1) * profile.recovery.reuseShare.outletSpread

    const monthly = new Map<Month, Record<(typeof packagingBases)[number] | 'parcels', number>>()

    if (isOutlet) {
      for (const month of months) {
        if (!active(month)) continue
        const t = progress(month)
        const growth = Math.pow(1 + profile.parcels.growthPerYear, monthsFrom(firstMonth, month) / 12)
        const factor = profile.parcels.monthFactor[String(Number(month.slice(5, 7)))] ?? 1
        const totals = {
          parcels: 0,
          boxParcels: 0,
          bagParcels: 0,
          narrowTapeBoxParcels: 0,
          wideTapeBoxParcels: 0,
          eWaybillParcels: 0,
          recyclablePackagingParcels: 0,
          singleUseTransitBags: 0,
          recyclableTransitBags: 0,
        }
        for (let day = 1; day <= daysInMonthOf(month); day++) {
          const date = `${month}-${String(day).padStart(2, '0')}`
          if (date < outlet.openedOn) continue
          if (rand() < profile.parcels.missingDayShare) continue
          const weekend = isWeekend(date) ? profile.parcels.weekendFactor : 1
          const noise = 1 + (rand() * 2 - 1) * profile.parcels.dailyNoise
          const parcels = Math.max(0, Math.round(basePerDay * factor * growth * weekend * noise))
          const eWaybill = Math.round(parcels * rate('eWaybillRate', t, true))
          const ecommerce = Math.round(parcels * rate('ecommerceShare', t, true))
          const box = Math.round(parcels * rate('boxShare', t, true))
          const bags = Math.ceil(parcels / profile.shipment.parcelsPerTransitBag)
          const recyclableBags = Math.round(bags * rate('recyclableTransitBagRate', t, true))
          const recyclablePackaging = Math.round(parcels * rate('recyclablePackagingRate', t, true))
          const narrowTape = Math.round(box * rate('narrowTapeRate', t, true))
          // Fields written out, not spread: spread objects cost garbage collection time in bulk.
          out.shipments.push({
            outlet_id: owner.outlet_id,
            brand_id: owner.brand_id,
            region_code: owner.region_code,
            stat_date: date,
            parcels,
            e_waybill_parcels: eWaybill,
            paper_waybill_parcels: parcels - eWaybill,
            ecommerce_parcels: ecommerce,
            ecommerce_original_parcels: Math.round(ecommerce * rate('noRepackRate', t, true)),
            recyclable_packaging_parcels: recyclablePackaging,
            box_parcels: box,
            narrow_tape_box_parcels: narrowTape,
            transit_bags: bags,
            recyclable_transit_bags: recyclableBags,
          })
          totals.parcels += parcels
          totals.boxParcels += box
          totals.bagParcels += parcels - box
          totals.narrowTapeBoxParcels += narrowTape
          totals.wideTapeBoxParcels += box - narrowTape
          totals.eWaybillParcels += eWaybill
          totals.recyclablePackagingParcels += recyclablePackaging
          totals.singleUseTransitBags += bags - recyclableBags
          totals.recyclableTransitBags += recyclableBags
        }
        monthly.set(month, totals)
      }

      // Packaging consumption: one row per item and month, in proportion to the month's parcels.
      for (const [month, totals] of monthly) {
        const t = progress(month)
        for (const use of profile.packagingUse) {
          const perUnit = use.perUnit.start + (use.perUnit.end - use.perUnit.start) * t
          const count = Math.round(totals[use.basis] * perUnit * (1 + (rand() * 2 - 1) * 0.03))
          if (count > 0) out.packaging.push({ ...owner, period_start: `${month}-01`, item_code: use.item, item_count: count })
        }
        // Cartons handed back by consumers, gathered monthly; part reused, the rest to a recycler.
        const collected = Math.round(totals.boxParcels * clamp01(interpolate(profile.recovery.returnRate, t) + returnOffset))
        const reused = Math.round(collected * clamp01(interpolate(profile.recovery.reuseShare, t) + reuseOffset))
        out.collections.push({
          ...owner,
          collection_date: `${month}-${daysInMonthOf(month)}`,
          cartons_collected: collected,
          cartons_reused: reused,
          recycler_mass_kg: new Decimal(profile.recovery.cartonMassKg).times(collected - reused).toFixed(3),
          recycler_name: profile.recovery.recyclers[Math.floor(rand() * profile.recovery.recyclers.length)]!,
        })
        const kwh = randomBetween(rand, profile.facility.outletBaseKwh) + totals.parcels * profile.facility.outletKwhPerParcel
        out.facility.push({ ...owner, month: `${month}-01`, electricity_kwh: new Decimal(Math.round(kwh)).toFixed(3) })
      }

      // Recovery bins: a snapshot at the start; unlabelled bins get their label some months later (or not yet).
      const installed = randomInt(rand, profile.recovery.binsInstalled)
      const labelledAtStart = rand() < profile.recovery.labelledAtStartShare
      const firstActive = months.find(active)
      if (firstActive) {
        out.bins.push({ ...owner, as_of_date: `${firstActive}-01`, installed_bins: installed, labelled_bins: labelledAtStart ? installed : 0, in_service_bins: installed })
        if (!labelledAtStart) {
          const later = addMonths(firstActive, randomInt(rand, [2, profile.recovery.labelledLaterWithinMonths + 10]))
          if (later <= lastMonth && active(later)) {
            out.bins.push({ ...owner, as_of_date: `${later}-01`, installed_bins: installed, labelled_bins: installed, in_service_bins: installed })
          }
        }
      }
    } else {
      for (const month of months) {
        if (!active(month)) continue
        const kwh = randomBetween(rand, profile.facility.sortingCentreKwh)
        out.facility.push({ ...owner, month: `${month}-01`, electricity_kwh: new Decimal(Math.round(kwh)).toFixed(3) })
      }
    }

    generateFleet(profile, outlet, owner, offsets.nevShareOfNew ?? 0, months, active, rand, out)
  }
  return out
}

function generateFleet(
  profile: ActivityProfile,
  outlet: SeedOutlet,
  owner: Owner,
  nevOffset: number,
  months: Month[],
  active: (month: Month) => boolean,
  rand: () => number,
  out: GeneratedActivity,
) {
  const fleet = profile.fleet
  const firstMonth = months[0]!
  const plates = new Set<string>()
  const plate = () => {
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'
    for (;;) {
      let text = `${provincePlate[outlet.regionCode.slice(0, 2)] ?? '京'}A`
      for (let i = 0; i < 5; i++) text += alphabet[Math.floor(rand() * alphabet.length)]
      if (!plates.has(text)) {
        plates.add(text)
        return text
      }
    }
  }
  const iceEnergy = (): Energy => (rand() < 0.6 ? 'diesel' : 'gasoline')
  type Vehicle = GeneratedActivity['vehicles'][number]
  const inService: Vehicle[] = []
  const add = (vehicle: Omit<Vehicle, keyof Owner | 'plate' | 'emission_standard' | 'in_service_to'>) => {
    const row: Vehicle = {
      ...owner,
      plate: plate(),
      emission_standard: vehicle.energy === 'BEV' ? 'none' : rand() < 0.5 ? 'guo5' : 'guo6',
      in_service_to: null,
      ...vehicle,
    }
    out.vehicles.push(row)
    inService.push(row)
  }
  const startDate = (() => {
    const back = addMonths(firstMonth, -randomInt(rand, [12, 48]))
    const date = `${back}-01`
    return date < outlet.openedOn ? outlet.openedOn : date
  })()

  if (outlet.kind === 'sorting_centre') {
    const trucks = randomInt(rand, fleet.sortingCentreTrucks)
    for (let i = 0; i < trucks; i++) {
      add({ vehicle_class: 'light_truck', energy: rand() < 0.2 ? 'BEV' : 'diesel', in_service_from: startDate, acquisition: 'existing' })
    }
  } else {
    const count = randomInt(rand, fleet.vehiclesPerOutlet)
    for (let i = 0; i < count; i++) {
      const tricycle = rand() < fleet.startShareTricycle
      add({
        vehicle_class: tricycle ? 'electric_tricycle' : 'light_van',
        energy: tricycle || rand() < fleet.startNevShareOfVans ? 'BEV' : iceEnergy(),
        in_service_from: startDate,
        acquisition: 'existing',
      })
    }
  }

  months.forEach((month, index) => {
    if (!active(month)) return
    const t = months.length === 1 ? 1 : index / (months.length - 1)
    const nevShare = clamp01(fleet.nevShareOfNew.start + (fleet.nevShareOfNew.end - fleet.nevShareOfNew.start) * t + nevOffset)
    // Monthly use of every vehicle in service this month.
    for (const vehicle of inService) {
      if (vehicle.in_service_from > `${month}-${daysInMonthOf(month)}`) continue
      const km = Math.round(randomBetween(rand, fleet.kmPerMonth[vehicle.vehicle_class]))
      const use = fleet.use[`${vehicle.vehicle_class}:${vehicle.energy}`]
      if (!use) throw new Error(`activity profile: fleet.use has no entry for ${vehicle.vehicle_class}:${vehicle.energy}`)
      const perUnit = new Decimal(randomBetween(rand, 'kwhPerKm' in use ? use.kwhPerKm : use.litresPer100Km).toFixed(3))
      out.vehicleUse.push({
        ...owner,
        plate: vehicle.plate,
        month: `${month}-01`,
        distance_km: new Decimal(km).toFixed(2),
        electricity_kwh: 'kwhPerKm' in use ? perUnit.times(km).toFixed(3) : null,
        fuel_litres: 'litresPer100Km' in use ? perUnit.times(km).dividedBy(100).toFixed(3) : null,
      })
    }
    if (index === months.length - 1) return
    // Replacements at the month's end, the newcomer from the next month; NEV more and more often.
    const next = months[index + 1]!
    for (const vehicle of [...inService]) {
      if (rand() >= fleet.replacementsPerVehicleYear / 12) continue
      vehicle.in_service_to = `${month}-${daysInMonthOf(month)}`
      inService.splice(inService.indexOf(vehicle), 1)
      const nev = vehicle.vehicle_class === 'electric_tricycle' || rand() < nevShare
      add({ vehicle_class: vehicle.vehicle_class, energy: nev ? 'BEV' : vehicle.energy === 'BEV' ? iceEnergy() : vehicle.energy, in_service_from: `${next}-01`, acquisition: 'replacement' })
    }
    if (outlet.kind === 'outlet' && rand() < fleet.addedPerOutletYear / 12) {
      const tricycle = rand() < 0.5
      add({ vehicle_class: tricycle ? 'electric_tricycle' : 'light_van', energy: tricycle || rand() < nevShare ? 'BEV' : iceEnergy(), in_service_from: `${next}-01`, acquisition: 'new' })
    }
  })
}

export interface ActivitySeedSummary {
  months: { from: Month; to: Month }
  shipmentRows: number
  packagingRows: number
  vehicles: number
  vehicleUseRows: number
  rollupRows: number
}

/**
 * Loads the demo activity into the outlets already seeded, then rebuilds the
 * rollups. Runs inside the seed's transaction.
 */
export async function seedActivity(trx: Kysely<Database>, seedsDir: string): Promise<ActivitySeedSummary> {
  const fileName = 'activity-profile.json'
  const profile = parseActivityProfile(await readFile(path.join(seedsDir, fileName), 'utf8'), `seeds/${fileName}`)
  const outlets: SeedOutlet[] = await trx
    .selectFrom('outlets')
    .innerJoin('brands', 'brands.id', 'outlets.brand_id')
    .select([
      'outlets.id',
      'outlets.code',
      'outlets.brand_id as brandId',
      'brands.code as brandCode',
      'outlets.region_code as regionCode',
      'outlets.kind',
      // As text: the embedded driver hands dates back as Date objects.
      sql<string>`outlets.opened_on::text`.as('openedOn'),
    ])
    .orderBy('outlets.code')
    .execute()
  const itemIds = await packagingItemIds(trx, profile)
  const totals = { shipmentRows: 0, packagingRows: 0, vehicles: 0, vehicleUseRows: 0 }
  // A few outlets at a time: each outlet draws from a generator of its own, so
  // the rows, their order in every table and the ids they get are the same as
  // if every outlet were generated at once, and only a group's rows are ever
  // held in memory (decision 082).
  for (let i = 0; i < outlets.length; i += outletsPerGroup) {
    const data = generateActivity(profile, outlets.slice(i, i + outletsPerGroup))
    await insertActivity(trx, data, itemIds)
    totals.shipmentRows += data.shipments.length
    totals.packagingRows += data.packaging.length
    totals.vehicles += data.vehicles.length
    totals.vehicleUseRows += data.vehicleUse.length
  }

  const rollups = await rebuildRollups(trx)
  return {
    months: activityMonths(profile),
    ...totals,
    rollupRows: rollups.outletMonths,
  }
}

// About 4,000 daily rows a group: one statement per table (insertRecordset).
const outletsPerGroup = 6

/** One group's rows, table by table in the order the reports' foreign keys need. */
async function insertActivity(trx: Kysely<Database>, data: GeneratedActivity, itemIds: Map<string, number>): Promise<void> {
  const provenance = { data_quality: 'measured', source: 'seed' }

  await insertRecordset(trx, 'shipment_stats', data.shipments.map((r) => ({ ...r, ...provenance })), {
    outlet_id: 'integer', brand_id: 'integer', region_code: 'char(6)', stat_date: 'date', parcels: 'integer',
    e_waybill_parcels: 'integer', paper_waybill_parcels: 'integer', ecommerce_parcels: 'integer',
    ecommerce_original_parcels: 'integer', recyclable_packaging_parcels: 'integer', box_parcels: 'integer',
    narrow_tape_box_parcels: 'integer', transit_bags: 'integer', recyclable_transit_bags: 'integer',
    data_quality: 'text', source: 'text',
  })
  await insertRecordset(
    trx,
    'packaging_consumption',
    data.packaging.map(({ item_code, ...r }) => ({ ...r, item_id: itemIds.get(item_code)!, period_kind: 'month', ...provenance })),
    {
      outlet_id: 'integer', brand_id: 'integer', region_code: 'char(6)', period_start: 'date', period_kind: 'text',
      item_id: 'integer', item_count: 'integer', data_quality: 'text', source: 'text',
    },
  )
  await insertRecordset(trx, 'recovery_bins', data.bins.map((r) => ({ ...r, ...provenance })), {
    outlet_id: 'integer', brand_id: 'integer', region_code: 'char(6)', as_of_date: 'date', installed_bins: 'integer',
    labelled_bins: 'integer', in_service_bins: 'integer', data_quality: 'text', source: 'text',
  })
  await insertRecordset(trx, 'recovery_collections', data.collections.map((r) => ({ ...r, ...provenance })), {
    outlet_id: 'integer', brand_id: 'integer', region_code: 'char(6)', collection_date: 'date', cartons_collected: 'integer',
    cartons_reused: 'integer', recycler_mass_kg: 'numeric', recycler_name: 'text', data_quality: 'text', source: 'text',
  })
  const vehicleIds = await insertRecordset(
    trx,
    'vehicles',
    data.vehicles.map((r) => ({ ...r, ...provenance })),
    {
      outlet_id: 'integer', brand_id: 'integer', region_code: 'char(6)', plate: 'text', vehicle_class: 'text', energy: 'text',
      emission_standard: 'text', in_service_from: 'date', in_service_to: 'date', acquisition: 'text', data_quality: 'text', source: 'text',
    },
    ['outlet_id', 'plate'],
  )
  await insertRecordset(
    trx,
    'vehicle_use',
    data.vehicleUse.map(({ plate, ...r }) => ({ ...r, vehicle_id: vehicleIds.get(`${r.outlet_id}|${plate}`)!, ...provenance })),
    {
      outlet_id: 'integer', brand_id: 'integer', region_code: 'char(6)', vehicle_id: 'bigint', month: 'date',
      distance_km: 'numeric', fuel_litres: 'numeric', electricity_kwh: 'numeric', data_quality: 'text', source: 'text',
    },
  )
  await insertRecordset(trx, 'facility_electricity', data.facility.map((r) => ({ ...r, ...provenance })), {
    outlet_id: 'integer', brand_id: 'integer', region_code: 'char(6)', month: 'date', electricity_kwh: 'numeric',
    data_quality: 'text', source: 'text',
  })
}

/** Catalog ids of the items the profile uses; a code the catalog lacks stops the seed, named. */
async function packagingItemIds(trx: Kysely<Database>, profile: ActivityProfile): Promise<Map<string, number>> {
  const codes = [...new Set(profile.packagingUse.map((use) => use.item))]
  const rows = await trx.selectFrom('packaging_items').select(['id', 'code']).where('code', 'in', codes).execute()
  const ids = new Map(rows.map((r) => [r.code, r.id]))
  const missing = codes.filter((code) => !ids.has(code))
  if (missing.length > 0) {
    throw new Error(`seeds/activity-profile.json packagingUse names items the packaging catalog lacks: ${missing.join(', ')}`)
  }
  return ids
}

// One statement per 5,000 rows, the rows travelling as one JSON parameter:
// far fewer bind parameters than a VALUES list, on both drivers.
async function insertRecordset(
  trx: Kysely<Database>,
  table: string,
  rows: readonly Record<string, unknown>[],
  columns: Record<string, string>,
  returningKey?: [string, string],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  const names = Object.keys(columns)
  const list = sql.raw(names.join(', '))
  const definition = sql.raw(names.map((name) => `${name} ${columns[name]}`).join(', '))
  for (let i = 0; i < rows.length; i += 5_000) {
    // The replacer keeps only the table's columns; a key left out reads as null.
    const json = JSON.stringify(rows.slice(i, i + 5_000), names)
    const statement = sql<{ id: string; a: unknown; b: unknown }>`
      insert into ${sql.table(table)} (${list})
      select ${list} from json_to_recordset(cast(${json}::text as json)) as r(${definition})
      ${returningKey ? sql`returning id, ${sql.ref(returningKey[0])} as a, ${sql.ref(returningKey[1])} as b` : sql``}`
    const { rows: returned } = await statement.execute(trx)
    for (const row of returned) ids.set(`${String(row.a)}|${String(row.b)}`, Number(row.id))
  }
  return ids
}

// ---------------------------------------------------------------------------

/** mulberry32, seeded from the profile's seed and the outlet code. */
function prng(seed: number, key: string): () => number {
  let state = seed >>> 0
  for (let i = 0; i < key.length; i++) state = Math.imul(state ^ key.charCodeAt(i), 2654435761) >>> 0
  return mulberry32(state)
}

function randomBetween(rand: () => number, [min, max]: readonly [number, number]): number {
  return min + rand() * (max - min)
}

function randomInt(rand: () => number, [min, max]: readonly [number, number]): number {
  return min + Math.floor(rand() * (max - min + 1))
}

function interpolate(spec: { start: number; end: number }, t: number): number {
  return spec.start + (spec.end - spec.start) * t
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value))
}

function monthsFrom(from: Month, to: Month): number {
  return monthIndex(to) - monthIndex(from)
}

function daysInMonthOf(month: Month): number {
  return daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)))
}

// Day of week from the calendar date alone (UTC), so no server time zone shifts it.
function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay()
  return day === 0 || day === 6
}
