import { PassThrough } from 'node:stream'
import path from 'node:path'
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { readDemoSignIns } from '#seeds/load/demo.ts'
import { checkCreditsEnv } from './utils/credits-env.server.ts'
import { startImportWorker } from './services/imports.server.ts'
import { boot as bootDatabase, getDb, projectRoot } from './utils/db.server.ts'
import { env } from './utils/env.server.ts'
import { NonceContext } from './utils/nonce.ts'

const ABORT_DELAY = 5_000

/** Called once by server.ts before it listens: checks the environment, migrates, seeds an empty embedded database. */
export async function boot(): Promise<{ port: number; lines: string[] }> {
  const { PORT } = env()
  const info = await bootDatabase()
  checkCreditsEnv()
  // Every app process claims queued import jobs; it first recovers those a stopped process left.
  startImportWorker(await getDb())
  const lines = [
    `数据库 Database: ${info.kind === 'pglite' ? '内置 embedded PGlite' : 'PostgreSQL'} (${info.location})`,
  ]
  if (info.migrationsRun.length > 0) lines.push(`已执行迁移 Migrations run: ${info.migrationsRun.join(', ')}`)
  if (info.seeded) lines.push('已载入演示数据 Demo data loaded.')
  if (info.kind === 'pglite') {
    lines.push('演示账号 Demo sign-ins (username / password):')
    for (const u of await readDemoSignIns(path.join(projectRoot, 'seeds'))) {
      lines.push(`  ${u.username.padEnd(18)} ${u.password.padEnd(18)} ${u.role}`)
    }
  }
  return { port: PORT, lines }
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? ''
  const callback = isbot(request.headers.get('user-agent') ?? '') ? 'onAllReady' : 'onShellReady'
  return new Promise((resolve, reject) => {
    let shellRendered = false
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        [callback]() {
          shellRendered = true
          const body = new PassThrough()
          responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }))
          pipe(body)
        },
        onShellError(error: unknown) {
          reject(error)
        },
        onError(error: unknown) {
          responseStatusCode = 500
          if (shellRendered) console.error(error)
        },
      },
    )
    setTimeout(abort, ABORT_DELAY)
  })
}
