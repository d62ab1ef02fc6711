import type { Kysely } from 'kysely'
import type { Role, Viewer } from '#app/domain/access.ts'
import type { Database } from '../schema.ts'

export interface LoginCandidate {
  id: number
  username: string
  passwordHash: string | null
  disabled: boolean
}

export async function findLoginCandidate(db: Kysely<Database>, username: string): Promise<LoginCandidate | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'username', 'password_hash', 'disabled_at'])
    .where('username', '=', username.trim().toLowerCase())
    .executeTakeFirst()
  return row && { id: row.id, username: row.username, passwordHash: row.password_hash, disabled: row.disabled_at !== null }
}

export interface NewUser {
  username: string
  passwordHash: string | null
  displayName: string
  role: Role
  outletId?: number | null
  brandId?: number | null
  regionCode?: string | null
}

/** The user and its membership together: in the caller's transaction if there is one (Kysely cannot nest them), else in its own. */
export async function insertUser(db: Kysely<Database>, user: NewUser): Promise<number> {
  const run = async (trx: Kysely<Database>) => {
    const { id } = await trx
      .insertInto('users')
      .values({ username: user.username.toLowerCase(), password_hash: user.passwordHash, display_name: user.displayName })
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('memberships')
      .values({
        user_id: id,
        role: user.role,
        outlet_id: user.outletId ?? null,
        brand_id: user.brandId ?? null,
        region_code: user.regionCode ?? null,
      })
      .execute()
    return id
  }
  return db.isTransaction ? run(db) : db.transaction().execute(run)
}

export interface UserListRow {
  id: number
  username: string
  displayName: string
  role: Role
  scopeZh: string | null
  scopeEn: string | null
  disabled: boolean
  activeSessions: number
}

/** Admin's user list: every user with what they are scoped to. */
export async function listUsers(db: Kysely<Database>): Promise<UserListRow[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .leftJoin('outlets', 'outlets.id', 'memberships.outlet_id')
    .leftJoin('brands', 'brands.id', 'memberships.brand_id')
    .leftJoin('regions', 'regions.code', 'memberships.region_code')
    .select((eb) => [
      'users.id',
      'users.username',
      'users.display_name',
      'users.disabled_at',
      'memberships.role',
      eb.fn.coalesce('outlets.name_zh', 'brands.name_zh', 'regions.name_zh').as('scopeZh'),
      eb.fn.coalesce('outlets.name_en', 'brands.name_en', 'regions.name_en').as('scopeEn'),
      eb
        .selectFrom('sessions')
        .whereRef('sessions.user_id', '=', 'users.id')
        .where('sessions.revoked_at', 'is', null)
        .where('sessions.expires_at', '>', new Date())
        .select((s) => s.fn.countAll<string>().as('n'))
        .as('activeSessions'),
    ])
    .orderBy('memberships.role')
    .orderBy('users.username')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    scopeZh: r.scopeZh,
    scopeEn: r.scopeEn,
    disabled: r.disabled_at !== null,
    activeSessions: Number(r.activeSessions ?? 0),
  }))
}

export async function setUserDisabled(db: Kysely<Database>, userId: number, disabled: boolean): Promise<void> {
  await db.updateTable('users').set({ disabled_at: disabled ? new Date() : null }).where('id', '=', userId).execute()
}

export type { Viewer }

/** The signed-in user's own profile; the id comes from the session, never from the URL. */
export async function findUserProfile(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name as displayName', 'created_at as createdAt'])
    .where('id', '=', userId)
    .executeTakeFirst()
}
