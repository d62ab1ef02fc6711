/**
 * Reports kept in this process, each under the fingerprint of the rows it was
 * built from (`reportFingerprints` in db/models/reports.ts). A report is reused
 * only while a fresh fingerprint, read at the request, is the same: any write
 * to a row it read, in this process or another, changes the fingerprint, so a
 * report is never older than the data. Entries are per viewer (the key starts
 * with who asks), so no report built for one user is handed to another.
 *
 * Bounded in entries, least recently used first out. Reports are frozen when
 * stored: a caller that tried to change a shared one would fail loudly.
 */
export class FingerprintCache<T> {
  private readonly entries = new Map<string, { fingerprint: string; value: T }>()

  constructor(private readonly maxEntries: number) {}

  get(key: string, fingerprint: string): T | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    if (entry.fingerprint !== fingerprint) return undefined
    this.entries.set(key, entry)
    return entry.value
  }

  set(key: string, fingerprint: string, value: T): T {
    if (this.maxEntries <= 0) return value
    const frozen = deepFreeze(value)
    this.entries.delete(key)
    this.entries.set(key, { fingerprint, value: frozen })
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    return frozen
  }

  get size(): number {
    return this.entries.size
  }

  clear(): void {
    this.entries.clear()
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

/** Entries per process: REPORT_CACHE_ENTRIES, 200 by default; 0 turns the cache off. */
export function reportCacheEntries(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.REPORT_CACHE_ENTRIES
  if (raw === undefined || raw === '') return 200
  const n = Number(raw)
  return Number.isInteger(n) && n >= 0 && n <= 100_000 ? n : 200
}
