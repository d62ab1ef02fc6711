import { describe, expect, it } from 'vitest'
import { parseEnv } from '#app/utils/env.server.ts'

describe('environment check at boot', () => {
  it('defaults to the embedded database on port 3000', () => {
    const env = parseEnv({})
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: '.data/pglite', SESSION_TTL_HOURS: 12 })
    expect(env.DATABASE_URL).toBeUndefined()
  })
  it('accepts a PostgreSQL URL and an empty one as unset', () => {
    expect(parseEnv({ DATABASE_URL: 'postgres://u@h:5432/db' }).DATABASE_URL).toBe('postgres://u@h:5432/db')
    expect(parseEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined()
  })
  it('names each bad variable and says what to put there, in Chinese and English', () => {
    expect(() => parseEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x' })).toThrowError(
      /PORT: 必须是端口号 \/ must be a port number[\s\S]*DATABASE_URL: 须为 postgres:\/\/ 连接串/,
    )
    expect(() => parseEnv({ PORT: '70000' })).toThrowError(/PORT: 端口号须在 1–65535 之间/)
  })
})
