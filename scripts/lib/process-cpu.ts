import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU seconds used so far by a process and every process below it (Linux /proc;
 * `tsx server.ts` runs the server in a child, and a supervisor's workers are
 * children of that). Benchmarks divide it by requests served: on a shared
 * machine CPU per request is steadier than requests per second.
 */
export function processTreeCpuSeconds(rootPid: number): number {
  const ticks = 100 // USER_HZ on Linux
  const parent = new Map<number, number>()
  const cpu = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')
      parent.set(Number(entry), Number(fields[1]))
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / ticks)
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0
  for (const [pid, seconds] of cpu) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === rootPid) {
        total += seconds
        break
      }
    }
  }
  return total
}
