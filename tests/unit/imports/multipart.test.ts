import { describe, expect, it } from 'vitest'
import { headerParams, MultipartError, readMultipart, type FileSink } from '#app/services/imports/multipart.ts'

// The upload form's body reader: what a browser sends is read part by part,
// whatever the chunk sizes; odd file names are read as the browser meant
// them; every malformed or oversized body is a MultipartError with a 4xx.

const type = 'multipart/form-data; boundary=----gp'
const limits = { maxBodyBytes: 10_000, maxFieldBytes: 100, maxParts: 5 }

async function* chunked(text: string | Uint8Array, size: number): AsyncIterable<Uint8Array> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size)
}

interface Read {
  fields: Record<string, string>
  files: { name: string; fileName: string; text: string; ended: boolean; aborted: boolean }[]
}

async function read(body: string, size = 1_000_000, contentType = type): Promise<Read> {
  const out: Read = { fields: {}, files: [] }
  await readMultipart(chunked(body, size), contentType, limits, {
    onField: (name, value) => {
      out.fields[name] = value
    },
    onFile: async (name, fileName) => {
      const file = { name, fileName, text: '', ended: false, aborted: false }
      out.files.push(file)
      const parts: Uint8Array[] = []
      const sink: FileSink = {
        write: async (chunk) => void parts.push(chunk.slice()),
        end: async () => {
          file.text = new TextDecoder().decode(Buffer.concat(parts))
          file.ended = true
        },
        abort: async () => {
          file.aborted = true
        },
      }
      return sink
    },
  })
  return out
}

async function failure(body: string, contentType = type, size = 7): Promise<{ code: string; status: number }> {
  try {
    await read(body, size, contentType)
  } catch (error) {
    if (error instanceof MultipartError) return { code: error.code, status: error.status }
    throw error
  }
  throw new Error('no failure')
}

const form = (fileName: string, content = 'a,b\r\n1,2\r\n') =>
  `------gp\r\nContent-Disposition: form-data; name="recordType"\r\n\r\nshipment_stats\r\n` +
  `------gp\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n` +
  `------gp--\r\n`

describe('readMultipart', () => {
  it('reads fields and a file whatever the chunk size, a CRLF inside the file kept', async () => {
    for (const size of [1, 3, 7, 64, 1_000_000]) {
      const out = await read(form('一月.csv'), size)
      expect(out.fields).toEqual({ recordType: 'shipment_stats' })
      expect(out.files).toEqual([{ name: 'file', fileName: '一月.csv', text: 'a,b\r\n1,2\r\n', ended: true, aborted: false }])
    }
  })

  it('reads file names holding ";" and "=" (Remix\'s parser threw), and escaped quotes', async () => {
    expect((await read(form('a;b=c.csv'), 5)).files[0]!.fileName).toBe('a;b=c.csv')
    expect((await read(form('x=1; y=2.csv'))).files[0]!.fileName).toBe('x=1; y=2.csv')
    expect((await read(form('say \\"hi\\".csv'))).files[0]!.fileName).toBe('say "hi".csv')
    expect(headerParams(' name="file"; filename*=UTF-8\'\'%E4%B8%80.csv').get('filename*')).toBe("UTF-8''%E4%B8%80.csv")
  })

  it('refuses malformed bodies with 400', async () => {
    expect(await failure('this is not multipart')).toEqual({ code: 'malformed', status: 400 })
    expect(await failure('------gp\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nhello')).toEqual({ code: 'malformed', status: 400 })
    expect(await failure('------gp\r\n\r\nhello\r\n------gp--\r\n')).toEqual({ code: 'malformed', status: 400 })
    expect(await failure('------gp\r\nContent-Disposition: form-data; name="file"; filename="a.csv\r\n\r\nx\r\n------gp--\r\n')).toEqual({ code: 'malformed', status: 400 })
    expect(await failure('------gp\r\nContent-Type: text/csv\r\n\r\nx\r\n------gp--\r\n')).toEqual({ code: 'malformed', status: 400 })
    expect(await failure('------gpXX\r\n')).toEqual({ code: 'malformed', status: 400 })
    expect(await failure(form('a.csv'), 'multipart/form-data')).toEqual({ code: 'malformed', status: 400 })
    expect(await failure(form('a.csv'), 'text/plain')).toEqual({ code: 'not_multipart', status: 400 })
    expect(await failure(form('a.csv'), 'multipart/form-data; boundary="unclosed')).toEqual({ code: 'malformed', status: 400 })
  })

  it('stops at the body limit with 413 and aborts the file in progress', async () => {
    const big = form('big.csv', 'x'.repeat(20_000))
    const files: string[] = []
    let aborted = false
    let written = 0
    await expect(
      readMultipart(chunked(big, 1024), type, limits, {
        onField: () => {},
        onFile: async (_name, fileName) => {
          files.push(fileName)
          return { write: async (c) => void (written += c.length), end: async () => {}, abort: async () => void (aborted = true) }
        },
      }),
    ).rejects.toMatchObject({ code: 'too_large', status: 413 })
    expect([files, aborted]).toEqual([['big.csv'], true])
    // Read no further than the limit: what reached the sink is under it.
    expect(written).toBeLessThanOrEqual(limits.maxBodyBytes)
  })

  it('bounds fields and parts', async () => {
    expect(await failure(`------gp\r\nContent-Disposition: form-data; name="reason"\r\n\r\n${'x'.repeat(101)}\r\n------gp--\r\n`)).toEqual({ code: 'field_too_large', status: 413 })
    const many = Array.from({ length: 6 }, (_, i) => `------gp\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join('') + '------gp--\r\n'
    expect(await failure(many)).toEqual({ code: 'too_many_parts', status: 400 })
  })
})
