import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, stat } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { rejectedRowsCsv } from '#app/domain/csv/template.ts'
import type { RowIssue } from '#app/domain/csv/validate-row.ts'
import type { Locale } from '#app/i18n/locales.ts'
import type { ImportRowIssue } from './types.ts'

// The rejected rows of an import: kept as one JSON object a line while the
// pipeline runs (the first few also in the report), given back to the user as
// CSV in their language.

/** Rejected rows: the first few kept for the report, all written to a file as they come. */
export class RejectedRows {
  readonly errors: ImportRowIssue[] = []
  count = 0
  truncated = false
  private buffer = ''
  private file: Awaited<ReturnType<typeof open>> | null = null

  constructor(
    private readonly filePath: string | null,
    private readonly maxErrors: number,
  ) {}

  async start(): Promise<void> {
    if (this.filePath) {
      await mkdir(path.dirname(this.filePath), { recursive: true })
      this.file = await open(this.filePath, 'w')
    }
  }

  add(row: number, cells: readonly string[], issues: readonly ImportRowIssue[]): void {
    this.count++
    for (const issue of issues) {
      if (this.errors.length < this.maxErrors) this.errors.push(issue)
      else this.truncated = true
    }
    if (this.file) {
      this.buffer += `${JSON.stringify({ r: row, c: cells, i: issues.map(({ row: _r, ...rest }) => rest) })}\n`
    }
  }

  async flush(): Promise<void> {
    if (this.file && this.buffer.length > 0) {
      const text = this.buffer
      this.buffer = ''
      await this.file.write(text)
    }
  }

  async close(): Promise<void> {
    await this.flush()
    await this.file?.close()
    this.file = null
  }
}

/**
 * The rejected rows file as CSV in the reader's language (UTF-8 with BOM, the
 * original cells plus a reason column), produced a few thousand rows at a time.
 */
export async function* rejectedCsvChunks(rejectedPath: string, headerCells: readonly string[], locale: Locale): AsyncIterable<string> {
  let first = true
  let rows: { row: number; cells: string[] }[] = []
  let issues: RowIssue[] = []
  const emit = () => {
    const csv = rejectedRowsCsv({ header: headerCells, rows }, issues, locale)
    rows = []
    issues = []
    if (first) {
      first = false
      return csv
    }
    // Only the first chunk carries the BOM and the header.
    return csv.slice(csv.indexOf('\r\n') + 2)
  }
  let exists = true
  try {
    await stat(rejectedPath)
  } catch {
    exists = false
  }
  if (exists) {
    const lines = createInterface({ input: createReadStream(rejectedPath, 'utf8'), crlfDelay: Infinity })
    for await (const line of lines) {
      if (!line) continue
      const entry = JSON.parse(line) as { r: number; c: string[]; i: Omit<ImportRowIssue, 'row'>[] }
      rows.push({ row: entry.r, cells: entry.c })
      // The CSV core's own type for row issues; the codes found against the database travel the same way.
      for (const issue of entry.i) issues.push({ ...issue, row: entry.r } as RowIssue)
      if (rows.length >= 2_000) yield emit()
    }
  }
  if (rows.length > 0 || first) yield emit()
}

export async function writeRejectedCsv(rejectedPath: string, headerCells: readonly string[], locale: Locale, outPath: string): Promise<void> {
  const out = createWriteStream(outPath)
  for await (const chunk of rejectedCsvChunks(rejectedPath, headerCells, locale)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
}
