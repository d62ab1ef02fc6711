// Expire credit points past their last valid day, for every consumer.
// Safe to repeat (a second run on the same day finds nothing left to expire).
// Usage: npx tsx scripts/expire-points.ts [--as-of YYYY-MM-DD]   (default: today in China)
// Run it daily shortly after midnight China time, e.g. from cron.
import { chinaDay, isIsoDate } from '#app/domain/credits/actions.ts'
import { expirePoints } from '#app/services/credit-ledger.server.ts'
import { describeLocation, openFromEnv } from '#app/utils/db.server.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { runCli } from './lib/cli.ts'

runCli(async () => {
  const flag = process.argv.indexOf('--as-of')
  const asOf = flag === -1 ? chinaDay(new Date()) : (process.argv[flag + 1] ?? '')
  if (!isIsoDate(asOf)) throw new Error(`--as-of 应为 YYYY-MM-DD，如 2026-01-01 / --as-of must be YYYY-MM-DD, e.g. 2026-01-01 (got "${asOf}")`)
  const handle = openFromEnv()
  try {
    await migrateToLatest(handle.db)
    const started = performance.now()
    const result = await expirePoints(handle.db, asOf)
    console.log(
      `积分过期处理 Points expiry as of ${asOf} in ${describeLocation()}: ` +
        `${result.consumers} consumers, ${result.points} points expired, ${Math.round(performance.now() - started)} ms`,
    )
  } finally {
    await handle.close()
  }
})
