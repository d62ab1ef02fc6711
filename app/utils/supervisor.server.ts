import cluster, { type Worker } from 'node:cluster'

/**
 * How many app processes `npm start` runs. On PostgreSQL, one per core (or
 * WEB_CONCURRENCY): every piece of state a request needs lives in the database,
 * so any process may answer any request. The embedded database (PGlite) is a
 * single-writer database in one process's memory: exactly one process, whatever
 * WEB_CONCURRENCY says. The development server is one process too (hot reload).
 */
export function plannedWorkers(
  env: { DATABASE_URL?: string; NODE_ENV?: string; WEB_CONCURRENCY?: string },
  cores: number,
): { ok: true; workers: number } | { ok: false; message: string } {
  const raw = env.WEB_CONCURRENCY?.trim()
  let requested = cores
  if (raw !== undefined && raw !== '') {
    if (!/^[0-9]{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) {
      return {
        ok: false,
        message: `环境变量 WEB_CONCURRENCY 应为 1 到 256 之间的整数（收到 “${raw}”）。\nWEB_CONCURRENCY must be a whole number from 1 to 256 (got “${raw}”).`,
      }
    }
    requested = Number(raw)
  }
  if (!env.DATABASE_URL || env.NODE_ENV === 'development') return { ok: true, workers: 1 }
  return { ok: true, workers: Math.max(1, requested) }
}

/** node's flags for a worker: the primary's, less those meant for the embedded process alone. */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  return execArgv.filter((flag) => !/^--(max-old-space-size(=|$)|liftoff-only$)/.test(flag))
}

/** What a worker tells the supervisor once it listens: the lines of the start banner. */
export interface ListeningMessage {
  kind: 'greenparcel:listening'
  lines: string[]
}

export function isListeningMessage(message: unknown): message is ListeningMessage {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'greenparcel:listening'
}

/**
 * The primary process: forks the workers (each runs server.ts as a whole and
 * listens on the shared port; the first alone until it listens), prints the banner once, and replaces a worker
 * that dies. A worker that dies before it ever listened failed to boot (a bad
 * environment, an unreachable database): forking it again would fail the same
 * way, so the supervisor stops with that worker's exit code instead.
 */
export function supervise(workers: number): void {
  // The heap cap and baseline-only WebAssembly of `npm run serve` are sized for the
  // embedded database's one process (decision 082); a worker on PostgreSQL serves
  // pages under load and runs without them.
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv) })
  let stopping = false
  let bannerShown = false
  let othersForked = false
  const listened = new WeakSet<Worker>()

  const fork = () => {
    const worker = cluster.fork()
    worker.on('message', (message: unknown) => {
      if (!isListeningMessage(message)) return
      listened.add(worker)
      if (!bannerShown) {
        bannerShown = true
        console.log([...message.lines, `进程 Processes: ${workers} (PostgreSQL; 每核一个 one per core)`].join('\n'))
      }
      console.log(`工作进程已启动 Worker ${worker.process.pid} listening`)
      // The first worker migrates the database at boot; the others start after it, so that
      // they never race it to create the migrator's own tables.
      if (!othersForked) {
        othersForked = true
        for (let i = 1; i < workers; i++) fork()
      }
    })
  }

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    if (!listened.has(worker)) {
      console.error(`工作进程启动失败 Worker ${worker.process.pid} exited before it listened (${signal ?? code}); stopping.`)
      stopping = true
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM')
      process.exitCode = typeof code === 'number' && code !== 0 ? code : 1
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit()
      return
    }
    console.error(`工作进程退出 Worker ${worker.process.pid} exited (${signal ?? code}); starting a replacement.`)
    fork()
  })

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true
      const running = Object.values(cluster.workers ?? {})
      if (running.length === 0) process.exit(0)
      for (const worker of running) worker?.process.kill('SIGTERM')
      setTimeout(() => process.exit(0), 5000).unref()
    })
  }

  fork()
}
