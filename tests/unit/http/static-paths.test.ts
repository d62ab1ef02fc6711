import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import express, { type RequestHandler } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onlyUnder } from '#app/utils/static-paths.server.ts'

// The static middleware is asked only for paths under a name the client folder holds: files are
// served as before, and a page request never reaches it (nor the file system).

let folder = ''
let server: http.Server
let url = ''
const asked: string[] = []
beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'gp-static-'))
  writeFileSync(path.join(folder, 'favicon.ico'), 'icon')
  writeFileSync(path.join(folder, 'manifest 1.webmanifest'), '{}')
  mkdirSync(path.join(folder, 'assets'))
  writeFileSync(path.join(folder, 'assets', 'app.js'), 'js')
  const serve = express.static(folder)
  const counting: RequestHandler = (req, res, next) => {
    asked.push(req.path)
    serve(req, res, next)
  }
  const app = express()
  app.use(onlyUnder(folder, counting))
  app.use((req, res) => res.type('text/plain').send(`page ${req.path}`))
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve())
  })
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(folder, { recursive: true, force: true })
})

describe('onlyUnder', () => {
  it('serves the folder’s files and passes pages on without asking the static middleware', async () => {
    const text = async (p: string) => (await fetch(`${url}${p}`)).text()
    expect(await text('/favicon.ico')).toBe('icon')
    expect(await text('/assets/app.js')).toBe('js')
    expect(await text('/manifest%201.webmanifest')).toBe('{}')
    expect(await text('/assets/missing.js')).toBe('page /assets/missing.js')
    expect(asked).toEqual(['/favicon.ico', '/assets/app.js', '/manifest%201.webmanifest', '/assets/missing.js'])
    asked.length = 0
    for (const p of ['/', '/bureau', '/reports/export.csv', '/favicon.ico.br', '/%E0%A4%A', '/assetsx/app.js']) {
      expect(await text(p)).toBe(`page ${p}`)
    }
    expect(asked).toEqual([])
  })
})
