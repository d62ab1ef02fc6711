import { PostgresAdapter, PostgresDriver, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery, type DatabaseConnection, type Dialect, type Kysely, type QueryResult } from 'kysely'
import type { ReservedSql, Sql } from 'postgres'

/**
 * Kysely over postgres.js with prepared statements. kysely-postgres-js sends
 * every query through `sql.unsafe` unprepared: a query with parameters then
 * costs a Parse and Describe round trip before its Bind and Execute, every
 * time. Here a query with parameters is prepared once per connection and
 * reused by its text (decision 086).
 *
 * Only queries with at most maxPreparedParameters are prepared: the number of
 * statements a connection keeps is then bounded by the code's query shapes,
 * not by the row counts of bulk inserts, whose text changes with every batch
 * size. Queries without parameters (BEGIN, COMMIT, DDL) use the simple protocol.
 */
export const maxPreparedParameters = 100

export class PreparedPostgresJSDialect implements Dialect {
  constructor(private readonly sql: Sql) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver() {
    return new PreparedPostgresJSDriver(this.sql)
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
}

// PostgresDriver brings transactions and savepoints; its pg pool is never used here (init is replaced).
const noPool = async (): Promise<never> => {
  throw new Error('PreparedPostgresJSDriver reserves postgres.js connections itself')
}

class PreparedPostgresJSDriver extends PostgresDriver {
  constructor(private readonly sql: Sql) {
    super({ pool: noPool })
  }
  override async init(): Promise<void> {}
  override async acquireConnection(): Promise<DatabaseConnection> {
    return new PreparedPostgresJSConnection(await this.sql.reserve())
  }
  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    ;(connection as PreparedPostgresJSConnection).release()
  }
  override async destroy(): Promise<void> {
    await this.sql.end()
  }
}

class PreparedPostgresJSConnection implements DatabaseConnection {
  constructor(private readonly reserved: ReservedSql) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = [...compiled.parameters] as never[]
    const prepare = parameters.length > 0 && parameters.length <= maxPreparedParameters
    const result = await this.reserved.unsafe(compiled.sql, parameters, { prepare })
    const { command, count } = result
    return {
      numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(count) : undefined,
      rows: Array.from(result.values()) as R[],
    }
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new Error('chunkSize must be a positive integer')
    const cursor = this.reserved.unsafe(compiled.sql, [...compiled.parameters] as never[]).cursor(chunkSize)
    for await (const rows of cursor) yield { rows: rows as unknown as R[] }
  }

  release(): void {
    this.reserved.release()
  }
}
