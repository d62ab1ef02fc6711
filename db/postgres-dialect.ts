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

/** The queries a compiled query carries, to be sent right after it (executeInOrder). */
const followersOf = Symbol('followers')
type WithFollowers = CompiledQuery & { [followersOf]?: readonly CompiledQuery[] }

/**
 * Several queries of one connection (a transaction's) in one round trip, run
 * in order: on this driver they are sent in the same write and their results
 * awaited together. PostgreSQL still runs each after the one before has
 * finished (a lock the first waits for is held when the second starts, and in
 * READ COMMITTED the second takes its snapshot then). On any other driver
 * (PGlite) the first query runs alone, which executeInOrder sees by the
 * missing results, and it then runs the others one after another.
 */
export async function executeInOrder(db: Kysely<any>, queries: readonly [CompiledQuery, ...CompiledQuery[]]): Promise<QueryResult<unknown>[]> {
  const [first, ...rest] = queries
  const carrier: WithFollowers = { ...first, [followersOf]: rest }
  const result = (await db.executeQuery(carrier)) as QueryResult<unknown> & { followers?: QueryResult<unknown>[] }
  if (result.followers) return [result, ...result.followers]
  const results: QueryResult<unknown>[] = [result]
  for (const query of rest) results.push(await db.executeQuery(query))
  return results
}

class PreparedPostgresJSConnection implements DatabaseConnection {
  constructor(private readonly reserved: ReservedSql) {}

  private send(compiled: CompiledQuery) {
    const parameters = [...compiled.parameters] as never[]
    const prepare = parameters.length > 0 && parameters.length <= maxPreparedParameters
    return this.reserved.unsafe(compiled.sql, parameters, { prepare })
  }

  private static resultOf<R>(result: Awaited<ReturnType<PreparedPostgresJSConnection['send']>>): QueryResult<R> {
    const { command, count } = result
    return {
      numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(count) : undefined,
      rows: Array.from(result.values()) as R[],
    }
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const followers = (compiled as WithFollowers)[followersOf]
    if (!followers) return PreparedPostgresJSConnection.resultOf<R>(await this.send(compiled))
    // Issued in one tick, so postgres.js writes them together; every one is awaited before any error is thrown.
    const settled = await Promise.allSettled([compiled, ...followers].map((query) => this.send(query).execute()))
    const failed = settled.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason
    const [first, ...rest] = settled.map((outcome) => PreparedPostgresJSConnection.resultOf<unknown>((outcome as PromiseFulfilledResult<never>).value))
    return { ...(first as QueryResult<R>), followers: rest } as QueryResult<R>
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
