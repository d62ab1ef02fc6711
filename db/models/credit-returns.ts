import { sql, type Kysely } from 'kysely'
import type { CreditAction } from '#app/domain/credits/actions.ts'
import type { Database } from '../schema.ts'

type Db = Kysely<Database>

/**
 * Take a returned carton's or box's waybill for one consumer's award. False
 * if another award already holds it; a parallel claim waits on the key until
 * the first transaction ends, so exactly one wins.
 */
export async function claimReturnWaybill(
  trx: Db,
  claim: { waybillNo: string; consumerId: string; action: CreditAction; occurredAt: Date; outletId: number | null; partnerId: number | null },
): Promise<boolean> {
  const row = await trx
    .insertInto('credit_return_waybills')
    .values({
      waybill_no: claim.waybillNo,
      consumer_id: claim.consumerId,
      action: claim.action,
      occurred_at: claim.occurredAt,
      outlet_id: claim.outletId,
      partner_id: claim.partnerId,
    })
    .onConflict((oc) => oc.column('waybill_no').doNothing())
    .returning('waybill_no')
    .executeTakeFirst()
  return row !== undefined
}

export interface ReturnHolder {
  consumerId: string
  action: CreditAction
  occurredAt: Date
  /** Masked phone, or the member code for an account without a phone. */
  who: string
  outletId: number | null
  outletNameZh: string | null
  outletNameEn: string | null
  viaPartner: boolean
}

/** Who holds a return waybill's award, and when and where it was earned. */
export async function findReturnHolder(db: Db, waybillNo: string): Promise<ReturnHolder | undefined> {
  return db
    .selectFrom('credit_return_waybills as w')
    .innerJoin('consumers as c', 'c.id', 'w.consumer_id')
    .leftJoin('outlets as o', 'o.id', 'w.outlet_id')
    .select([
      sql<string>`w.consumer_id::text`.as('consumerId'),
      'w.action',
      'w.occurred_at as occurredAt',
      sql<string>`coalesce(c.phone_masked, c.member_code)`.as('who'),
      'w.outlet_id as outletId',
      'o.name_zh as outletNameZh',
      'o.name_en as outletNameEn',
      sql<boolean>`w.partner_id is not null`.as('viaPartner'),
    ])
    .where('w.waybill_no', '=', waybillNo)
    .executeTakeFirst()
}
