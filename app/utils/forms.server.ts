import type { z } from 'zod'
import { hasMessage, type Message } from '#app/i18n/index.ts'
import { BodyTooLarge, readBoundedBody } from './body.server.ts'

/**
 * One way to handle a form: read it, refuse what no field may hold (a NUL
 * byte, a value past any sane length, hundreds of fields), parse it with the
 * route's zod schema, and answer with one error shape, a message per field
 * (`form` for the whole form). A message that is not a catalog key (zod's own
 * defaults) becomes a generic one, so no input can reach `translate` with a
 * key it does not know.
 */

export const formLimits = {
  maxFields: 200,
  /** Longer than any field of any form; each schema bounds its own fields tighter. */
  maxValueLength: 20_000,
  /** What is sent back to refill the form. */
  maxEchoLength: 1_000,
  /**
   * The whole body of a form without files, counted as it is read: far more
   * than any form of the app sends, far less than a process can hold many of.
   */
  maxBodyBytes: 1024 * 1024,
} as const

export type FieldErrors<F extends string = string> = Partial<Record<F | 'form', Message>>

export type FormParse<T, F extends string = string> =
  | { ok: true; data: T; values: Record<string, string> }
  | { ok: false; errors: FieldErrors<F>; values: Record<string, string> }

export interface FormOptions {
  /** Fields never echoed back (passwords). */
  secret?: readonly string[]
  /** The fields the page can show an error beside; an error on any other goes to `form`. */
  fields?: readonly string[]
}

export interface ReadFormOptions {
  /** The body's bound in bytes (forms with files set their own); `formLimits.maxBodyBytes` otherwise. */
  maxBytes?: number
}

/** The 413 answer to a body past its bound, in both languages (the error page says it again in the reader's). */
export function tooLargeResponse(maxBytes: number): Response {
  const size = maxBytes >= 1024 * 1024 ? `${Math.floor(maxBytes / 1024 / 1024)} MB` : `${Math.floor(maxBytes / 1024)} KB`
  return new Response(`提交的内容太大（最多 ${size}）。\nThe request is too large (at most ${size}).`, {
    status: 413,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

/**
 * The request's form, or null when the body is not a form that can be read.
 * The body is counted as it arrives and a body past its bound is answered
 * with a 413 (thrown), whatever Content-Length said or did not say.
 */
export async function readForm(request: Request, options: ReadFormOptions = {}): Promise<FormData | null> {
  const maxBytes = options.maxBytes ?? formLimits.maxBodyBytes
  let body: Uint8Array<ArrayBuffer>
  try {
    body = await readBoundedBody(request, maxBytes)
  } catch (error) {
    if (error instanceof BodyTooLarge) throw tooLargeResponse(maxBytes)
    // The client went away mid-body: nothing to answer, and nothing to parse.
    return null
  }
  const contentType = request.headers.get('Content-Type') ?? ''
  try {
    return await new Response(body, { headers: { 'Content-Type': contentType } }).formData()
  } catch {
    return null
  }
}

export const unreadableForm: FieldErrors = { form: { key: 'form.error.unreadable' } }

/** A zod issue's message as a catalog message, never an unknown key. */
export function issueToMessage(issue: z.ZodIssue): Message {
  if (hasMessage(issue.message)) return { key: issue.message }
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return { key: 'form.error.required' }
  return { key: 'form.error.invalid' }
}

/** Zod issues as one message per field (the first issue of each), unknown fields under `form`. */
export function issuesToFieldErrors<F extends string>(issues: readonly z.ZodIssue[], fields?: readonly string[]): FieldErrors<F> {
  const errors: Record<string, Message> = {}
  for (const issue of issues) {
    const head = issue.path[0]
    const field = typeof head === 'string' && (!fields || fields.includes(head)) ? head : 'form'
    errors[field] ??= issueToMessage(issue)
  }
  return errors as FieldErrors<F>
}

/** Parse an already-read form with a schema (for routes that look at an intent first). */
export function parseFormData<S extends z.ZodTypeAny, F extends string = string>(form: FormData, schema: S, options: FormOptions = {}): FormParse<z.output<S>, F> {
  const raw: Record<string, string> = {}
  const values: Record<string, string> = {}
  const errors: Record<string, Message> = {}
  const fieldOf = (name: string) => (!options.fields || options.fields.includes(name) ? name : 'form')
  let count = 0
  for (const [name, value] of form.entries()) {
    if (++count > formLimits.maxFields) return { ok: false, errors: { form: { key: 'form.error.tooManyFields' } } as FieldErrors<F>, values }
    // Files are read by the routes that take them, never by a schema.
    if (typeof value !== 'string') continue
    if (name.includes('\u0000') || value.includes('\u0000')) {
      errors[fieldOf(name)] ??= { key: 'form.error.nul' }
      continue
    }
    if (value.length > formLimits.maxValueLength || name.length > 200) {
      errors[fieldOf(name)] ??= { key: 'form.error.tooLong', params: { max: formLimits.maxValueLength } }
      continue
    }
    raw[name] = value
    if (!options.secret?.includes(name)) values[name] = value.slice(0, formLimits.maxEchoLength)
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors: errors as FieldErrors<F>, values }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) return { ok: false, errors: issuesToFieldErrors<F>(parsed.error.issues, options.fields), values }
  return { ok: true, data: parsed.data, values }
}

/** Read the request's form and parse it with a schema: the one call most form actions make. */
export async function parseForm<S extends z.ZodTypeAny, F extends string = string>(request: Request, schema: S, options: FormOptions = {}): Promise<FormParse<z.output<S>, F>> {
  const form = await readForm(request)
  if (!form) return { ok: false, errors: unreadableForm as FieldErrors<F>, values: {} }
  return parseFormData<S, F>(form, schema, options)
}


/**
 * For actions that read their fields one by one: the request's form, or a
 * 400 answer (never a 500) when it cannot be read or holds what no field may
 * hold (a NUL byte, an overlong value, too many fields).
 */
export async function requireForm(request: Request, options: ReadFormOptions = {}): Promise<FormData> {
  const form = await readForm(request, options)
  const refuse = (message: string) => new Response(message, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  if (!form) throw refuse('表单无法读取，请刷新页面后重新提交。\nThe form could not be read: please reload the page and submit it again.')
  let count = 0
  for (const [name, value] of form.entries()) {
    if (++count > formLimits.maxFields) throw refuse('表单的字段太多。\nThe form has too many fields.')
    const text = typeof value === 'string' ? value : ''
    if (name.includes('\u0000') || text.includes('\u0000')) throw refuse('表单含有不可见的控制字符（NUL），请删除后重新提交。\nThe form holds an invisible control character (NUL): please remove it.')
    if (name.length > 200 || text.length > formLimits.maxValueLength) throw refuse(`表单中有一项太长（最多 ${formLimits.maxValueLength} 个字符）。\nA field of the form is too long (at most ${formLimits.maxValueLength} characters).`)
  }
  return form
}
