import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CsvDecodeError, createCsvDecoder, decodeCsvBytes } from '#app/domain/csv/encoding.ts'

const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/csv/${name}`))
const utf8 = (text: string) => new TextEncoder().encode(text)

function decodeInChunks(bytes: Uint8Array, cuts: number[]): { text: string; encoding: string | null } {
  const decoder = createCsvDecoder()
  let text = ''
  let start = 0
  for (const cut of [...cuts, bytes.length]) {
    text += decoder.push(bytes.subarray(start, cut))
    start = cut
  }
  text += decoder.end()
  return { text, encoding: decoder.encoding }
}

describe('encoding detection', () => {
  it('decodes UTF-8 without a BOM', () => {
    const result = decodeCsvBytes(fixture('shipment-utf8.csv'))
    expect(result).toMatchObject({ ok: true })
    // An all-ASCII file never needs deciding: ASCII reads the same in every candidate.
    if (result.ok) {
      expect(result.encoding).toBeNull()
      expect(result.text.startsWith('Outlet code,Date')).toBe(true)
    }
    const chinese = decodeCsvBytes(utf8('网点编码,日期\nSF-1,2024-03-01\n'))
    expect(chinese).toEqual({ ok: true, encoding: 'utf-8', text: '网点编码,日期\nSF-1,2024-03-01\n' })
  })

  it('decodes UTF-8 with a BOM and drops the BOM', () => {
    const result = decodeCsvBytes(fixture('shipment-utf8-bom.csv'))
    expect(result.ok && result.encoding).toBe('utf-8')
    expect(result.ok && result.text.startsWith('网点编码,日期,收寄件数')).toBe(true)
  })

  it('decodes GB18030 (what Excel on a Chinese Windows writes) with Chinese headers', () => {
    const gb = decodeCsvBytes(fixture('shipment-gb18030.csv'))
    const reference = decodeCsvBytes(fixture('shipment-utf8-bom.csv'))
    expect(gb.ok && gb.encoding).toBe('gb18030')
    expect(gb.ok && reference.ok && gb.text === reference.text).toBe(true)
    // 网 is CD F8 in GBK: the first byte opens a two-byte UTF-8 sequence that F8 cannot continue.
    expect(fixture('shipment-gb18030.csv').subarray(0, 2)).toEqual(new Uint8Array([0xcd, 0xf8]))
  })

  it('decides on Chinese that appears only after a long ASCII stretch', () => {
    const gbk = new Uint8Array([...utf8('Outlet code,Date,'.repeat(200)), 0xcd, 0xf8, 0xb5, 0xe3, 0x0a])
    const result = decodeCsvBytes(gbk)
    expect(result.ok && result.encoding).toBe('gb18030')
    expect(result.ok && result.text.endsWith('网点\n')).toBe(true)
  })

  it('decodes UTF-16 with a BOM ("Unicode text" from Excel)', () => {
    const text = '网点编码\t日期\r\n'
    const bytes = new Uint8Array(2 + text.length * 2)
    bytes.set([0xff, 0xfe])
    for (let i = 0; i < text.length; i++) {
      bytes[2 + 2 * i] = text.charCodeAt(i) & 0xff
      bytes[3 + 2 * i] = text.charCodeAt(i) >> 8
    }
    expect(decodeCsvBytes(bytes)).toEqual({ ok: true, encoding: 'utf-16le', text })
  })

  it('refuses an Excel workbook by its signature', () => {
    expect(decodeCsvBytes(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]))).toEqual({ ok: false, code: 'excel_workbook', byteOffset: 0, encoding: null })
  })

  it('refuses bytes that break the chosen encoding instead of replacing them, naming where', () => {
    const header = utf8('网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量\n')
    const decoder = createCsvDecoder()
    expect(decoder.push(header)).toBe('网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量\n')
    expect(decoder.encoding).toBe('utf-8')
    expect(() => decoder.push(new Uint8Array([0x53, 0xff, 0x0a]))).toThrow(expect.objectContaining({ code: 'invalid_encoding', byteOffset: header.length }))
  })

  it('decides from the start of a big file, so a bad byte deep inside is an error, not GB18030 mojibake', () => {
    const bytes = new Uint8Array([...utf8('网点编码,日期\n' + 'SF-1,日期\n'.repeat(1000)), 0xb5, 0xe3])
    expect(decodeCsvBytes(bytes)).toMatchObject({ ok: false, code: 'invalid_encoding' })
    const decoder = createCsvDecoder()
    expect(() => decoder.push(bytes)).toThrow(CsvDecodeError)
    expect(decoder.encoding).toBe('utf-8')
  })
})

describe('incremental decoding across chunk boundaries', () => {
  it('joins a four-byte GB18030 character split at every possible point', () => {
    const bytes = fixture('collections-gb18030.csv')
    const whole = decodeCsvBytes(bytes)
    expect(whole.ok && whole.text.includes('𠮷祥再生资源公司')).toBe(true)
    // 𠮷 is 95 34 B2 35 in GB18030; cut the file at every byte so that every cut through it is tried.
    const at = bytes.findIndex((b, i) => b === 0x95 && bytes[i + 1] === 0x34)
    expect(at).toBeGreaterThan(0)
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = decodeInChunks(bytes, [cut])
      expect(split.encoding, `cut at ${cut}`).toBe('gb18030')
      expect(whole.ok && split.text, `cut at ${cut}`).toBe(whole.ok && whole.text)
    }
    for (const cut of [at + 1, at + 2, at + 3]) expect(decodeInChunks(bytes, [cut]).text).toBe(whole.ok && whole.text)
  })

  it('joins a UTF-8 character split between chunks, one byte at a time', () => {
    const text = '网点编码,回收企业名称\nSF-1,𠮷祥再生资源公司\n'
    const bytes = utf8(text)
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)
    expect(decodeInChunks(bytes, everyByte)).toEqual({ text, encoding: 'utf-8' })
  })

  it('joins a UTF-8 BOM split across the first chunks', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('日期\n')])
    expect(decodeInChunks(bytes, [1, 2])).toEqual({ text: '日期\n', encoding: 'utf-8' })
  })

  it('throws CsvDecodeError when a file ends inside a character', () => {
    const decoder = createCsvDecoder()
    decoder.push(new Uint8Array([...utf8('网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量\n'), 0xe7, 0xbd]))
    expect(() => decoder.end()).toThrow(CsvDecodeError)
  })
})

describe('bytes no CSV holds', () => {
  const utf16 = (text: string, order: 'le' | 'be') => {
    const out = new Uint8Array(text.length * 2)
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      out[i * 2 + (order === 'le' ? 0 : 1)] = code & 0xff
      out[i * 2 + (order === 'le' ? 1 : 0)] = code >> 8
    }
    return out
  }

  it('names UTF-16 without a BOM, either byte order, as such (PostgreSQL refused its zero bytes with a raw error)', () => {
    expect(decodeCsvBytes(utf16('outletCode,date\n', 'le'))).toEqual({ ok: false, code: 'utf16_without_bom', byteOffset: 0, encoding: 'UTF-16LE' })
    expect(decodeCsvBytes(utf16('outletCode,date\n', 'be'))).toEqual({ ok: false, code: 'utf16_without_bom', byteOffset: 0, encoding: 'UTF-16BE' })
    // with its BOM the same text is read
    expect(decodeCsvBytes(new Uint8Array([0xff, 0xfe, ...utf16('a,b\n', 'le')]))).toEqual({ ok: true, encoding: 'utf-16le', text: 'a,b\n' })
  })

  it('refuses a NUL byte anywhere, naming the chunk it came in', () => {
    const bytes = utf8('outletCode,date\nSF-1,2024-03-01\n')
    bytes[20] = 0
    expect(decodeCsvBytes(bytes)).toEqual({ ok: false, code: 'nul_byte', byteOffset: 0, encoding: null })
    const decoder = createCsvDecoder()
    // 30 three-byte characters and a newline: enough to decide UTF-8
    decoder.push(utf8(`${'网'.repeat(30)}\n`))
    expect(() => decoder.push(new Uint8Array([0x41, 0x00, 0x42]))).toThrow(expect.objectContaining({ code: 'nul_byte', byteOffset: 91 }))
  })
})
