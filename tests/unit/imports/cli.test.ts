import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// The command-line import when its database connection is lost: a clear
// message (which file, what it was doing, what state the data is in), exit
// code 3, no stack trace.

describe('scripts/import-csv.ts without its database', () => {
  it('says the connection was lost and nothing was written, and exits 3', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'gp-cli-'))
    const file = path.join(folder, 'jan.csv')
    writeFileSync(file, 'outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality\nSF-410105-01,2025-01-01,10,10,0,measured\n')
    // Port 1: nothing listens there, the first statement's connection is refused.
    const run = spawnSync(path.resolve('node_modules/.bin/tsx'), ['scripts/import-csv.ts', '--type', 'shipment_stats', '--brand', 'sf', file], {
      env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
      encoding: 'utf8',
      timeout: 120_000,
    })
    expect(run.status).toBe(3)
    expect(run.stderr).toContain(`数据库连接中断 / the database connection was lost (连接数据库 connecting ${file})`)
    expect(run.stderr).toContain('Nothing was written.')
    expect(run.stderr).not.toMatch(/\n\s+at /)
  }, 150_000)
})
