/**
 * GB/T 2260 codes are hierarchical: 410000 province, 410100 city, 410102
 * district. A region's subtree is every code that starts with its prefix.
 */
export function regionPrefix(code: string): string {
  if (!/^\d{6}$/.test(code)) throw new Error(`Not a GB/T 2260 region code: ${code}`)
  if (code.endsWith('0000')) return code.slice(0, 2)
  if (code.endsWith('00')) return code.slice(0, 4)
  return code
}

export function regionLevel(code: string): 'province' | 'city' | 'district' {
  const prefix = regionPrefix(code)
  return prefix.length === 2 ? 'province' : prefix.length === 4 ? 'city' : 'district'
}

/** The region itself and its ancestors, nearest first, e.g. 410102 → 410102, 410100, 410000. */
export function regionAncestry(code: string): string[] {
  const prefix = regionPrefix(code)
  const chain = [code]
  if (prefix.length === 6) chain.push(`${code.slice(0, 4)}00`)
  if (prefix.length >= 4) chain.push(`${code.slice(0, 2)}0000`)
  return chain
}

export function isWithinRegion(code: string, ancestor: string): boolean {
  return code.startsWith(regionPrefix(ancestor))
}
