/**
 * The row each natural key was first seen on, for a file's duplicate check.
 *
 * Keys that are small non-negative integers (the packed keys of
 * validate-row.ts, below 2^30) are kept in two typed arrays, open addressing
 * with linear probing: outside the V8 heap and smaller than a Map of them,
 * which every full garbage collection of a long import would trace (decision
 * 041 has the measurements). Any other key (a string) goes to a Map.
 */
export class FirstRows {
  private keys = new Int32Array(1024).fill(-1)
  private rows = new Int32Array(1024)
  /** 32 minus log2 of the table's length: a slot is the top bits of the hash. */
  private shift = 22
  private stored = 0
  private readonly others = new Map<string | number, number>()

  get size(): number {
    return this.stored + this.others.size
  }

  /** The row `key` was first seen on, or undefined if it is new; a new key is recorded with `row`. */
  firstOrAdd(key: string | number, row: number): number | undefined {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key > 0x3fffffff || !Number.isInteger(row) || row < 0 || row > 0x7fffffff) {
      const first = this.others.get(key)
      if (first === undefined) this.others.set(key, row)
      return first
    }
    const mask = this.keys.length - 1
    let slot = slotOf(key, this.shift)
    for (;;) {
      const found = this.keys[slot]!
      if (found === key) return this.rows[slot]!
      if (found === -1) break
      slot = (slot + 1) & mask
    }
    this.keys[slot] = key
    this.rows[slot] = row
    this.stored++
    // at most half full: probes stay short
    if (this.stored * 2 > this.keys.length) this.grow()
    return undefined
  }

  private grow(): void {
    const oldKeys = this.keys
    const oldRows = this.rows
    this.keys = new Int32Array(oldKeys.length * 2).fill(-1)
    this.rows = new Int32Array(oldKeys.length * 2)
    this.shift--
    const mask = this.keys.length - 1
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i]!
      if (key === -1) continue
      let slot = slotOf(key, this.shift)
      while (this.keys[slot] !== -1) slot = (slot + 1) & mask
      this.keys[slot] = key
      this.rows[slot] = oldRows[i]!
    }
  }
}

/**
 * Fibonacci hashing: the top bits of the key times 2^32 / φ. Packed keys differ
 * in their high bits as often as in their low ones; the product's top bits
 * depend on all of them.
 */
function slotOf(key: number, shift: number): number {
  return Math.imul(key, 0x9e3779b1) >>> shift
}
