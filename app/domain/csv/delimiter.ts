export const csvDelimiters = [',', '\t', ';'] as const
export type CsvDelimiter = (typeof csvDelimiters)[number]

/**
 * The delimiter of a file, from its first non-empty line (the header): the
 * candidate that occurs most often outside quotes. Header labels never contain
 * a delimiter, so the header alone decides. Ties and a line with none go to
 * the comma, the most common; a wrong guess shows up as missing columns.
 */
export function detectDelimiter(sample: string): CsvDelimiter {
  const counts = new Map<string, number>(csvDelimiters.map((d) => [d, 0]))
  let inQuotes = false
  let seenContent = false
  for (let i = 0; i < sample.length; i++) {
    const ch = sample[i]!
    if (ch === '"') {
      inQuotes = !inQuotes
      seenContent = true
    } else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (seenContent) break
    } else if (!inQuotes && counts.has(ch)) {
      counts.set(ch, counts.get(ch)! + 1)
      seenContent = true
    } else if (ch.trim() !== '' && ch !== '\uFEFF') {
      seenContent = true
    }
  }
  let best: CsvDelimiter = ','
  for (const delimiter of csvDelimiters) {
    if (counts.get(delimiter)! > counts.get(best)!) best = delimiter
  }
  return best
}
