import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { parseServerKey } from '#app/domain/credits/signing.server.ts'
import { env, EnvError, type Env } from './env.server.ts'

/**
 * The two secrets of the credits area, kept outside the database so that a
 * dump alone reveals neither partner secrets nor phone numbers:
 *  - PARTNER_SECRET_SERVER_KEY: 32 bytes (64 hex characters or base64) that
 *    seal partner API secrets (docs/decisions/051-partner-keys.md);
 *  - PHONE_HASH_PEPPER: at least 32 bytes of text, the HMAC key of stored
 *    phone numbers.
 * Where they come from:
 *  - the environment, when set (always, on a real PostgreSQL server);
 *  - the embedded database (no DATABASE_URL): generated once and kept in
 *    DATA_DIR/greenparcel-credit-keys.json, so `npm start` needs no setup and
 *    deleting the data folder deletes the keys with the data they protect;
 *  - NODE_ENV=test: fixed, public test values (never used by a real server).
 * Changing either later orphans what was stored under the old one (sealed
 * secrets stop opening, known phones are no longer recognised).
 */
export interface CreditKeys {
  serverKey: Uint8Array
  phonePepper: string
}

const names = { serverKey: 'PARTNER_SECRET_SERVER_KEY', pepper: 'PHONE_HASH_PEPPER' } as const

const schema = z.object({
  [names.serverKey]: z
    .string({ required_error: '未设置 / not set' })
    .trim()
    .refine(
      (value) => {
        try {
          parseServerKey(value)
          return true
        } catch {
          return false
        }
      },
      '须为 32 字节密钥：64 位十六进制或 base64，可用 `openssl rand -hex 32` 生成 / must be a 32-byte key: 64 hex characters or base64; make one with `openssl rand -hex 32`',
    ),
  [names.pepper]: z
    .string({ required_error: '未设置 / not set' })
    .trim()
    .refine(
      (value) => Buffer.byteLength(value, 'utf8') >= 32,
      '至少 32 字节，可用 `openssl rand -hex 32` 生成 / at least 32 bytes; make one with `openssl rand -hex 32`',
    ),
})

/** Public, fixed values for NODE_ENV=test only: tests must agree across processes and files. */
const testValues = {
  [names.serverKey]: '746573742d6f6e6c792d677265656e70617263656c2d7365616c2d6b65792121',
  [names.pepper]: 'test-only-greenparcel-phone-pepper-not-secret',
}

export const creditKeysFileName = 'greenparcel-credit-keys.json'

function parse(source: Record<string, string | undefined>, origin: string): CreditKeys {
  const result = schema.safeParse(source)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new EnvError(`积分密钥有误 / Invalid credit keys (${origin}):\n${lines.join('\n')}`)
  }
  return {
    serverKey: parseServerKey(result.data[names.serverKey]),
    phonePepper: result.data[names.pepper],
  }
}

function embeddedKeys(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, creditKeysFileName)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
  const generated = {
    [names.serverKey]: randomBytes(32).toString('hex'),
    [names.pepper]: randomBytes(32).toString('hex'),
  }
  mkdirSync(dataDir, { recursive: true })
  // wx: if another process wrote it first, keep theirs.
  try {
    writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  } catch {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
  }
  return generated
}

/** Resolve the keys from an environment, without caching (tests pass their own). */
export function resolveCreditKeys(
  source: Record<string, string | undefined>,
  base: Pick<Env, 'NODE_ENV' | 'DATABASE_URL' | 'DATA_DIR'> = env(),
): CreditKeys {
  const given = {
    [names.serverKey]: source[names.serverKey]?.trim() || undefined,
    [names.pepper]: source[names.pepper]?.trim() || undefined,
  }
  if (given[names.serverKey] && given[names.pepper]) return parse(given, 'environment')
  const { NODE_ENV, DATABASE_URL, DATA_DIR } = base
  if (NODE_ENV === 'test') return parse({ ...testValues, ...stripUndefined(given) }, 'test defaults')
  if (!DATABASE_URL) {
    const dataDir = path.resolve(process.cwd(), DATA_DIR)
    return parse({ ...embeddedKeys(dataDir), ...stripUndefined(given) }, path.join(dataDir, creditKeysFileName))
  }
  const missing = Object.values(names).filter((name) => !given[name])
  throw new EnvError(
    `积分密钥未设置 / Credit keys not set:\n${missing
      .map((name) => `  ${name}: 使用 PostgreSQL（DATABASE_URL）时必须设置，可用 \`openssl rand -hex 32\` 生成 / required with DATABASE_URL; make one with \`openssl rand -hex 32\``)
      .join('\n')}`,
  )
}

function stripUndefined(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

let cached: CreditKeys | undefined

/** The process's credit keys; throws EnvError naming the variable when they are missing or malformed. */
export function creditKeys(): CreditKeys {
  cached ??= resolveCreditKeys(process.env)
  return cached
}

/** For boot: fail before listening rather than at the first counter visit. */
export function checkCreditsEnv(): void {
  creditKeys()
}
