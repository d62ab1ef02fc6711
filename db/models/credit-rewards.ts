import type { Kysely, Transaction } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { IsoDate } from '#app/domain/credits/actions.ts'
import type { Database } from '../schema.ts'
import { txt } from './sql-text.ts'

type Db = Kysely<Database>
type Trx = Transaction<Database>

export interface RewardRow {
  id: number
  code: string
  nameZh: string
  nameEn: string
  costPoints: number
  stock: number | null
}

export async function listActiveRewards(db: Db): Promise<RewardRow[]> {
  return db
    .selectFrom('rewards')
    .select(['id', 'code', 'name_zh as nameZh', 'name_en as nameEn', 'cost_points as costPoints', 'stock'])
    .where('active', '=', true)
    .orderBy('cost_points')
    .orderBy('id')
    .execute()
}

/** Take one item of stock (unlimited when stock is null); undefined when the reward is gone or inactive. */
export async function takeRewardStock(trx: Trx, rewardId: number): Promise<RewardRow | undefined> {
  return trx
    .updateTable('rewards')
    .set((eb) => ({ stock: eb.case().when('stock', 'is', null).then(null).else(eb('stock', '-', 1)).end() }))
    .where('id', '=', rewardId)
    .where('active', '=', true)
    .where((eb) => eb.or([eb('stock', 'is', null), eb('stock', '>', 0)]))
    .returning(['id', 'code', 'name_zh as nameZh', 'name_en as nameEn', 'cost_points as costPoints', 'stock'])
    .executeTakeFirst()
}

export async function findActiveReward(db: Db, rewardId: number): Promise<RewardRow | undefined> {
  return db
    .selectFrom('rewards')
    .select(['id', 'code', 'name_zh as nameZh', 'name_en as nameEn', 'cost_points as costPoints', 'stock'])
    .where('id', '=', rewardId)
    .where('active', '=', true)
    .executeTakeFirst()
}

/** undefined when the code is taken (draw another). */
export async function insertRedemption(
  trx: Trx,
  r: { consumerId: string; rewardId: number; costPoints: number; code: string; redeemedOn: IsoDate },
): Promise<string | undefined> {
  // The code is claimed in its own table first: unique across consumers there, which a table sharded by consumer cannot be (migration 0013).
  const claimed = await trx
    .insertInto('redemption_codes')
    .values({ code: r.code, consumer_id: r.consumerId })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .executeTakeFirst()
  if (!claimed) return undefined
  const row = await trx
    .insertInto('redemptions')
    .values({ consumer_id: r.consumerId, reward_id: r.rewardId, cost_points: r.costPoints, code: r.code, redeemed_on: r.redeemedOn })
    .returning(txt('id').as('id'))
    .executeTakeFirstOrThrow()
  return row.id
}

export async function listRedemptionsForViewer(db: Db, viewer: Viewer) {
  if (viewer.role !== 'consumer') return []
  return db
    .selectFrom('redemptions as r')
    .innerJoin('consumers as c', 'c.id', 'r.consumer_id')
    .innerJoin('rewards as w', 'w.id', 'r.reward_id')
    .select([txt('r.id').as('id'), 'r.code', 'r.cost_points as costPoints', txt('r.redeemed_on').as('redeemedOn'), 'w.name_zh as nameZh', 'w.name_en as nameEn'])
    .where('c.user_id', '=', viewer.userId)
    .orderBy('r.id', 'desc')
    .execute()
}
