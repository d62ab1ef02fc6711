import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU seconds used so far by each PostgreSQL backend serving `database`
 * (found by its process title in /proc; Linux, server on this machine).
 * Benchmarks print it beside wall time: other work shares the cores.
 */
export function backendCpu(database: string): Map<string, number> {
  const ticks = 100 // USER_HZ on Linux
  const cpu = new Map<string, number>()
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (!cmd.startsWith('postgres:') || !cmd.includes(` ${database} `)) continue
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / ticks)
    } catch {
      // the process ended meanwhile
    }
  }
  return cpu
}

/** The sum of backendCpu. */
export function backendCpuSeconds(database: string): number {
  let total = 0
  for (const seconds of backendCpu(database).values()) total += seconds
  return total
}
