import type { ColumnType, Generated, Selectable } from 'kysely'
import type { CreditAction, LedgerEntryKind } from '#app/domain/credits/actions.ts'
import type { RuleSetStatus } from '#app/domain/credits/rules.ts'
import type { DateString, NumericString } from '../schema.ts'

type GeneratedAlways<T> = ColumnType<T, never, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** numeric columns: read as exact strings, written from strings (or Decimal#toString()). */
type Numeric = ColumnType<NumericString, NumericString, NumericString>
/** jsonb: written through db/models/json.ts jsonb(), read as parsed JSON. */
type Json<T> = ColumnType<T, unknown, unknown>

export interface CreditRuleSetsTable {
  version: string
  status: RuleSetStatus
  effective_from: DateString
  content: Json<unknown>
  content_sha256: string
  file_name: string
  loaded_at: Generated<Date>
  status_changed_at: Timestamp | null
  status_changed_by: number | null
}

export interface PartnersTable {
  id: GeneratedAlways<number>
  name: string
  rate_per_second: ColumnType<NumericString, NumericString | undefined, NumericString>
  burst: ColumnType<number, number | undefined, number>
  created_at: Generated<Date>
  created_by: number | null
}

export interface PartnerKeysTable {
  id: GeneratedAlways<number>
  partner_id: number
  key_id: string
  sealed_secret: string
  secret_fingerprint: string
  created_at: Generated<Date>
  created_by: number | null
  revoked_at: Timestamp | null
  revoked_by: number | null
}

export interface PartnerRateSlotsTable {
  partner_id: number
  slot: number
  tokens: Numeric
  refilled_at: Timestamp
}

export interface PartnerSignaturesTable {
  partner_id: number
  signature: string
  seen_at: Timestamp
}

export interface PartnerRequestsTable {
  partner_id: number
  id: GeneratedAlways<string>
  key_id: string
  idempotency_key: string
  body_sha256: string
  received_at: Generated<Date>
  status_code: number | null
  response: Json<unknown> | null
  completed_at: Timestamp | null
}

export interface ConsumersTable {
  id: GeneratedAlways<string>
  user_id: number
  member_code: string
  phone_hash: string | null
  phone_masked: string | null
  created_at: Generated<Date>
  created_at_outlet_id: number | null
  created_by_partner_id: number | null
  claimed_at: Timestamp | null
}

export interface CreditActionsTable {
  consumer_id: string
  id: GeneratedAlways<string>
  action: CreditAction
  waybill_no: string
  quantity: number
  occurred_at: Timestamp
  occurred_on: DateString
  outlet_id: number | null
  partner_id: number | null
  partner_key_id: number | null
  partner_order_id: string | null
  recorded_by: number | null
  avoided_co2e_g: Numeric
  factor_ids: Json<string[]>
  factor_set_version: string
  rule_set_version: string
  uncapped_points: Numeric
  created_at: Generated<Date>
}

/** The one award a returned carton or box's waybill earns (migration 0011). */
export interface CreditReturnWaybillsTable {
  waybill_no: string
  consumer_id: string
  action: CreditAction
  occurred_at: Timestamp
  outlet_id: number | null
  partner_id: number | null
  created_at: Generated<Date>
}

export interface RewardsTable {
  id: GeneratedAlways<number>
  code: string
  name_zh: string
  name_en: string
  cost_points: number
  stock: number | null
  active: Generated<boolean>
  created_at: Generated<Date>
}

export interface RedemptionsTable {
  consumer_id: string
  id: GeneratedAlways<string>
  reward_id: number
  cost_points: number
  code: string
  redeemed_on: DateString
  created_at: Generated<Date>
}

/** Reward codes, unique across consumers (migration 0013). */
export interface RedemptionCodesTable {
  code: string
  consumer_id: string
}

export interface CreditLedgerTable {
  consumer_id: string
  id: GeneratedAlways<string>
  kind: LedgerEntryKind
  points: Numeric
  balance_after: Numeric
  occurred_on: DateString
  created_at: Generated<Date>
  rule_set_version: string | null
  action_id: string | null
  redemption_id: string | null
  reverses_entry_id: string | null
  expires_on: DateString | null
  created_by: number | null
  detail: Json<unknown> | null
}

export interface CreditsTables {
  credit_rule_sets: CreditRuleSetsTable
  partners: PartnersTable
  partner_keys: PartnerKeysTable
  partner_rate_slots: PartnerRateSlotsTable
  partner_signatures: PartnerSignaturesTable
  partner_requests: PartnerRequestsTable
  consumers: ConsumersTable
  credit_actions: CreditActionsTable
  credit_return_waybills: CreditReturnWaybillsTable
  rewards: RewardsTable
  redemptions: RedemptionsTable
  redemption_codes: RedemptionCodesTable
  credit_ledger: CreditLedgerTable
}

export type Consumer = Selectable<ConsumersTable>
export type Reward = Selectable<RewardsTable>
export type PartnerKey = Selectable<PartnerKeysTable>
