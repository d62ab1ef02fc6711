import { CompiledQuery, sql, type Compilable, type Kysely, type QueryResult, type RawBuilder } from 'kysely'

/**
 * A Kysely query compiled once per process, executed many times with new
 * values: for the statements of hot paths (the partner API, decision 086),
 * where building and compiling the query each time costs more CPU than
 * running it. The query is written with Kysely as usual, every value that
 * changes per call taken from `param('name')`; the first call compiles it and
 * remembers which positional parameter is which name; later calls only fill
 * in the values. The query's shape must not depend on the values (no
 * conditional clauses): whatever differs per call has to be a param. `build`
 * sees no call's values, so any other value in it is a constant of the query.
 */
class Param {
  constructor(readonly name: string) {}
}

export type ParamFn<P> = <K extends keyof P & string>(name: K) => RawBuilder<P[K]>

export interface Precompiled<P, R> {
  execute(db: Kysely<any>, values: P): Promise<QueryResult<R>>
  /** The query with these values, to run with others (executeInOrder, db/postgres-dialect.ts). */
  compile(db: Kysely<any>, values: P): CompiledQuery<R>
}

export function precompile<P extends object, R>(build: (db: Kysely<any>, param: ParamFn<P>) => Compilable<R>): Precompiled<P, R> {
  // Each positional parameter: a param's name, or a constant of the query itself (a limit, a literal).
  let compiled: { sql: string; slots: ({ name: string } | { constant: unknown })[] } | undefined
  const param: ParamFn<P> = (name) => sql.val(new Param(name)) as never
  const compile = (db: Kysely<any>, values: P): CompiledQuery<R> => {
    if (!compiled) {
      const query = build(db, param).compile()
      compiled = { sql: query.sql, slots: query.parameters.map((value) => (value instanceof Param ? { name: value.name } : { constant: value })) }
    }
    const parameters = compiled.slots.map((slot) => {
      if (!('name' in slot)) return slot.constant
      if (!(slot.name in values)) throw new Error(`precompile: no value for ${slot.name}`)
      return (values as Record<string, unknown>)[slot.name]
    })
    return CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<R>
  }
  return {
    compile,
    execute: async (db, values) => db.executeQuery(compile(db, values)),
  }
}
