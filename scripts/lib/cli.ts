import { EnvError } from '#app/utils/env.server.ts'

/** Run a command-line tool: print its error plainly and exit non-zero, never a bare stack for a user mistake. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof EnvError ? error.message : error instanceof Error ? `错误 Error: ${error.message}` : error)
      process.exit(1)
    },
  )
}
