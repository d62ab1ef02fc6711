import { describe, expect, it } from 'vitest'
import { FirstRows } from '#app/domain/csv/first-rows.ts'

describe('FirstRows', () => {
  it('answers the first row of a key seen before, and nothing for a new key', () => {
    const seen = new FirstRows()
    expect(seen.firstOrAdd(7, 2)).toBeUndefined()
    expect(seen.firstOrAdd(7, 9)).toBe(2)
    expect(seen.firstOrAdd(7, 12)).toBe(2)
    expect(seen.firstOrAdd(0, 3)).toBeUndefined()
    expect(seen.firstOrAdd(0, 4)).toBe(3)
    expect(seen.size).toBe(2)
  })

  it('keeps every key through growth, keys differing only in their high bits included', () => {
    const seen = new FirstRows()
    // packed keys of 2,000 outlets × 100 days (outlet in the bits above 15): 200,000 keys, many doublings
    let seenBefore = 0
    for (let outlet = 0; outlet < 2000; outlet++) {
      for (let day = 0; day < 100; day++) if (seen.firstOrAdd(outlet * 2 ** 15 + day, outlet * 100 + day + 2) !== undefined) seenBefore++
    }
    expect(seenBefore).toBe(0)
    expect(seen.size).toBe(200_000)
    expect(seen.firstOrAdd(0, 1)).toBe(2)
    expect(seen.firstOrAdd(1999 * 2 ** 15 + 99, 1)).toBe(1999 * 100 + 99 + 2)
    expect(seen.firstOrAdd(1234 * 2 ** 15 + 56, 1)).toBe(1234 * 100 + 56 + 2)
    expect(seen.firstOrAdd(2000 * 2 ** 15, 1)).toBeUndefined()
  })

  it('takes string keys and numbers outside the packed range as well, apart from packed ones', () => {
    const seen = new FirstRows()
    expect(seen.firstOrAdd('|SF-410105-01|2024-03-01', 2)).toBeUndefined()
    expect(seen.firstOrAdd('|SF-410105-01|2024-03-01', 5)).toBe(2)
    expect(seen.firstOrAdd(2 ** 30, 3)).toBeUndefined()
    expect(seen.firstOrAdd(2 ** 30, 6)).toBe(3)
    expect(seen.firstOrAdd(-1, 4)).toBeUndefined()
    expect(seen.firstOrAdd(-1, 7)).toBe(4)
    // the string "5" and the number 5 are different keys
    expect(seen.firstOrAdd(5, 8)).toBeUndefined()
    expect(seen.firstOrAdd('5', 9)).toBeUndefined()
    expect(seen.size).toBe(5)
  })
})
