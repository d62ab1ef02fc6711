import type { ColumnType, Generated } from 'kysely'

type Json<T> = ColumnType<T, unknown, unknown>

export interface FootprintBatchesTable {
  partner_id: number
  id: string
  key_id: string
  idempotency_key: string
  body_sha256: string
  parcel_count: number
  response: Json<unknown>
  created_at: Generated<Date>
}

export interface FootprintTables {
  footprint_batches: FootprintBatchesTable
}
