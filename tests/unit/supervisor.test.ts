import { describe, expect, it } from 'vitest'
import { plannedWorkers, workerExecArgv } from '#app/utils/supervisor.server.ts'

describe('how many app processes npm start runs', () => {
  const pg = 'postgres://postgres@127.0.0.1:5432/greenparcel'

  it('one per core on PostgreSQL, or WEB_CONCURRENCY', () => {
    expect(plannedWorkers({ DATABASE_URL: pg, NODE_ENV: 'production' }, 8)).toEqual({ ok: true, workers: 8 })
    expect(plannedWorkers({ DATABASE_URL: pg, NODE_ENV: 'production', WEB_CONCURRENCY: '3' }, 8)).toEqual({ ok: true, workers: 3 })
  })

  it('exactly one on the embedded database (single writer), whatever WEB_CONCURRENCY says', () => {
    expect(plannedWorkers({ NODE_ENV: 'production' }, 8)).toEqual({ ok: true, workers: 1 })
    expect(plannedWorkers({ NODE_ENV: 'production', WEB_CONCURRENCY: '4' }, 8)).toEqual({ ok: true, workers: 1 })
  })

  it('one in development (hot reload)', () => {
    expect(plannedWorkers({ DATABASE_URL: pg, NODE_ENV: 'development' }, 8)).toEqual({ ok: true, workers: 1 })
  })

  it('refuses a WEB_CONCURRENCY that is not a whole number from 1 to 256, naming it in both languages', () => {
    for (const bad of ['0', 'two', '-1', '1.5', '999']) {
      const planned = plannedWorkers({ DATABASE_URL: pg, WEB_CONCURRENCY: bad }, 2)
      expect(planned.ok).toBe(false)
      if (!planned.ok) {
        expect(planned.message).toContain('WEB_CONCURRENCY 应为 1 到 256 之间的整数')
        expect(planned.message).toContain(`WEB_CONCURRENCY must be a whole number from 1 to 256 (got “${bad}”)`)
      }
    }
  })
})

describe('workerExecArgv', () => {
  it('drops the embedded process’s heap cap and baseline-only WebAssembly, keeps the rest', () => {
    expect(workerExecArgv(['--max-old-space-size=96', '--liftoff-only', '--enable-source-maps', '--import', 'tsx'])).toEqual(['--enable-source-maps', '--import', 'tsx'])
    expect(workerExecArgv(['--max-old-space-size', '--cpu-prof'])).toEqual(['--cpu-prof'])
  })
})
