import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, strictTransportSecurity } from '#app/domain/security.ts'
import { BodyTooLarge, readBoundedBody } from '#app/utils/body.server.ts'
import { formLimits, readForm } from '#app/utils/forms.server.ts'

/** A chunked body (no Content-Length) of `chunks` chunks of `size` bytes, counting what was pulled from it. */
function chunkedBody(chunks: number, size: number) {
  let pulled = 0
  let sent = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close()
      sent++
      pulled += size
      controller.enqueue(new Uint8Array(size).fill(0x61))
    },
  })
  return { stream, pulled: () => pulled }
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request('http://x/login', { method: 'POST', body, headers, duplex: 'half' } as RequestInit)

describe('bodies are read with a bound', () => {
  it('reads a body within its bound whole', async () => {
    expect(new TextDecoder().decode(await readBoundedBody(post('abc'), 3))).toBe('abc')
  })

  it('refuses a declared Content-Length past the bound before reading it', async () => {
    const request = new Request('http://x/', { method: 'POST', body: 'abcd', headers: { 'Content-Length': '999999999' } })
    await expect(readBoundedBody(request, 10)).rejects.toBeInstanceOf(BodyTooLarge)
  })

  it('stops a chunked body of 300 MB at its bound: the reader takes no more than the bound and what the stream has queued', async () => {
    const body = chunkedBody(300 * 16, 64 * 1024)
    const request = post(body.stream)
    await expect(readBoundedBody(request, 1024 * 1024)).rejects.toEqual(new BodyTooLarge(1024 * 1024))
    // Reading stops at the bound; the rest is left to the server's lingering close, never read here.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(body.pulled()).toBeLessThanOrEqual(1024 * 1024 + 3 * 64 * 1024)
  })
})

describe('a form body past its bound is a 413', () => {
  it('answers 413 with a message to a chunked form body past the bound', async () => {
    const body = chunkedBody(40, 64 * 1024)
    const thrown = await readForm(post(body.stream, { 'Content-Type': 'application/x-www-form-urlencoded' })).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(Response)
    const response = thrown as Response
    expect(response.status).toBe(413)
    expect(await response.text()).toBe('提交的内容太大（最多 1 MB）。\nThe request is too large (at most 1 MB).')
    expect(formLimits.maxBodyBytes).toBe(1024 * 1024)
  })

  it('still reads an ordinary form, and a route may allow a larger one', async () => {
    const form = await readForm(post('username=ann&password=x', { 'Content-Type': 'application/x-www-form-urlencoded' }))
    expect(form?.get('username')).toBe('ann')
    const big = 'a'.repeat(2 * 1024 * 1024)
    const larger = await readForm(post(`note=${big}`, { 'Content-Type': 'application/x-www-form-urlencoded' }), { maxBytes: 3 * 1024 * 1024 })
    expect(String(larger?.get('note')).length).toBe(2 * 1024 * 1024)
  })
})

describe('headers', () => {
  it('allows scripts only from this origin or with the response\'s nonce', () => {
    const policy = contentSecurityPolicy('bm9uY2U=')
    const directives = Object.fromEntries(policy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]))
    expect(directives['script-src']).toBe("'self' 'nonce-bm9uY2U='")
    expect(directives['default-src']).toBe("'self'")
    expect(directives['object-src']).toBe("'none'")
    expect(directives['frame-ancestors']).toBe("'none'")
    expect(directives['style-src-elem']).toBe("'self'")
    expect(policy).not.toContain('unsafe-eval')
  })

  it('asks browsers to keep to HTTPS for a year', () => {
    expect(strictTransportSecurity).toBe('max-age=31536000')
  })
})
