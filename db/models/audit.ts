import type { Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import { jsonb } from './json.ts'

export interface AuditEntry {
  actorUserId: number | null
  action: string
  entityType: string
  entityId: string | number
  outletId?: number | null
  regionCode?: string | null
  reason?: string | null
  before?: unknown
  after?: unknown
}

export const auditLimits = { maxString: 2_000, maxJson: 64_000 } as const

/**
 * What goes into a jsonb column of the log: strings bounded and without NUL
 * (which jsonb cannot hold), the whole bounded. The log records the record's
 * own fields; this is the guard if a caller passes more.
 */
export function boundedForAudit(value: unknown): unknown {
  const clean = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return v.replaceAll('\u0000', '\uFFFD').slice(0, auditLimits.maxString)
    if (v === null || typeof v !== 'object' || depth > 8) return typeof v === 'object' && v !== null ? '[nested too deep]' : v
    if (Array.isArray(v)) return v.slice(0, 1000).map((item) => clean(item, depth + 1))
    if (v instanceof Date) return v
    return Object.fromEntries(Object.entries(v).slice(0, 200).map(([k, item]) => [k.slice(0, 200), clean(item, depth + 1)]))
  }
  const cleaned = clean(value, 0)
  const size = JSON.stringify(cleaned)?.length ?? 0
  return size > auditLimits.maxJson ? { omitted: 'too large for the audit log', characters: size } : cleaned
}

/** Append one entry; call it inside the same transaction as the change it records. */
export async function appendAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: entry.actorUserId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: String(entry.entityId),
      outlet_id: entry.outletId ?? null,
      region_code: entry.regionCode ?? null,
      reason: entry.reason == null ? null : entry.reason.replaceAll('\u0000', '\uFFFD').slice(0, auditLimits.maxString),
      before: entry.before === undefined ? null : jsonb(boundedForAudit(entry.before)),
      after: entry.after === undefined ? null : jsonb(boundedForAudit(entry.after)),
    })
    .execute()
}

export async function listAuditFor(db: Kysely<Database>, entityType: string, entityId: string | number) {
  return db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .select([
      'audit_log.id',
      'audit_log.occurred_at as occurredAt',
      'audit_log.action',
      'audit_log.reason',
      'audit_log.before',
      'audit_log.after',
      'users.username as actor',
    ])
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', String(entityId))
    .orderBy('audit_log.id')
    .execute()
}
