// What a failed import tells its user: the first cause. Once a statement fails
// in a transaction, every later one fails with "current transaction is
// aborted" (SQLSTATE 25P02); that one says nothing about why.

function isAbortedTransaction(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null
  return e?.code === '25P02' || (typeof e?.message === 'string' && e.message.includes('current transaction is aborted'))
}

/** Of two failures, the one that says why: the earlier, unless it is only the aborted transaction. */
export function preferCause(first: unknown, next: unknown): unknown {
  if (first === null || first === undefined) return next
  return isAbortedTransaction(first) && !isAbortedTransaction(next) ? next : first
}

/** A failure's message for the user, with the database's detail when it gave one; at most 300 characters. */
export function firstCause(error: unknown): string {
  let e = error as { message?: unknown; detail?: unknown; cause?: unknown } | null
  // An error that only wraps another one (Error.cause) says less than what it wraps when it is the aborted transaction.
  while (e && isAbortedTransaction(e) && e.cause) e = e.cause as typeof e
  const message = typeof e?.message === 'string' ? e.message : String(error)
  const detail = typeof e?.detail === 'string' && e.detail ? ` (${e.detail})` : ''
  return `${message}${detail}`.slice(0, 300)
}
