import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { sql, type Transaction } from 'kysely'
import Papa from 'papaparse'
import { z } from 'zod'
import { chinaDay, isCreditAction } from '#app/domain/credits/actions.ts'
import { phoneIdentity } from '#app/domain/credits/identity.server.ts'
import { parseMemberCode } from '#app/domain/credits/identity.ts'
import { readCreditRuleFiles } from '#app/services/credit-files.server.ts'
import { redeemReward } from '#app/services/credit-ledger.server.ts'
import { loadRuleSets, syncCreditRuleSets } from '#app/services/credit-rules.server.ts'
import { awardInTransaction, factorSetForAwards } from '#app/services/credits.server.ts'
import { createPartnerWithKey } from '#app/services/partners.server.ts'
import { creditKeys } from '#app/utils/credits-env.server.ts'
import { insertConsumerForUser } from '#db/models/credits.ts'
import type { Database } from '#db/schema.ts'

async function readCsv(seedsDir: string, file: string): Promise<Record<string, string>[]> {
  const parsed = Papa.parse<Record<string, string>>(await readFile(path.join(seedsDir, file), 'utf8'), { header: true, skipEmptyLines: true })
  if (parsed.errors.length > 0) throw new Error(`seeds/${file} row ${(parsed.errors[0]!.row ?? 0) + 2}: ${parsed.errors[0]!.message}`)
  return parsed.data
}

function fail(file: string, index: number, detail: string): never {
  throw new Error(`seeds/${file} row ${index + 2}: ${detail}`)
}

const partnersFile = z.object({
  note: z.string(),
  partners: z.array(
    z.object({
      name: z.string().min(1),
      keyId: z.string().regex(/^gpk_[0-9a-f]{24}$/),
      secret: z.string().min(16),
      ratePerSecond: z.string().regex(/^\d+(\.\d+)?$/),
      burst: z.number().int().positive(),
    }),
  ),
})

export interface CreditSeedSummary {
  ruleSets: number
  rewards: number
  partners: number
  consumers: number
  demoEvents: number
}

/**
 * The credits demo (after seedEmissions): rule sets from factors/credit-rules, the reward
 * catalogue, the demo partner (its public demo secret sealed with this
 * server's key), the demo consumer's member code and phone, and a few months
 * of the demo consumer's actions, dated back from today and awarded through
 * the same code path as real ones. Runs inside seedDemoData's transaction.
 */
export async function seedCredits(trx: Transaction<Database>, seedsDir: string): Promise<CreditSeedSummary> {
  const root = path.resolve(seedsDir, '..')
  await sql`truncate credit_ledger, redemptions, redemption_codes, rewards, credit_actions, consumers, partner_requests, partner_signatures, partner_rate_slots, partner_keys, partners, credit_rule_sets restart identity cascade`.execute(trx)

  const synced = await syncCreditRuleSets(trx, await readCreditRuleFiles(path.join(root, 'factors', 'credit-rules')))
  if (synced.errors.length > 0) throw new Error(`factors/credit-rules: ${JSON.stringify(synced.errors)}`)
  const ruleSets = await loadRuleSets(trx)
  // seedEmissions has stored and published the factor sets earlier in this transaction.
  const factorSet = await factorSetForAwards(trx)
  const keys = creditKeys()

  const rewardRows = await readCsv(seedsDir, 'credit-rewards.csv')
  for (const [i, r] of rewardRows.entries()) {
    const cost = Number(r.cost_points)
    const stock = r.stock?.trim() ? Number(r.stock) : null
    if (!Number.isInteger(cost) || cost <= 0) fail('credit-rewards.csv', i, 'cost_points must be a whole number above 0')
    if (stock !== null && (!Number.isInteger(stock) || stock < 0)) fail('credit-rewards.csv', i, 'stock must be empty or a whole number')
    await trx
      .insertInto('rewards')
      .values({ code: r.code!.trim(), name_zh: r.name_zh!.trim(), name_en: r.name_en!.trim(), cost_points: cost, stock })
      .execute()
  }

  const partners = partnersFile.parse(JSON.parse(await readFile(path.join(seedsDir, 'credit-partners.json'), 'utf8')))
  const demoPartner = []
  for (const p of partners.partners) {
    const issued = await createPartnerWithKey(trx, keys, { name: p.name, ratePerSecond: p.ratePerSecond, burst: p.burst, keyId: p.keyId, secret: p.secret })
    demoPartner.push(issued)
  }

  const consumerRows = await readCsv(seedsDir, 'credit-consumers.csv')
  const consumers = new Map<string, { id: string; userId: number }>()
  for (const [i, c] of consumerRows.entries()) {
    const user = await trx
      .selectFrom('users')
      .innerJoin('memberships', 'memberships.user_id', 'users.id')
      .select(['users.id', 'memberships.role'])
      .where('users.username', '=', c.username?.trim() ?? '')
      .executeTakeFirst()
    if (!user || user.role !== 'consumer') fail('credit-consumers.csv', i, `"${c.username}" is not a consumer in users.csv`)
    const member = parseMemberCode(c.member_code ?? '')
    if (!member.ok) fail('credit-consumers.csv', i, `member_code: ${member.error.key}`)
    const phone = c.phone?.trim() ? phoneIdentity(c.phone, keys.phonePepper) : null
    if (phone && !phone.ok) fail('credit-consumers.csv', i, `phone: ${phone.error.key}`)
    const row = await insertConsumerForUser(trx, {
      userId: user.id,
      memberCode: member.code,
      phoneHash: phone?.ok ? phone.phoneHash : null,
      phoneMasked: phone?.ok ? phone.phoneMasked : null,
      claimedAt: new Date(),
    })
    consumers.set(c.username!.trim(), { id: row.id, userId: user.id })
  }

  // The history belongs to the first consumer listed (the demo consumer).
  const demo = [...consumers.values()][0]
  const history = await readCsv(seedsDir, 'credit-demo-history.csv')
  const today = chinaDay(new Date())
  const dayBefore = (days: number) => {
    const day = new Date(`${today}T00:00:00Z`)
    day.setUTCDate(day.getUTCDate() - days)
    return day.toISOString().slice(0, 10)
  }
  for (const [i, h] of history.entries()) {
    if (!demo) break
    const days = Number(h.days_ago)
    if (!Number.isInteger(days) || days < 0) fail('credit-demo-history.csv', i, 'days_ago must be a whole number')
    const day = dayBefore(days)
    const at = new Date(`${day}T10:00:00+08:00`)
    if (h.event === 'redeem') {
      const reward = await trx.selectFrom('rewards').select('id').where('code', '=', h.reward?.trim() ?? '').executeTakeFirst()
      if (!reward) fail('credit-demo-history.csv', i, `unknown reward "${h.reward}"`)
      const viewer = { userId: demo.userId, role: 'consumer' as const, outletId: null, brandId: null, regionCode: null }
      const redeemed = await redeemReward(trx, viewer, reward.id, at)
      if (!redeemed.ok) fail('credit-demo-history.csv', i, `redeem refused: ${redeemed.error.key}`)
      continue
    }
    if (h.event !== 'earn' || !isCreditAction(h.action)) fail('credit-demo-history.csv', i, 'event must be earn (with an action) or redeem')
    let source: Parameters<typeof awardInTransaction>[2]['source']
    if (h.source === 'partner') {
      const partner = demoPartner[0]
      if (!partner) fail('credit-demo-history.csv', i, 'no demo partner in credit-partners.json')
      const key = await trx.selectFrom('partner_keys').select('id').where('key_id', '=', partner.keyId).executeTakeFirstOrThrow()
      source = { kind: 'partner', partnerId: partner.partnerId, partnerKeyId: key.id, partnerOrderId: h.partner_order_id?.trim() || `DEMO-${i + 1}` }
    } else {
      const outlet = await trx.selectFrom('outlets').select('id').where('code', '=', h.source ?? '').executeTakeFirst()
      if (!outlet) fail('credit-demo-history.csv', i, `unknown outlet "${h.source}"`)
      const operator = await trx
        .selectFrom('memberships')
        .select('user_id')
        .where('role', '=', 'outlet_operator')
        .where('outlet_id', '=', outlet.id)
        .orderBy('user_id')
        .executeTakeFirst()
      source = { kind: 'counter', outletId: outlet.id, recordedBy: operator?.user_id ?? null }
    }
    const outcome = await awardInTransaction(trx, { factorSet, ruleSets }, {
      consumerId: demo.id,
      action: h.action,
      waybillNo: h.waybill_no?.trim() ?? '',
      quantity: Number(h.quantity),
      occurredAt: at,
      occurredOn: day,
      source,
    })
    if (!outcome.ok) fail('credit-demo-history.csv', i, `award refused: ${outcome.error.key}`)
  }

  return {
    ruleSets: ruleSets.length,
    rewards: rewardRows.length,
    partners: partners.partners.length,
    consumers: consumers.size,
    demoEvents: demo ? history.length : 0,
  }
}
