import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { serveCommand } from '../../../scripts/lib/serve-command.ts'
import { freePort } from '../../../scripts/lib/free-port.ts'
import { demoPassword } from '../../../scripts/lib/demo-password.ts'

export { demoPassword }


export interface RunningApp {
  url: string
  /** The server's process (node, as `npm run serve` starts it): for reading memory under /proc. */
  pid: number
  /** What the server printed since it started (the last 20,000 characters): for a failing test's message. */
  output(): string
  stop(): Promise<void>
}

/** The built app on a free port with its own fresh embedded database (demo data loaded at boot). */
export async function startApp(extraEnv: Record<string, string> = {}): Promise<RunningApp> {
  const port = await freePort()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gp-e2e-'))
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, ...extraEnv }
  if (!extraEnv.DATABASE_URL) delete env.DATABASE_URL
  const { flags, entry } = serveCommand(process.cwd())
  const child: ChildProcess = spawn(process.execPath, [...flags, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), 300_000)
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
      if (output.includes(`http://localhost:${port}`)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`app exited with ${code}:\n${output}`))
    })
  })
  return {
    url: `http://localhost:${port}`,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      child.removeAllListeners('exit')
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export async function signIn(page: Page, baseUrl: string, username: string, password = demoPassword): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.getByLabel(/用户名|Username/).fill(username)
  await page.getByLabel(/密码|Password/).fill(password)
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.getByRole('button', { name: /^(登录|Sign in)$/ }).click()])
}

export interface E2eSession {
  readonly app: RunningApp
  readonly browser: Browser
  /** The test's own browser context, fresh for each test. */
  readonly context: BrowserContext
  /** Another context for this test (other options, a second person); closed after the test like the first. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>
}

/**
 * A test file's app (started once, on its own fresh embedded database) and
 * browser, with a fresh context for every test: registers the hooks, so call
 * it at the top of the file.
 */
export function useE2eSession(): E2eSession {
  let app: RunningApp | undefined
  let browser: Browser | undefined
  let contexts: BrowserContext[] = []
  beforeAll(async () => {
    app = await startApp()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })
  const newContext = async (options?: BrowserContextOptions) => {
    const context = await browser!.newContext(options)
    contexts.push(context)
    return context
  }
  beforeEach(async () => {
    await newContext()
  })
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()))
    contexts = []
  })
  return {
    get app() {
      return app!
    },
    get browser() {
      return browser!
    },
    get context() {
      return contexts[0]!
    },
    newContext,
  }
}
