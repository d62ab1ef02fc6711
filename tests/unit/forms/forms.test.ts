import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isInt4Id, int4Id } from '#app/domain/ids.ts'
import { hasMessage } from '#app/i18n/index.ts'
import { formLimits, parseFormData, requireForm } from '#app/utils/forms.server.ts'

const schema = z.object({
  username: z.string().trim().min(1, 'login.error.usernameRequired').max(64, 'admin.error.username'),
  count: int4Id,
  password: z.string().min(1, 'login.error.passwordRequired'),
})

const form = (entries: Record<string, string>) => {
  const f = new FormData()
  for (const [k, v] of Object.entries(entries)) f.append(k, v)
  return f
}

describe('the one form helper', () => {
  it('parses a good form and echoes every value but the secret ones', () => {
    const parsed = parseFormData(form({ username: ' ann ', count: '7', password: 'x' }), schema, { secret: ['password'] })
    expect(parsed).toEqual({ ok: true, data: { username: 'ann', count: 7, password: 'x' }, values: { username: ' ann ', count: '7' } })
  })

  it('turns a missing field into a catalog message, never zod\'s own words', () => {
    const parsed = parseFormData(form({ username: 'ann' }), schema, { fields: ['username', 'count', 'password'] })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors).toEqual({ count: { key: 'form.error.invalid' }, password: { key: 'form.error.required' } })
    for (const message of Object.values(parsed.errors)) expect(hasMessage(message!.key)).toBe(true)
  })

  it('refuses ids past the int4 range', () => {
    expect(parseFormData(form({ username: 'a', count: '2147483648', password: 'x' }), schema).ok).toBe(false)
    expect(parseFormData(form({ username: 'a', count: '2147483647', password: 'x' }), schema).ok).toBe(true)
    expect([isInt4Id(2147483647), isInt4Id(2147483648), isInt4Id(0), isInt4Id(9999999999)]).toEqual([true, false, false, false])
  })

  it('refuses a NUL byte in any field, naming the field (or the form for a field it does not show)', () => {
    const parsed = parseFormData(form({ username: 'a\u0000b', count: '1', password: 'x', extra: '\u0000' }), schema, { fields: ['username', 'count', 'password'] })
    expect(parsed).toMatchObject({ ok: false, errors: { username: { key: 'form.error.nul' }, form: { key: 'form.error.nul' } } })
  })

  it('refuses overlong values before the schema sees them', () => {
    const parsed = parseFormData(form({ username: 'a'.repeat(formLimits.maxValueLength + 1), count: '1', password: 'x' }), schema)
    expect(parsed).toMatchObject({ ok: false, errors: { username: { key: 'form.error.tooLong', params: { max: formLimits.maxValueLength } } } })
    // and the schema's own bound
    expect(parseFormData(form({ username: 'a'.repeat(65), count: '1', password: 'x' }), schema)).toMatchObject({ ok: false, errors: { username: { key: 'admin.error.username' } } })
  })

  it('answers 400, not 500, to a body that is not a readable form', async () => {
    const request = new Request('http://x/login', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=zzz' }, body: 'not multipart at all' })
    const thrown = await requireForm(request).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(Response)
    expect((thrown as Response).status).toBe(400)
  })
})
