import { z } from 'zod'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import { issueCodes, type ActivityContext, type FieldIssue, type IssueCode } from './context.ts'
import type { RecordDefinition, RecordOf } from './definitions.ts'
import { validateValues } from './validate.ts'

const formInput = z.preprocess(
  (value) => (typeof FormData !== 'undefined' && value instanceof FormData ? Object.fromEntries(value) : value),
  z.record(z.unknown()),
)

/**
 * The one schema of a record type, for the browser (no lookups in ctx) and the
 * server (with lookups). Input: FormData, or an object of field code → text
 * (a form's entries or a CSV row keyed by field code). Output: the typed record.
 * Each zod issue carries path [fieldCode], message = the message key and
 * params = { code, ...message params }; `issuesFromZodError` gives them back as
 * FieldIssues and `issueMessage` puts them into words.
 */
export function recordSchema<D extends RecordDefinition>(definition: D, ctx: ActivityContext) {
  return formInput.transform((input, zodCtx): RecordOf<D> => {
    const result = validateValues(definition, input, ctx)
    if (result.ok) return result.record
    for (const issue of result.issues) {
      zodCtx.addIssue({
        code: z.ZodIssueCode.custom,
        path: issue.field === null ? [] : [issue.field],
        message: issue.key,
        params: { code: issue.code, ...issue.params },
      })
    }
    return z.NEVER
  })
}

const knownCodes: ReadonlySet<string> = new Set(issueCodes)

/** The FieldIssues behind a ZodError raised by `recordSchema`. */
export function issuesFromZodError(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const { code, ...params } = (issue.code === z.ZodIssueCode.custom ? (issue.params ?? {}) : {}) as MessageParams
    const field = typeof issue.path[0] === 'string' ? issue.path[0] : null
    if (typeof code === 'string' && knownCodes.has(code)) {
      return { field, code: code as IssueCode, key: issue.message as MessageKey, params }
    }
    // Only reachable if the input was not an object at all.
    return { field, code: 'required', key: 'activity.error.required', params: { field: field ?? '' } }
  })
}

/** Issues grouped by field code, for showing each under its input. */
export function issuesByField(issues: readonly FieldIssue[]): Record<string, FieldIssue[]> {
  const out: Record<string, FieldIssue[]> = {}
  for (const issue of issues) (out[issue.field ?? ''] ??= []).push(issue)
  return out
}
