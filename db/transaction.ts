import type { Kysely, Transaction } from 'kysely'
import type { Database } from './schema.ts'

/**
 * Run `fn` in the caller's transaction, or in a new one: a model or service
 * that must write all or nothing works the same when a seed, an import or a
 * publish has already opened the transaction around it.
 */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  // Kysely marks a transaction's handle with isTransaction; its type stays Kysely.
  return db.isTransaction ? fn(db as Transaction<Database>) : db.transaction().execute(fn)
}
