import { spawnSync } from 'node:child_process'

/**
 * Batch jobs that stream millions of rows keep a few batches alive at once;
 * with V8's default young generation (16 MB semi-spaces) those objects are
 * copied by every minor GC and promoted, and collecting them became the
 * largest single cost of a recompute. V8 takes the semi-space size only at
 * start-up, so the script runs itself once more with a 64 MB young generation.
 * Returns true in the parent, which should then do nothing else.
 */
export function rerunWithLargerYoungGeneration(): boolean {
  if (process.env.GP_YOUNG_GENERATION === '64' || process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) return false
  const result = spawnSync(
    process.execPath,
    ['--max-semi-space-size=64', '--min-semi-space-size=64', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, GP_YOUNG_GENERATION: '64' } },
  )
  process.exitCode = result.status ?? 1
  return true
}
