import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Viewer } from '#app/domain/access.ts'
import { getMetric, isMetricCode, metricCodes } from '#app/domain/metrics/definitions.ts'
import { isIsoDate } from '#app/domain/periods/period.ts'
import type { Message } from '#app/i18n/index.ts'
import { issuesToFieldErrors } from '#app/utils/forms.server.ts'
import { appendAudit } from '#db/models/audit.ts'
import {
  deleteTarget as deleteTargetRow,
  deleteTargetSet as deleteTargetSetRow,
  findTargetSet,
  insertTarget,
  insertTargetSet,
  listTargetSets,
  updateTarget as updateTargetRow,
  updateTargetSet as updateTargetSetRow,
  type StoredTargetSet,
  type TargetFields,
  type TargetSetFields,
} from '#db/models/target-sets.ts'
import type { Database } from '#db/schema.ts'

/**
 * Admins add and edit target sets and their targets. Every change is one
 * transaction with its audit entry. The rules are those of the target file
 * loader (app/domain/metrics/targets.ts), with messages for a form.
 */

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? null : value))

const required = (field: string) =>
  z.string({ required_error: field }).trim().min(1, field)

export const targetSetFormSchema = z.object({
  id: z.string().trim().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'adminTargets.error.id').max(80, 'adminTargets.error.id'),
  nameZh: required('adminTargets.field.nameZh'),
  nameEn: required('adminTargets.field.nameEn'),
  sourceTitle: required('adminTargets.field.sourceTitle'),
  sourceIssuer: required('adminTargets.field.sourceIssuer'),
  sourceNumber: optionalText,
  sourceDate: z
    .string()
    .trim()
    .refine((v) => /^\d{4}$/.test(v) || /^\d{4}-(0[1-9]|1[0-2])$/.test(v) || isIsoDate(v), 'adminTargets.error.sourceDate'),
  sourceUrl: optionalText.refine((v) => v === null || /^https?:\/\/\S+$/.test(v), 'adminTargets.error.url'),
  sourceVerification: required('adminTargets.field.sourceVerification'),
  regionCode: z.string().trim().regex(/^\d{6}$/, 'adminTargets.error.region'),
  brandCode: optionalText.transform((v) => (v === null ? null : v.toLowerCase())),
})

export const targetFormSchema = z
  .object({
    metric: z.string().refine(isMetricCode, 'adminTargets.error.metric'),
    comparison: z.enum(['>=', '<=', '=='], { errorMap: () => ({ message: 'adminTargets.error.comparison' }) }),
    value: z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'adminTargets.error.value'),
    deadline: z.string().trim().refine(isIsoDate, 'adminTargets.error.deadline'),
    kind: z.enum(['rate', 'national_count', 'relative_to_baseline'], { errorMap: () => ({ message: 'adminTargets.error.kind' }) }),
    note: optionalText,
  })
  .superRefine((target, ctx) => {
    if (!isMetricCode(target.metric) || !/^-?\d+(\.\d+)?$/.test(target.value)) return
    const metric = getMetric(target.metric)
    const value = new Decimal(target.value)
    if (target.kind === 'rate' && metric.kind === 'ratio' && (value.lt(0) || value.gt(1))) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'adminTargets.error.ratioRange' })
    }
    if (target.kind === 'national_count' && (metric.kind !== 'count' || !value.gt(0))) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'adminTargets.error.countMetric' })
    }
    if (target.kind === 'relative_to_baseline' && value.lt(-1)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'adminTargets.error.baselineRange' })
    }
  })

export type FieldErrors = Record<string, Message>

export type ChangeResult = { ok: true; notice: Message } | { ok: false; errors: FieldErrors }

/** Field errors of a zod failure as catalog messages; a bare field label means "fill this in". */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {}
  for (const [field, message] of Object.entries(issuesToFieldErrors(error.issues))) {
    if (!message) continue
    errors[field] = message.key.startsWith('adminTargets.field.') ? { key: 'adminTargets.error.required', params: { field: message.key } } : message
  }
  return errors
}

export async function targetAdminData(db: Kysely<Database>) {
  const [sets, brands] = await Promise.all([
    listTargetSets(db),
    db.selectFrom('brands').select(['code', 'name_zh', 'name_en']).orderBy('code').execute(),
  ])
  return {
    sets: sets.map(serialiseSet),
    brands: brands.map((b) => ({ code: b.code, nameZh: b.name_zh, nameEn: b.name_en })),
    metrics: [...metricCodes],
  }
}

export type AdminTargetSet = ReturnType<typeof serialiseSet>

function serialiseSet(set: StoredTargetSet) {
  return {
    id: set.id,
    name: set.name,
    source: set.source,
    region: set.region,
    brand: set.brand,
    origin: set.origin,
    targets: set.targets.map((t) => ({
      id: t.id,
      metric: t.metric,
      comparison: t.comparison,
      value: t.value.toFixed(),
      deadline: t.deadline,
      kind: t.kind,
      note: t.note,
    })),
  }
}

async function checkReferences(db: Kysely<Database>, fields: TargetSetFields): Promise<FieldErrors> {
  const errors: FieldErrors = {}
  if (fields.regionCode !== '000000') {
    const region = await db.selectFrom('regions').select('code').where('code', '=', fields.regionCode).executeTakeFirst()
    if (!region) errors.regionCode = { key: 'adminTargets.error.unknownRegion', params: { code: fields.regionCode } }
  }
  if (fields.brandCode !== null) {
    const brand = await db.selectFrom('brands').select('code').where('code', '=', fields.brandCode).executeTakeFirst()
    if (!brand) errors.brandCode = { key: 'adminTargets.error.unknownBrand', params: { code: fields.brandCode } }
  }
  return errors
}

export async function createTargetSet(db: Kysely<Database>, actor: Viewer, fields: TargetSetFields): Promise<ChangeResult> {
  const errors = await checkReferences(db, fields)
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return db.transaction().execute(async (trx) => {
    const inserted = await insertTargetSet(trx, fields, 'admin')
    if (!inserted) return { ok: false, errors: { id: { key: 'adminTargets.error.idTaken', params: { id: fields.id } } } }
    await appendAudit(trx, { actorUserId: actor.userId, action: 'target_set.create', entityType: 'target_set', entityId: fields.id, after: fields })
    return { ok: true, notice: { key: 'adminTargets.created', params: { id: fields.id } } }
  })
}

export async function updateTargetSet(db: Kysely<Database>, actor: Viewer, fields: TargetSetFields): Promise<ChangeResult> {
  const errors = await checkReferences(db, fields)
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return db.transaction().execute(async (trx) => {
    const before = await findTargetSet(trx, fields.id)
    if (!before || !(await updateTargetSetRow(trx, fields))) return notFound()
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: 'target_set.update',
      entityType: 'target_set',
      entityId: fields.id,
      before: serialiseSet(before),
      after: fields,
    })
    return { ok: true, notice: { key: 'adminTargets.updated', params: { id: fields.id } } }
  })
}

export async function deleteTargetSet(db: Kysely<Database>, actor: Viewer, id: string): Promise<ChangeResult> {
  return db.transaction().execute(async (trx) => {
    const before = await findTargetSet(trx, id)
    if (!before || !(await deleteTargetSetRow(trx, id))) return notFound()
    await appendAudit(trx, { actorUserId: actor.userId, action: 'target_set.delete', entityType: 'target_set', entityId: id, before: serialiseSet(before) })
    return { ok: true, notice: { key: 'adminTargets.deleted', params: { id } } }
  })
}

export async function addTarget(db: Kysely<Database>, actor: Viewer, setId: string, fields: TargetFields): Promise<ChangeResult> {
  return db.transaction().execute(async (trx) => {
    if (!(await findTargetSet(trx, setId))) return notFound()
    const targetId = await insertTarget(trx, setId, fields)
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: 'target.create',
      entityType: 'target_set',
      entityId: setId,
      after: { targetId, ...fields },
    })
    return { ok: true, notice: { key: 'adminTargets.targetAdded', params: { id: setId } } }
  })
}

export async function updateTarget(
  db: Kysely<Database>,
  actor: Viewer,
  setId: string,
  targetId: number,
  fields: TargetFields,
): Promise<ChangeResult> {
  return db.transaction().execute(async (trx) => {
    const before = (await findTargetSet(trx, setId))?.targets.find((t) => t.id === targetId)
    if (!before || !(await updateTargetRow(trx, setId, targetId, fields))) return notFound()
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: 'target.update',
      entityType: 'target_set',
      entityId: setId,
      before: { targetId, ...before, value: before.value.toFixed() },
      after: { targetId, ...fields },
    })
    return { ok: true, notice: { key: 'adminTargets.targetUpdated', params: { id: setId } } }
  })
}

export async function deleteTarget(db: Kysely<Database>, actor: Viewer, setId: string, targetId: number): Promise<ChangeResult> {
  return db.transaction().execute(async (trx) => {
    const before = (await findTargetSet(trx, setId))?.targets.find((t) => t.id === targetId)
    if (!before || !(await deleteTargetRow(trx, setId, targetId))) return notFound()
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: 'target.delete',
      entityType: 'target_set',
      entityId: setId,
      before: { targetId, ...before, value: before.value.toFixed() },
    })
    return { ok: true, notice: { key: 'adminTargets.targetDeleted', params: { id: setId } } }
  })
}

function notFound(): ChangeResult {
  return { ok: false, errors: { form: { key: 'adminTargets.error.notFound' } } }
}
