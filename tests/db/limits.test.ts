import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimAccount, claimLimits } from '#app/services/credit-claim.server.ts'
import { findOrCreateConsumer } from '#app/services/credits.server.ts'
import { authenticate, loginLimits } from '#app/utils/auth.server.ts'
import { creditKeys, type CreditKeys } from '#app/utils/credits-env.server.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

// Sign-in and claim limits under parallel requests: the limit is checked and
// the attempt counted in one locked step, so no more attempts than the limit
// are ever evaluated, however many arrive at once.

let t: TestDatabase
let keys: CreditKeys

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  keys = creditKeys()
})
afterAll(() => t?.close())

const attemptsFor = async (username: string) =>
  (await t.db.selectFrom('login_attempts').select('succeeded').where('username', '=', username).execute()).length

describe('sign-in limit', () => {
  it('200 parallel sign-ins for one user, the right password last: 5 evaluated, none signed in', async () => {
    const tries = Array.from({ length: 200 }, (_, i) =>
      authenticate(t.db, 'outlet.sf', i === 199 ? 'GreenParcel-demo' : `wrong-${i}`, `10.20.${i >> 8}.${i & 255}`),
    )
    const results = await Promise.all(tries)
    expect(results.filter((r) => !r.ok && r.reason === 'rate_limited')).toHaveLength(200 - loginLimits.maxFailuresPerUsername)
    expect(results.filter((r) => r.ok)).toHaveLength(0)
    expect(await attemptsFor('outlet.sf')).toBe(5)
  })

  it('a success does not count as a failure, and the right password signs in under the limit', async () => {
    const first = await authenticate(t.db, 'outlet.zto', 'GreenParcel-demo', '10.21.0.1')
    expect(first.ok).toBe(true)
    const failures = await Promise.all(Array.from({ length: 4 }, (_, i) => authenticate(t.db, 'outlet.zto', `nope-${i}`, '10.21.0.1')))
    expect(failures.every((r) => !r.ok && r.reason === 'invalid')).toBe(true)
    expect((await authenticate(t.db, 'outlet.zto', 'GreenParcel-demo', '10.21.0.1')).ok).toBe(true)
  })

  it('40 parallel sign-ins from one address to different usernames: 30 evaluated', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => authenticate(t.db, `nobody.${i}`, 'whatever-pass', '10.22.0.1')))
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(loginLimits.maxFailuresPerIp)
    expect(results.filter((r) => !r.ok && r.reason === 'rate_limited')).toHaveLength(10)
  })
})

describe('claim limit', () => {
  it('300 parallel guesses on one member code: 5 evaluated, the right phone among them refused', async () => {
    const found = await t.db.transaction().execute((trx) =>
      findOrCreateConsumer(trx, { kind: 'phone', phone: '13811112222' as never }, keys, {}),
    )
    if (!found.ok) throw new Error('consumer not created')
    const code = found.consumer.memberCode
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        claimAccount(
          t.db,
          keys,
          {
            memberCode: code,
            phone: i === 299 ? '13811112222' : `1381111${String(i).padStart(4, '0')}`,
            username: `guesser${i}`,
            password: 'a-long-password',
            displayName: 'G',
          },
          `10.30.${i >> 8}.${i & 255}`,
          new Date(),
        ),
      ),
    )
    const limited = results.filter((r) => !r.ok && r.errors.form?.key === 'creditPages.claim.error.rateLimited')
    expect(limited).toHaveLength(300 - claimLimits.maxFailuresPerCode)
    expect(await attemptsFor(`claim:${code}`)).toBe(5)
    expect(results.filter((r) => r.ok)).toHaveLength(0)
  })

  it('answers the same whether or not the username exists', async () => {
    const found = await t.db.transaction().execute((trx) =>
      findOrCreateConsumer(trx, { kind: 'phone', phone: '13811113333' as never }, keys, {}),
    )
    if (!found.ok) throw new Error('consumer not created')
    const input = { memberCode: found.consumer.memberCode, phone: '13900009999', password: 'a-long-password', displayName: 'G' }
    const taken = await claimAccount(t.db, keys, { ...input, username: 'admin' }, '10.31.0.1', new Date())
    const free = await claimAccount(t.db, keys, { ...input, username: 'never.used.name' }, '10.31.0.2', new Date())
    expect(taken).toEqual({ ok: false, errors: { form: { key: 'creditPages.claim.error.noMatch' } } })
    expect(free).toEqual(taken)
    // with the code and phone matched, the taken name is named (and the guess no longer counts)
    const owner = await claimAccount(t.db, keys, { ...input, phone: '13811113333', username: 'admin' }, '10.31.0.3', new Date())
    expect(owner).toEqual({ ok: false, errors: { username: { key: 'admin.error.usernameTaken', params: { username: 'admin' } } } })
  })
})
