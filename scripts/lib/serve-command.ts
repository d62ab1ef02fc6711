import { readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * node's arguments as `npm run serve` gives them (package.json "serve": flags,
 * then the built server), so that the tests and the benchmarks start the
 * server, or measure a process, with the same flags a user's start has.
 */
export function serveCommand(projectRoot: string): { flags: string[]; entry: string } {
  const scripts = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
  const command = /\bnode ((?:--\S+ )*)(\S+\.js)$/.exec(scripts.serve ?? '')
  if (!command) throw new Error(`package.json "serve" is not "… node [--flags] build/….js": ${scripts.serve}`)
  return { flags: command[1]!.trim().split(/\s+/).filter(Boolean), entry: command[2]! }
}
