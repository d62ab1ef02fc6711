import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countRecentFailures, findSessionUser, insertSession, recordLoginAttempt, revokeSession, revokeUserSessions } from '#db/models/sessions.ts'
import { setUserDisabled } from '#db/models/users.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

let t: TestDatabase
let adminId: number
const hour = 3600_000
const now = new Date('2026-11-22T08:00:00Z')

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  adminId = (await t.db.selectFrom('users').select('id').where('username', '=', 'bureau.henan').executeTakeFirstOrThrow()).id
})
afterAll(() => t?.close())

const sid = (n: number) => n.toString(16).padStart(64, '0')

describe('sessions', () => {
  it('resolve to the user and scope while live', async () => {
    await insertSession(t.db, { id: sid(1), userId: adminId, expiresAt: new Date(now.getTime() + hour), ip: '127.0.0.1', userAgent: 'test' })
    const user = await findSessionUser(t.db, sid(1), now)
    expect(user).toMatchObject({ username: 'bureau.henan', role: 'bureau_officer', regionCode: '410000', outletId: null, brandId: null })
  })

  it('expire', async () => {
    await insertSession(t.db, { id: sid(2), userId: adminId, expiresAt: new Date(now.getTime() + hour), ip: null, userAgent: null })
    expect(await findSessionUser(t.db, sid(2), new Date(now.getTime() + hour - 1))).toBeDefined()
    expect(await findSessionUser(t.db, sid(2), new Date(now.getTime() + hour))).toBeUndefined()
  })

  it('can be revoked one at a time or all together', async () => {
    await insertSession(t.db, { id: sid(3), userId: adminId, expiresAt: new Date(now.getTime() + hour), ip: null, userAgent: null })
    await revokeSession(t.db, sid(3))
    expect(await findSessionUser(t.db, sid(3), now)).toBeUndefined()
    expect(await findSessionUser(t.db, sid(1), now)).toBeDefined()
    // sid(1) and sid(2) are still unrevoked
    expect(await revokeUserSessions(t.db, adminId)).toBe(2)
    expect(await findSessionUser(t.db, sid(1), now)).toBeUndefined()
  })

  it('stop working when the user is disabled', async () => {
    await insertSession(t.db, { id: sid(4), userId: adminId, expiresAt: new Date(now.getTime() + hour), ip: null, userAgent: null })
    await setUserDisabled(t.db, adminId, true)
    expect(await findSessionUser(t.db, sid(4), now)).toBeUndefined()
    await setUserDisabled(t.db, adminId, false)
    expect(await findSessionUser(t.db, sid(4), now)).toBeDefined()
  })
})

describe('login attempts', () => {
  it('count failures by username and by address inside the window only', async () => {
    for (const [username, ip, succeeded] of [
      ['alice', '10.0.0.1', false],
      ['alice', '10.0.0.2', false],
      ['alice', '10.0.0.1', true],
      ['bob', '10.0.0.1', false],
    ] as const) {
      await recordLoginAttempt(t.db, { username, ip, succeeded })
    }
    const since = new Date(Date.now() - 15 * 60_000)
    expect(await countRecentFailures(t.db, { username: 'alice', ip: '10.0.0.1', since })).toEqual({ byUsername: 2, byIp: 2 })
    expect(await countRecentFailures(t.db, { username: 'alice', ip: '10.0.0.1', since: new Date(Date.now() + 60_000) })).toEqual({ byUsername: 0, byIp: 0 })
  })
})
