import type postgres from 'postgres'

/** A raw PostgreSQL connection (or transaction) that can take `copy … from stdin`. */
export interface CopyChannel {
  /** `copy … from stdin`, fed the given text chunks; resolves when the server has them all. */
  copyIn(statement: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<void>
}

/**
 * COPY on a postgres.js connection: a reserved connection (the import's
 * transaction) or a transaction of a script's own client. The only place
 * this project feeds COPY.
 */
export function copyChannel(conn: Pick<postgres.Sql, 'unsafe'>): CopyChannel {
  return {
    async copyIn(statement, chunks) {
      let failed: Error | null = null
      const query = conn.unsafe(statement)
      // A COPY the server refuses after its data (a duplicate key, a trigger) is reported to the
      // query, whose promise has long resolved to the stream: postgres.js would drop that error,
      // and the next statement would only say "current transaction is aborted". Keep it.
      const asQuery = query as unknown as { reject: (error: Error) => void }
      const reject = asQuery.reject
      asQuery.reject = (error: Error) => {
        failed ??= error
        reject(error)
      }
      const stream = await query.writable()
      stream.on('error', (error: Error) => {
        failed = error
      })
      for await (const chunk of chunks) {
        if (failed) throw failed
        if (!stream.write(chunk)) {
          await new Promise<void>((resolve) => {
            stream.once('drain', resolve)
            stream.once('error', () => resolve())
          })
        }
      }
      if (failed) throw failed
      stream.end()
      // A COPY the server refuses after the data (a duplicate key) never ends the
      // stream: postgres.js loses that error. The next query on the connection is
      // what surfaces it, and it also waits for the COPY to finish. The end of the
      // data goes out on the next tick; until then the connection refuses queries.
      for (let attempt = 0; ; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? 0 : 2))
        try {
          await conn.unsafe('select 1')
          return
        } catch (error) {
          if ((error as { code?: string }).code !== 'COPY_IN_PROGRESS' || attempt > 5000) throw failed ?? error
        }
      }
    },
  }
}

/** A value in COPY's text format: \N for null; backslash, tab, newline and carriage return escaped. */
export function copyValue(value: string | number | null): string {
  if (value === null) return '\\N'
  if (typeof value === 'number') return String(value)
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value
}
