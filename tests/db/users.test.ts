import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '#app/services/users.server.ts'
import { findLoginCandidate } from '#db/models/users.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(() => t?.close())

describe('admin: create user', () => {
  it('creates the user, its membership and an audit entry in one transaction', async () => {
    const admin = await viewerOf(t.db, 'admin')
    const created = await createUser(t.db, admin, { username: 'new.operator', displayName: '新操作员', password: 'long-enough-pw', role: 'outlet_operator', scope: 'SF-410105-01' })
    expect(created.ok).toBe(true)
    if (!created.ok) return
    const viewer = await viewerOf(t.db, 'new.operator')
    const outlet = await t.db.selectFrom('outlets').select('id').where('code', '=', 'SF-410105-01').executeTakeFirstOrThrow()
    expect(viewer).toMatchObject({ userId: created.userId, role: 'outlet_operator', outletId: outlet.id, brandId: null, regionCode: null })
    expect((await findLoginCandidate(t.db, 'new.operator'))?.passwordHash).toMatch(/^scrypt\$/)
    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor_user_id']).where('entity_type', '=', 'user').where('entity_id', '=', String(created.userId)).execute()
    expect(audit).toEqual([{ action: 'user.create', actor_user_id: admin.userId }])
  })

  it('names a taken username, also when two admins race for it', async () => {
    const admin = await viewerOf(t.db, 'admin')
    const input = { username: 'race.user', displayName: 'R', password: 'long-enough-pw', role: 'consumer' as const, scope: '' }
    const both = await Promise.all([createUser(t.db, admin, input), createUser(t.db, admin, input)])
    expect(both.filter((r) => r.ok)).toHaveLength(1)
    expect(both.find((r) => !r.ok)).toEqual({ ok: false, field: 'username', error: { key: 'admin.error.usernameTaken', params: { username: 'race.user' } } })
    expect(await t.db.selectFrom('users').select('id').where('username', '=', 'race.user').execute()).toHaveLength(1)
  })
})
