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
      reason: entry.reason ?? null,
      before: entry.before === undefined ? null : jsonb(entry.before),
      after: entry.after === undefined ? null : jsonb(entry.after),
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
