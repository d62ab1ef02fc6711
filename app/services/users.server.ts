import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { NewUserInput } from '#app/domain/users.ts'
import type { Message } from '#app/i18n/index.ts'
import { appendAudit } from '#db/models/audit.ts'
import type { Database } from '#db/schema.ts'
import { revokeUserSessions } from '#db/models/sessions.ts'
import { insertUser, setUserDisabled } from '#db/models/users.ts'
import { hashPassword } from '#app/utils/password.server.ts'

export type CreateUserResult = { ok: true; userId: number } | { ok: false; field: 'username' | 'scope'; error: Message }

/** Create a user with its membership and an audit entry, all or nothing. */
export async function createUser(db: Kysely<Database>, actor: Viewer, input: NewUserInput): Promise<CreateUserResult> {
  const existing = await db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst()
  if (existing) return { ok: false, field: 'username', error: { key: 'admin.error.usernameTaken', params: { username: input.username } } }

  let outletId: number | null = null
  let brandId: number | null = null
  let regionCode: string | null = null
  if (input.role === 'outlet_operator') {
    const outlet = await db.selectFrom('outlets').select('id').where('code', '=', input.scope).executeTakeFirst()
    if (!outlet) return { ok: false, field: 'scope', error: { key: 'admin.error.unknownOutlet', params: { scope: input.scope } } }
    outletId = outlet.id
  } else if (input.role === 'carrier_admin') {
    const brand = await db.selectFrom('brands').select('id').where('code', '=', input.scope.toLowerCase()).executeTakeFirst()
    if (!brand) return { ok: false, field: 'scope', error: { key: 'admin.error.unknownBrand', params: { scope: input.scope } } }
    brandId = brand.id
  } else if (input.role === 'bureau_officer') {
    const region = await db.selectFrom('regions').select('code').where('code', '=', input.scope).executeTakeFirst()
    if (!region) return { ok: false, field: 'scope', error: { key: 'admin.error.unknownRegion', params: { scope: input.scope } } }
    regionCode = region.code
  }

  const passwordHash = await hashPassword(input.password)
  const taken: CreateUserResult = { ok: false, field: 'username', error: { key: 'admin.error.usernameTaken', params: { username: input.username } } }
  let userId: number
  try {
    userId = await db.transaction().execute(async (trx) => {
      const id = await insertUser(trx, {
        username: input.username,
        passwordHash,
        displayName: input.displayName,
        role: input.role,
        outletId,
        brandId,
        regionCode,
      })
      await appendAudit(trx, {
        actorUserId: actor.userId,
        action: 'user.create',
        entityType: 'user',
        entityId: id,
        after: { username: input.username, displayName: input.displayName, role: input.role, outletId, brandId, regionCode },
      })
      return id
    })
  } catch (error) {
    // Another admin created the same username between the check and the insert.
    if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505') return taken
    throw error
  }
  return { ok: true, userId }
}

export async function changeUserStatus(db: Kysely<Database>, actor: Viewer, userId: number, disabled: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setUserDisabled(trx, userId, disabled)
    if (disabled) await revokeUserSessions(trx, userId)
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: disabled ? 'user.disable' : 'user.enable',
      entityType: 'user',
      entityId: userId,
      after: { disabled },
    })
  })
}

export async function signOutEverywhere(db: Kysely<Database>, actor: Viewer, userId: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const count = await revokeUserSessions(trx, userId)
    await appendAudit(trx, { actorUserId: actor.userId, action: 'user.revoke_sessions', entityType: 'user', entityId: userId, after: { revoked: count } })
    return count
  })
}
