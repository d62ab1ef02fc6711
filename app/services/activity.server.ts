import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Kysely } from 'kysely'
import { activityWriterRoles, type Role, type Viewer } from '#app/domain/access.ts'
import type { ActivityContext, FieldIssue, ScopeLookup, VehiclePlausibility } from '#app/domain/activity/context.ts'
import { recordDefinitions, type RecordCode } from '#app/domain/activity/definitions.ts'
import { issuesFromZodError, recordSchema } from '#app/domain/activity/schema.ts'
import { loadVehiclePlausibility } from '#app/domain/activity/vehicle-plausibility.ts'
import type { CostInput, PackagingItemFacts } from '#app/domain/emissions/costing.ts'
import type { VehicleClass } from '#app/domain/emissions/fleet.ts'
import { notesOfProvenance } from '#app/domain/factors/fallbacks.ts'
import { costingOf, recordDescriptors, type CostRow } from '#app/domain/records/index.ts'
import { displayTimeZone } from '#app/i18n/locales.ts'
import type { Message } from '#app/i18n/index.ts'
import {
  countRecordsInMonth,
  findExistingRows,
  findRecord,
  findRelatedRecords,
  formValuesOf,
  insertRows,
  isMonthLocked,
  isResolveFailure,
  listRecentRecords,
  listRecords,
  listSubmissions,
  loadScopeData,
  monthKeyOf,
  reserveIds,
  submitMonth,
  supersedeRows,
  tableSpecs,
  toDbRecord,
  updateRecordInPlace,
  type DbRecord,
  type ScopeData,
  type StoredRecord,
  type TableSpec,
} from '#db/models/activity.ts'
import { appendAudit, listAuditFor } from '#db/models/audit.ts'
import { retireResultsOfRecords } from '#db/models/emission-results.ts'
import { listResultsForRecords } from '#db/models/emissions.ts'
import { findVisibleOutlet } from '#db/models/outlets.ts'
import { refreshOutletMonths, refreshOutletsFrom } from '#db/models/rollups.ts'
import type { Database } from '#db/schema.ts'
import { costedRecordTypes, type CostedRecordType } from '#db/tables/emissions.ts'
import { costRecords } from './emissions.server.ts'

// Named in app/domain/access.ts; exported here too for the import pipeline, which takes it from this module.
export { activityWriterRoles }

/** Thrown when a role that may not write activity reaches a write (the routes refuse it first). */
export class ForbiddenWrite extends Error {
  constructor(role: Role) {
    super(`role ${role} may not write activity`)
    this.name = 'ForbiddenWrite'
  }
}

export function assertWriter(viewer: Viewer): void {
  if (!activityWriterRoles.includes(viewer.role)) throw new ForbiddenWrite(viewer.role)
}

// Made once: building a formatter with a time zone costs far more than formatting with it.
const chinaDate = new Intl.DateTimeFormat('en-CA', { timeZone: displayTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' })

/** Today's date in China (`2024-03-31`): no activity may be dated after it. */
export function chinaToday(now: Date = new Date()): string {
  return chinaDate.format(now)
}

let rangesPromise: Promise<VehiclePlausibility> | undefined

/** factors/vehicle-plausibility.csv, read and checked once per process; a broken file stops every vehicle write, named. */
export function vehicleRanges(): Promise<VehiclePlausibility> {
  rangesPromise ??= (async () => {
    const file = path.join(process.cwd(), 'factors', 'vehicle-plausibility.csv')
    const loaded = loadVehiclePlausibility(await readFile(file, 'utf8'), file)
    if (!loaded.ok) {
      rangesPromise = undefined
      throw new Error(`factors/vehicle-plausibility.csv: ${loaded.errors.map((e) => `row ${e.row} ${e.field}`).join('; ')}`)
    }
    return loaded.plausibility
  })()
  return rangesPromise
}

/** What a record type needs from the database besides outlets. */
export function scopeNeeds(recordCode: RecordCode): { items: boolean; vehicles: boolean } {
  const { fields, keyColumns } = recordDescriptors[recordCode]
  // A record that names a catalog item or a vehicle; the vehicle register, keyed by plate, checks its plates.
  return { items: fields.some((f) => f.via === 'item'), vehicles: fields.some((f) => f.via === 'vehicle') || keyColumns.includes('plate') }
}

/** The server's validation context: every lookup, from the scope data read before validating. */
export function activityContext(scope: ScopeData, today: string, ranges: VehiclePlausibility | undefined): ActivityContext {
  const outlet = (code: string): ScopeLookup => (scope.outlets.has(code) ? 'ok' : scope.otherOutletCodes.has(code) ? 'out_of_scope' : 'unknown')
  return {
    today,
    ...(ranges ? { vehicleRanges: ranges } : {}),
    lookups: {
      outlet,
      site: outlet,
      packagingItem: (code) => scope.items.has(code),
      vehicle: (plate) => scope.vehicles.get(plate) ?? (scope.otherPlates.has(plate) ? 'out_of_scope' : 'unknown'),
    },
  }
}

export async function loadValidation(db: Kysely<Database>, viewer: Viewer, recordCode: RecordCode, today: string) {
  const needs = scopeNeeds(recordCode)
  const [scope, ranges] = await Promise.all([loadScopeData(db, viewer, needs), needs.vehicles ? vehicleRanges() : Promise.resolve(undefined)])
  return { scope, ctx: activityContext(scope, today, ranges) }
}

export function isCosted(recordCode: RecordCode): recordCode is CostedRecordType {
  return (costedRecordTypes as readonly string[]).includes(recordCode)
}

/**
 * The emissions engine's input for a record about to be written, built from
 * the values it is written with (its descriptor says which), so that no row
 * has to be read back to be costed. The lookups are made once per file.
 */
export function costInputMaker(spec: TableSpec, scope: ScopeData): (record: DbRecord, id: string) => CostInput {
  const recordCode = spec.recordCode
  if (!isCosted(recordCode) || spec.dateColumn === null) {
    return () => {
      throw new Error(`${recordCode} is not costed`)
    }
  }
  const costing = costingOf(recordCode)
  const index = new Map(spec.columns.map((c, i) => [c.column, i]))
  const at = costing.columns.map((column) => index.get(column) ?? -1)
  const date = index.get(spec.dateColumn)!
  const itemAt = index.get('item_id') ?? -1
  const vehicleAt = index.get('vehicle_id') ?? -1
  const items =
    costing.needs === 'item'
      ? new Map<number, PackagingItemFacts>([...scope.items.values()].map((i) => [i.id, { code: i.code, material: i.material, unitMassKg: i.unitMassKg, designLifeUses: i.designLifeUses }]))
      : null
  const vehicles =
    costing.needs === 'vehicle' ? new Map([...scope.vehicles.values()].map((v) => [v.id, { vehicleClass: v.vehicleClass as VehicleClass, energy: v.energy }])) : null
  return (record, id) => {
    const row: CostRow = { recordId: id, outletId: record.owner.outletId, regionCode: record.owner.regionCode, date: String(record.values[date]) }
    if (items) row.item = items.get(record.values[itemAt] as number)!
    if (vehicles) row.vehicle = vehicles.get(String(record.values[vehicleAt]))!
    return costing.input(row, record.values, at)
  }
}

/** Thrown inside a write transaction to undo it and tell the user why. */
class Refused extends Error {
  constructor(readonly result: SaveResult) {
    super('refused')
  }
}

export type SaveResult =
  | { ok: true; id: string; status: 'created' | 'updated' | 'restated' | 'unchanged' }
  | { ok: false; issues: FieldIssue[]; formError?: Message; values: Record<string, string> }

export interface SaveOptions {
  /** The record being edited; absent for a new record. */
  recordId?: string
  /** Required when the record's month (old or new) is submitted. */
  reason?: string
  today?: string
}

function formText(form: FormData | Record<string, unknown>): Record<string, string> {
  const entries = form instanceof FormData ? [...form.entries()] : Object.entries(form)
  return Object.fromEntries(entries.filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, v as string]))
}

/**
 * A form submission: validate with the record's schema and every lookup,
 * then create, update in place (open month, audited before/after) or restate
 * (submitted month: a new row, the old one superseded, with the reason). The
 * record is costed and the month's rollups refreshed in the same transaction;
 * a record the engine cannot cost is refused with its message.
 */
export async function saveRecordFromForm(
  db: Kysely<Database>,
  viewer: Viewer,
  recordCode: RecordCode,
  form: FormData | Record<string, unknown>,
  options: SaveOptions = {},
): Promise<SaveResult> {
  assertWriter(viewer)
  const values = formText(form)
  const definition = recordDefinitions[recordCode]
  // The audit keeps the record's own fields, bounded: never whatever else a request carried.
  const auditValues = Object.fromEntries(
    definition.fields.flatMap((field) => (values[field.code] === undefined ? [] : [[field.code, values[field.code]!.slice(0, 1000)]])),
  )
  const spec = tableSpecs[recordCode]
  const today = options.today ?? chinaToday()
  const { scope, ctx } = await loadValidation(db, viewer, recordCode, today)
  const parsed = recordSchema(definition, ctx).safeParse(form)
  if (!parsed.success) return { ok: false, issues: issuesFromZodError(parsed.error), values }
  const resolved = toDbRecord(spec, parsed.data as Record<string, unknown>, scope)
  if (isResolveFailure(resolved)) {
    return { ok: false, issues: [{ field: resolved.field, code: 'unknown_outlet', key: 'activity.error.unknownOutlet', params: { field: resolved.field, value: values[resolved.field] ?? '' } }], values }
  }
  const reason = options.reason?.trim() ? options.reason.trim().slice(0, 500) : null
  const refuse = (result: Omit<Extract<SaveResult, { ok: false }>, 'ok' | 'values'>): never => {
    throw new Refused({ ok: false, values, ...result })
  }

  try {
    return await db.transaction().execute(async (trx) => {
      const newMonth = monthKeyOf(spec, resolved.values)
      const newLocked = newMonth !== null && (await isMonthLocked(trx, resolved.owner.outletId, newMonth))
      const existing = (await findExistingRows(trx, spec, [resolved])).get(0)

      if (options.recordId === undefined) {
        if (existing) {
          if (spec.recordCode === 'vehicles' && existing.brandId !== resolved.owner.brandId) {
            refuse({ issues: [{ field: 'plate', code: 'vehicle_out_of_scope', key: 'activity.error.vehicleOutOfScope', params: { value: values.plate ?? '' } }] })
          }
          refuse({ issues: [], formError: { key: 'activityPages.error.alreadyRecorded', params: { id: existing.id } } })
        }
        if (newLocked && !reason) refuse({ issues: [], formError: { key: 'activityPages.error.reasonRequired', params: { month: newMonth!.slice(0, 7) } } })
        const [id] = await reserveIds(trx, spec.table, 1)
        await insertRows(trx, spec, [{ ...resolved, id: id!, rowFingerprint: null }], {
          source: 'form',
          importBatchId: null,
          createdBy: viewer.userId,
          restatementReason: newLocked ? reason : null,
        })
        await appendAudit(trx, {
          actorUserId: viewer.userId,
          action: 'activity.create',
          entityType: spec.table,
          entityId: id!,
          outletId: resolved.owner.outletId,
          regionCode: resolved.owner.regionCode,
          reason: newLocked ? reason : null,
          after: { recordType: recordCode, values: auditValues },
        })
        await afterWrite(trx, spec, [id!], [{ outletId: resolved.owner.outletId, month: newMonth }], refuse)
        return { ok: true, id: id!, status: 'created' } as const
      }

      const current = await findRecord(trx, viewer, spec, options.recordId)
      if (!current) refuse({ issues: [], formError: { key: 'activityPages.error.notFound' } })
      if (current!.row.superseded_at) refuse({ issues: [], formError: { key: 'activityPages.error.superseded' } })
      if (existing && existing.id !== current!.id) {
        refuse({ issues: [], formError: { key: 'activityPages.error.alreadyRecorded', params: { id: existing.id } } })
      }
      const oldLocked = current!.locked
      if ((oldLocked || newLocked) && !reason) {
        refuse({ issues: [], formError: { key: 'activityPages.error.reasonRequired', params: { month: (oldLocked ? current!.month! : newMonth!).slice(0, 7) } } })
      }
      const touched = [
        { outletId: current!.outletId, month: current!.month },
        { outletId: resolved.owner.outletId, month: newMonth },
      ]
      if (!oldLocked && !newLocked) {
        const changed = await updateRecordInPlace(trx, spec, current!.id, current!.outletId, resolved, {
          source: 'form',
          importBatchId: null,
          createdBy: viewer.userId,
          restatementReason: null,
        })
        if (!changed) refuse({ issues: [], formError: { key: 'activityPages.error.superseded' } })
        await appendAudit(trx, {
          actorUserId: viewer.userId,
          action: 'activity.update',
          entityType: spec.table,
          entityId: current!.id,
          outletId: resolved.owner.outletId,
          regionCode: resolved.owner.regionCode,
          reason,
          before: changed!.before,
          after: changed!.after,
        })
        if (current!.outletId !== resolved.owner.outletId) {
          // The record moved outlet: its old result must not count at the old outlet.
          await retireResultsOfRecords(trx, recordCode, [{ outletId: current!.outletId, id: current!.id }])
        }
        await afterWrite(trx, spec, [current!.id], touched, refuse)
        return { ok: true, id: current!.id, status: 'updated' } as const
      }

      // A submitted month: the old row stays as it was, beside its replacement.
      const [id] = await reserveIds(trx, spec.table, 1)
      await supersedeRows(trx, spec, [{ outletId: current!.outletId, oldId: current!.id, newId: id! }])
      await insertRows(trx, spec, [{ ...resolved, id: id!, rowFingerprint: null }], {
        source: 'form',
        importBatchId: null,
        createdBy: viewer.userId,
        restatementReason: reason,
      })
      await retireResultsOfRecords(trx, recordCode, [{ outletId: current!.outletId, id: current!.id }])
      await appendAudit(trx, {
        actorUserId: viewer.userId,
        action: 'activity.restate',
        entityType: spec.table,
        entityId: id!,
        outletId: resolved.owner.outletId,
        regionCode: resolved.owner.regionCode,
        reason,
        before: current!.row,
        after: { id: id!, recordType: recordCode, values: auditValues, replaces: current!.id },
      })
      await afterWrite(trx, spec, [id!], touched, refuse)
      return { ok: true, id: id!, status: 'restated' } as const
    })
  } catch (error) {
    if (error instanceof Refused) return error.result
    if (isUniqueViolation(error)) {
      return { ok: false, issues: [], formError: { key: 'activityPages.error.concurrentChange' }, values }
    }
    throw error
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
}

/**
 * Cost what was written and refresh the rollups of the months it touched:
 * the records that hold from a date onwards (vehicles, bin counts) refresh
 * every later month too.
 */
async function afterWrite(
  trx: Kysely<Database>,
  spec: TableSpec,
  ids: readonly string[],
  touched: readonly { outletId: number; month: string | null }[],
  refuse: (result: { issues: FieldIssue[]; formError?: Message }) => never,
): Promise<void> {
  if (isCosted(spec.recordCode)) {
    const costed = await costRecords(trx, spec.recordCode, ids)
    const failed = costed.results.find((r) => !r.ok)
    if (failed && !failed.ok) refuse({ issues: [], formError: failed.error })
  }
  await refreshAfterWrite(trx, spec, touched)
}

export async function refreshAfterWrite(
  trx: Kysely<Database>,
  spec: TableSpec,
  touched: readonly { outletId: number; month: string | null }[],
  vehicleStarts: readonly { outletId: number; fromMonth: string }[] = [],
): Promise<void> {
  if (spec.recordCode === 'vehicles' || spec.recordCode === 'recovery_bins') {
    const starts = new Map<string, { outletId: number; fromMonth: string }>()
    for (const t of touched) {
      if (t.month) starts.set(`${t.outletId}`, { outletId: t.outletId, fromMonth: t.month })
    }
    for (const s of vehicleStarts) {
      const known = starts.get(`${s.outletId}`)
      if (!known || s.fromMonth < known.fromMonth) starts.set(`${s.outletId}`, s)
    }
    await refreshOutletsFrom(trx, [...starts.values()])
    return
  }
  const keys = touched.filter((t): t is { outletId: number; month: string } => t.month !== null)
  await refreshOutletMonths(trx, keys)
}

// ---- reading ------------------------------------------------------------------------

export async function recordPage(db: Kysely<Database>, viewer: Viewer, recordCode: RecordCode, id: string) {
  const spec = tableSpecs[recordCode]
  const record = await findRecord(db, viewer, spec, id)
  if (!record) return undefined
  const related = await findRelatedRecords(db, viewer, spec, record)
  const ids = [record.id, ...related.replaced.map((r) => r.id)]
  const results = isCosted(recordCode) ? await listResultsForRecords(db, recordCode, ids) : []
  // The record's history includes that of the rows it restates: one story of one figure.
  const history = (await Promise.all(ids.map((id) => listAuditFor(db, spec.table, id)))).flat().sort((a, b) => Number(a.id) - Number(b.id))
  return {
    record: present(spec, record),
    replaced: related.replaced.map((r) => present(spec, r)),
    replacedBy: related.replacedBy ? present(spec, related.replacedBy) : null,
    results: results.map((r) => ({
      recordId: r.recordId,
      factorSetVersion: r.factorSetVersion,
      status: r.status,
      category: r.category,
      co2eKg: r.co2eKg,
      avoidedCo2eKg: r.avoidedCo2eKg,
      // Shown beside the figure: a factor of another region level or year (issue 13.4).
      fallbacks: notesOfProvenance(r.provenance),
    })),
    history: history.map((h) => ({ id: String(h.id), occurredAt: h.occurredAt, action: h.action, reason: h.reason, actor: h.actor })),
  }
}

export interface PresentedRecord {
  id: string
  outletId: number
  outletCode: string
  outletNameZh: string
  outletNameEn: string
  month: string | null
  locked: boolean
  current: boolean
  source: string
  createdBy: string | null
  createdAt: string
  supersededAt: string | null
  restatementReason: string | null
  /** Field code → text as the form shows it. */
  values: Record<string, string>
}

function present(spec: TableSpec, record: StoredRecord): PresentedRecord {
  const row = record.row
  const time = (v: unknown) => (v instanceof Date ? v.toISOString() : v ? String(v) : null)
  return {
    id: record.id,
    outletId: record.outletId,
    outletCode: record.outletCode,
    outletNameZh: record.outletNameZh,
    outletNameEn: record.outletNameEn,
    month: record.month,
    locked: record.locked,
    current: !row.superseded_at,
    source: String(row.source),
    createdBy: record.createdBy,
    createdAt: time(row.created_at) ?? '',
    supersededAt: time(row.superseded_at),
    restatementReason: (row.restatement_reason as string | null) ?? null,
    values: formValuesOf(spec, row, { outletCode: record.outletCode, itemCode: record.itemCode, plate: record.plate }),
  }
}

/** The values to put in an edit form, or undefined when the viewer may not see the record. */
export async function editableRecord(db: Kysely<Database>, viewer: Viewer, recordCode: RecordCode, id: string) {
  const spec = tableSpecs[recordCode]
  const record = await findRecord(db, viewer, spec, id)
  return record ? present(spec, record) : undefined
}

/** What the form's selects offer: the viewer's outlets, the catalog and the vehicles in scope. */
export async function formOptions(db: Kysely<Database>, viewer: Viewer, recordCode: RecordCode) {
  const scope = await loadScopeData(db, viewer, scopeNeeds(recordCode))
  return {
    outlets: [...scope.outlets.values()].map((o) => ({ code: o.code, nameZh: o.nameZh, nameEn: o.nameEn, kind: o.kind })),
    items: [...scope.items.values()].map((i) => ({ code: i.code, nameZh: i.nameZh, nameEn: i.nameEn, category: i.category })),
    vehicles: [...scope.vehicles.values()].map((v) => ({ plate: v.plate, vehicleClass: v.vehicleClass, energy: v.energy, inServiceFrom: v.inServiceFrom, inServiceTo: v.inServiceTo })),
  }
}

/** The month page: counts per record type, recent records, and whether the month is submitted. */
export async function monthOverview(db: Kysely<Database>, viewer: Viewer, outletId: number, month: string) {
  const outlet = await findVisibleOutlet(db, viewer, outletId)
  if (!outlet) return undefined
  const [counts, submissions] = await Promise.all([countRecordsInMonth(db, outletId, month), listSubmissions(db, outletId)])
  const recent: Record<string, PresentedRecord[]> = {}
  for (const code of Object.keys(tableSpecs) as RecordCode[]) {
    const spec = tableSpecs[code]
    const rows = await listRecords(db, viewer, spec, { outletId, month: spec.dateColumn ? month : undefined, limit: 10 })
    recent[code] = rows.map((r) => present(spec, r))
  }
  const submitted = submissions.find((s) => s.month.slice(0, 7) === month)
  return {
    outlet,
    counts,
    recent,
    submitted: submitted ? { at: submitted.submittedAt, by: submitted.submittedBy } : null,
    submissions: submissions.map((s) => ({ month: s.month.slice(0, 7), at: s.submittedAt, by: s.submittedBy })),
  }
}

export type SubmitResult = { ok: true } | { ok: false; error: Message }

/** Lock an outlet's month: later changes are restatements with a reason. */
export async function submitOutletMonth(db: Kysely<Database>, viewer: Viewer, outletId: number, month: string, today = chinaToday()): Promise<SubmitResult> {
  assertWriter(viewer)
  const outlet = await findVisibleOutlet(db, viewer, outletId)
  if (!outlet) return { ok: false, error: { key: 'activityPages.error.notFound' } }
  if (month > today.slice(0, 7)) return { ok: false, error: { key: 'activityPages.error.futureMonth', params: { month } } }
  const done = await db.transaction().execute((trx) => submitMonth(trx, outletId, month, viewer.userId))
  return done ? { ok: true } : { ok: false, error: { key: 'activityPages.error.alreadySubmitted', params: { month } } }
}

/** Records the viewer wrote or can see most recently, across types: the home page's list (one statement). */
export function recentRecords(db: Kysely<Database>, viewer: Viewer, limit = 8) {
  return listRecentRecords(db, viewer, limit)
}

export type { DbRecord }
