/**
 * Which encoding a spreadsheet export is in, decided from its first bytes, and
 * decoding it chunk by chunk. Excel on a Chinese Windows writes GB18030/GBK
 * ("CSV (逗号分隔)"), "CSV UTF-8" adds a BOM, other tools write UTF-8 without
 * one, and "Unicode 文本" is UTF-16 with a BOM.
 *
 * Strategy: a BOM decides at once. Otherwise bytes are passed through as ASCII
 * (identical in UTF-8 and GB18030) until the first non-ASCII byte; from there
 * at least `evidenceBytes` bytes (or the rest of the file), at most
 * `maxEvidenceBytes`, are checked as strict UTF-8. Valid → UTF-8; invalid → GB18030 (a superset of GBK and
 * GB2312). Chinese text in GBK is almost never valid UTF-8 beyond a couple of
 * characters, so 64 bytes is ample. After the decision the decoder is strict:
 * a byte sequence invalid in the chosen encoding is an error, never a
 * replacement character.
 */

import type { FileIssue } from './header.ts'

export type CsvEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be'

export type DecodeFailure = 'invalid_encoding' | 'excel_workbook' | 'utf16_without_bom' | 'nul_byte' | 'unsupported_encoding'

/** Thrown by the decoder; `byteOffset` is where the chunk that failed began. */
export class CsvDecodeError extends Error {
  constructor(
    readonly code: DecodeFailure,
    readonly byteOffset: number,
    /** For utf16_without_bom: the byte order the zero bytes show; for unsupported_encoding: the encoding's name. */
    readonly encoding: string | null = null,
  ) {
    super(
      code === 'excel_workbook'
        ? 'The file is an Excel workbook, not CSV'
        : code === 'utf16_without_bom'
          ? `The file looks like ${encoding} without a byte order mark`
          : code === 'nul_byte'
            ? `A NUL byte near byte ${byteOffset}`
            : code === 'unsupported_encoding'
              ? `The file is in ${encoding}, which is not supported`
            : `Invalid byte sequence near byte ${byteOffset}`,
    )
    this.name = 'CsvDecodeError'
  }
}

const evidenceBytes = 64
// The decision looks no further than this: a file that is UTF-8 at the start
// but has a bad byte later fails there, naming the place, instead of being
// read as GB18030 mojibake.
const maxEvidenceBytes = 4096

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function isValidUtf8Prefix(bytes: Uint8Array, final: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !final })
    return true
  } catch {
    return false
  }
}

export interface CsvDecoder {
  /** Text decoded so far from this chunk (and any bytes held back from earlier ones). */
  push(chunk: Uint8Array): string
  /** The rest, at the end of the file. Throws CsvDecodeError if the file ends inside a character. */
  end(): string
  /** Null until the first BOM or non-ASCII byte has decided it (an all-ASCII file stays null; read it as UTF-8). */
  readonly encoding: CsvEncoding | null
}

/**
 * An incremental decoder for an upload stream: feed it byte chunks as they
 * arrive (a character split between two chunks is joined), get text out.
 * Memory: the decision holds back at most a few dozen bytes.
 */
export function createCsvDecoder(): CsvDecoder {
  let decoder: TextDecoder | null = null
  let encoding: CsvEncoding | null = null
  let pending: Uint8Array = new Uint8Array(0)
  let offset = 0 // bytes received before the current chunk
  let sawFirstBytes = false
  const ascii = new TextDecoder('utf-8')

  function choose(chosen: CsvEncoding) {
    encoding = chosen
    // The BOM is skipped by hand below, so a second one would be kept as data.
    decoder = new TextDecoder(chosen, { fatal: true, ignoreBOM: true })
  }

  function decode(bytes: Uint8Array, final: boolean, at: number): string {
    let text: string
    try {
      text = decoder!.decode(bytes, { stream: !final })
    } catch {
      throw new CsvDecodeError('invalid_encoding', at)
    }
    return withoutNul(text, at)
  }

  // No spreadsheet writes NUL into a CSV, and PostgreSQL stores none in text or jsonb: refuse the file, naming where.
  function withoutNul(text: string, at: number): string {
    if (text.indexOf('\0') !== -1) throw new CsvDecodeError('nul_byte', at)
    return text
  }

  function undecided(final: boolean): string {
    if (!sawFirstBytes) {
      if (pending.length < 4 && !final) return ''
      sawFirstBytes = true
      // xlsx is a zip archive; xls an OLE2 compound file. Neither is text.
      if (startsWith(pending, [0x50, 0x4b, 0x03, 0x04]) || startsWith(pending, [0xd0, 0xcf, 0x11, 0xe0])) {
        throw new CsvDecodeError('excel_workbook', 0)
      }
      // Encodings a spreadsheet rarely writes and this decoder does not read, named by their BOM
      // (UTF-32LE's begins like UTF-16LE's, so these are looked for first) or by their zero bytes.
      const unsupported: [readonly number[], string][] = [
        [[0xff, 0xfe, 0x00, 0x00], 'UTF-32LE'],
        [[0x00, 0x00, 0xfe, 0xff], 'UTF-32BE'],
        [[0x2b, 0x2f, 0x76], 'UTF-7'],
        [[0xdd, 0x73, 0x66, 0x73], 'UTF-EBCDIC'],
        [[0x0e, 0xfe, 0xff], 'SCSU'],
        [[0xfb, 0xee, 0x28], 'BOCU-1'],
      ]
      for (const [bom, name] of unsupported) if (startsWith(pending, bom)) throw new CsvDecodeError('unsupported_encoding', 0, name)
      {
        const [z0, z1, z2, z3] = pending
        if (pending.length >= 4 && z0 !== 0 && z1 === 0 && z2 === 0 && z3 === 0) throw new CsvDecodeError('unsupported_encoding', 0, 'UTF-32LE')
        if (pending.length >= 4 && z0 === 0 && z1 === 0 && z2 === 0 && z3 !== 0) throw new CsvDecodeError('unsupported_encoding', 0, 'UTF-32BE')
      }
      const boms: [readonly number[], CsvEncoding][] = [
        [[0xef, 0xbb, 0xbf], 'utf-8'],
        [[0xff, 0xfe], 'utf-16le'],
        [[0xfe, 0xff], 'utf-16be'],
      ]
      for (const [bom, chosen] of boms) {
        if (startsWith(pending, bom)) {
          choose(chosen)
          const rest = pending.subarray(bom.length)
          pending = new Uint8Array(0)
          return decode(rest, final, offset)
        }
      }
      // "Unicode 文本" without its BOM: ASCII header letters with a zero byte after (or before) each.
      const [b0, b1, b2, b3] = pending
      if (pending.length >= 4 && b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) throw new CsvDecodeError('utf16_without_bom', 0, 'UTF-16LE')
      if (pending.length >= 4 && b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) throw new CsvDecodeError('utf16_without_bom', 0, 'UTF-16BE')
    }
    const firstHigh = pending.findIndex((byte) => byte >= 0x80)
    if (firstHigh === -1) {
      const text = withoutNul(ascii.decode(pending), offset - pending.length)
      pending = new Uint8Array(0)
      return text
    }
    const head = withoutNul(ascii.decode(pending.subarray(0, firstHigh)), offset - pending.length)
    const evidence = pending.subarray(firstHigh)
    if (evidence.length < evidenceBytes && !final) {
      pending = evidence
      return head
    }
    const window = evidence.length > maxEvidenceBytes ? evidence.subarray(0, maxEvidenceBytes) : evidence
    choose(isValidUtf8Prefix(window, final && window === evidence) ? 'utf-8' : 'gb18030')
    pending = new Uint8Array(0)
    return head + decode(evidence, final, offset)
  }

  return {
    get encoding() {
      return encoding
    },
    push(chunk) {
      const at = offset
      offset += chunk.length
      if (decoder) return decode(chunk, false, at)
      pending = concat(pending, chunk)
      return undecided(false)
    },
    end() {
      if (decoder) return decode(new Uint8Array(0), true, offset)
      return undecided(true)
    },
  }
}

export type DecodeResult =
  | { ok: true; text: string; encoding: CsvEncoding | null }
  | { ok: false; code: DecodeFailure; byteOffset: number; encoding: string | null }

/** Decode a whole file held in memory (small uploads, tests). */
export function decodeCsvBytes(bytes: Uint8Array): DecodeResult {
  const decoder = createCsvDecoder()
  try {
    const text = decoder.push(bytes) + decoder.end()
    return { ok: true, text, encoding: decoder.encoding }
  } catch (error) {
    if (error instanceof CsvDecodeError) return { ok: false, code: error.code, byteOffset: error.byteOffset, encoding: error.encoding }
    throw error
  }
}

/** The file issue a decoding failure is shown as, in the user's language. */
export function decodeFailureIssue(failure: { code: DecodeFailure; byteOffset: number; encoding: string | null }): FileIssue {
  const base = { severity: 'error' as const, column: null, field: null }
  switch (failure.code) {
    case 'excel_workbook':
      return { ...base, code: 'excel_workbook' as const, key: 'csv.error.excelWorkbook' as const, params: {} as Record<string, never> }
    case 'utf16_without_bom':
      return { ...base, code: 'utf16_without_bom' as const, key: 'csv.error.utf16WithoutBom' as const, params: { encoding: failure.encoding ?? 'UTF-16' } }
    case 'nul_byte':
      return { ...base, code: 'nul_byte' as const, key: 'csv.error.nulByte' as const, params: { byte: failure.byteOffset } }
    case 'unsupported_encoding':
      return { ...base, code: 'unsupported_encoding' as const, key: 'csv.error.unsupportedEncoding' as const, params: { encoding: failure.encoding ?? '?' } }
    default:
      return { ...base, code: 'invalid_encoding' as const, key: 'csv.error.invalidEncoding' as const, params: { byte: failure.byteOffset } }
  }
}
