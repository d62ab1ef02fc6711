import { createHash } from 'node:crypto'
import type { AppLoadContext } from '@remix-run/node'
import type { KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSessionUser, requireRole } from '#app/utils/auth.server.ts'
import { insertSession } from '#db/models/sessions.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

// A page request's loaders (the root's and the page's) share one session
// lookup through the request's load context; without a context, or in
// another request's, each call looks the session up itself.

let t: TestDatabase
let statements = 0
const holder = globalThis as typeof globalThis & { __greenparcelDb?: Promise<unknown> }
const previous = holder.__greenparcelDb

const tokenOf = (n: number) => `token-${n}`.padEnd(43, 'x')
const requestWith = (token: string) => new Request('http://localhost/bureau', { headers: { cookie: `gp_session=${token}` } })

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  const counter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      statements++
      return args.result
    },
  }
  // getDb() hands out this database, counting its statements.
  holder.__greenparcelDb = Promise.resolve({ handle: { db: t.db.withPlugin(counter), kind: 'pglite', close: async () => {} }, info: {} })
  const expiresAt = new Date(Date.now() + 3600_000)
  for (const [n, username] of [[1, 'bureau.henan'], [2, 'outlet.sf']] as const) {
    const user = await t.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
    const id = createHash('sha256').update(tokenOf(n)).digest('hex')
    await insertSession(t.db, { id, userId: user.id, expiresAt, ip: null, userAgent: null })
  }
})
afterAll(async () => {
  holder.__greenparcelDb = previous
  await t?.close()
})

describe('the session lookup of a request', () => {
  it('is made once for all the loaders given the same load context', async () => {
    const context: AppLoadContext = {}
    statements = 0
    const [root, page] = await Promise.all([
      getSessionUser(requestWith(tokenOf(1)), context),
      requireRole(requestWith(tokenOf(1)), ['bureau_officer'], context),
    ])
    expect(statements).toBe(1)
    expect(root?.username).toBe('bureau.henan')
    expect(page.username).toBe('bureau.henan')
    expect(page.regionCode).toBe('410000')
  })

  it('is made again in another request, and by a caller without a context', async () => {
    statements = 0
    await getSessionUser(requestWith(tokenOf(1)), {})
    await getSessionUser(requestWith(tokenOf(1)), {})
    await getSessionUser(requestWith(tokenOf(1)))
    await getSessionUser(requestWith(tokenOf(1)))
    expect(statements).toBe(4)
  })

  it('keeps sessions apart within one context', async () => {
    const context: AppLoadContext = {}
    statements = 0
    const first = await getSessionUser(requestWith(tokenOf(1)), context)
    const second = await getSessionUser(requestWith(tokenOf(2)), context)
    const none = await getSessionUser(requestWith(tokenOf(3)), context)
    expect([first?.username, second?.username, none]).toEqual(['bureau.henan', 'outlet.sf', null])
    expect(statements).toBe(3)
    await expect(requireRole(requestWith(tokenOf(2)), ['bureau_officer'], context)).rejects.toMatchObject({ status: 403 })
    expect(statements).toBe(3)
  })
})
