import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '#app/services/users.server.ts'
import { appendAudit, auditLimits } from '#db/models/audit.ts'
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

describe('audit log', () => {
  it('keeps entries bounded and stores a NUL byte without failing the change it records', async () => {
    await appendAudit(t.db, { actorUserId: null, action: 'test.bounded', entityType: 'test', entityId: 1, reason: 'a\u0000b', after: { junk: 'x'.repeat(20_000_000), nul: 'a\u0000b' } })
    await appendAudit(t.db, { actorUserId: null, action: 'test.bounded', entityType: 'test', entityId: 2, after: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, 'y'.repeat(1_999)])) })
    const rows = await t.db.selectFrom('audit_log').select(['entity_id', 'reason', 'after']).where('action', '=', 'test.bounded').orderBy('entity_id').execute()
    expect(rows[0]).toEqual({ entity_id: '1', reason: 'a\uFFFDb', after: { junk: 'x'.repeat(auditLimits.maxString), nul: 'a\uFFFDb' } })
    expect(rows[1]!.after).toEqual({ omitted: 'too large for the audit log', characters: expect.any(Number) })
  })
})
