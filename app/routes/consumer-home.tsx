import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import Decimal from 'decimal.js'
import { z } from 'zod'
import { int4Id } from '#app/domain/ids.ts'
import { AvoidedChart } from '#app/components/avoided-chart.tsx'
import { periodLabel } from '#app/domain/periods/label.ts'
import { formatDate, formatDecimal } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { consumerOverview, redeemReward } from '#app/services/credit-ledger.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { parseForm, type FieldErrors } from '#app/utils/forms.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { findUserProfile } from '#db/models/users.ts'
import { StackTable } from '#app/components/stack-table.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['consumer'], context)
  const db = await getDb()
  const [profile, credits] = await Promise.all([findUserProfile(db, viewer.userId), consumerOverview(db, viewer, new Date())])
  if (!profile) throw new Response('Not found', { status: 404 })
  // Spending points takes two steps, both plain requests: ?confirm=<reward> shows what will be spent, its form spends it.
  const confirmId = Number(new URL(request.url).searchParams.get('confirm'))
  const reward = credits?.rewards.find((r) => r.id === confirmId) ?? null
  const confirm = reward && credits ? { reward, balanceAfter: new Decimal(credits.available).minus(reward.costPoints).toFixed() } : null
  const earns = credits?.history.filter((h) => h.kind === 'earn').map((h) => h.occurredOn).sort() ?? []
  return { profile, credits, confirm, firstAward: earns[0] ?? null }
}

const redeemSchema = z.object({ intent: z.literal('redeem'), rewardId: int4Id })

type ActionResult =
  | { ok: true; code: string; reward: { nameZh: string; nameEn: string }; balanceAfter: string }
  | { ok: false; rewardId: number | null; errors: FieldErrors }

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireRole(request, ['consumer'])
  const parsed = await parseForm(request, redeemSchema)
  if (!parsed.ok) return data<ActionResult>({ ok: false, rewardId: null, errors: { form: parsed.errors.form ?? { key: 'creditPages.rewards.error.unavailable' } } }, { status: 400 })
  const outcome = await redeemReward(await getDb(), viewer, parsed.data.rewardId, new Date())
  if (!outcome.ok) return data<ActionResult>({ ok: false, rewardId: parsed.data.rewardId, errors: { form: outcome.error } }, { status: 400 })
  return data<ActionResult>({ ok: true, code: outcome.code, reward: outcome.reward, balanceAfter: outcome.balanceAfter })
}

export default function ConsumerHome() {
  const { profile, credits, confirm, firstAward } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  const name = (row: { nameZh: string | null; nameEn: string | null }) => (locale === 'zh-CN' ? row.nameZh : row.nameEn) ?? ''
  const monthLabel = (month: string) => periodLabel({ kind: 'month', year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) }, locale)

  return (
    <>
      <section className="card narrow" data-testid="home-consumer">
        <h1>{t('consumerHome.title')}</h1>
        <dl className="facts">
          <dt>{t('consumerHome.username')}</dt>
          <dd>{profile.username}</dd>
          {credits && (
            <>
              <dt>{t('creditPages.me.memberCode')}</dt>
              <dd className="mono" data-testid="my-member-code">{credits.memberCode}</dd>
              {credits.phoneMasked && (
                <>
                  <dt>{t('creditPages.me.phone')}</dt>
                  <dd className="mono">{credits.phoneMasked}</dd>
                </>
              )}
            </>
          )}
          {firstAward && (
            <>
              <dt>{t('consumer.firstAward')}</dt>
              <dd data-testid="first-award">{formatDate(locale, firstAward)}</dd>
            </>
          )}
          <dt>{t('consumer.signInSince')}</dt>
          <dd data-testid="sign-in-since">{formatDate(locale, profile.createdAt)}</dd>
        </dl>
        {!credits ? (
          <p className="muted">{t('creditPages.me.noAccount')}</p>
        ) : (
          <>
            <div className="stats">
              <div className="stat">
                <span className="stat-value" data-testid="balance">{formatDecimal(locale, credits.balance)}</span>
                <span className="stat-label">{t('creditPages.me.balance')}</span>
              </div>
              {credits.available !== credits.balance && (
                <div className="stat">
                  <span className="stat-value">{formatDecimal(locale, credits.available)}</span>
                  <span className="stat-label">{t('creditPages.me.available')}</span>
                </div>
              )}
              <div className="stat">
                <span className="stat-value" data-testid="avoided-total">{formatDecimal(locale, credits.totalAvoidedCo2eG)}</span>
                <span className="stat-label">{t('creditPages.me.avoided12')}</span>
              </div>
            </div>
            <h2>{t('creditPages.me.expiry')}</h2>
            {credits.upcoming.length === 0 ? (
              <p className="muted">{t('creditPages.me.noExpiry')}</p>
            ) : (
              <ul className="history">
                {credits.upcoming.map((u) => (
                  <li key={u.expiresOn}>{t('credits.expiresOn', { points: formatDecimal(locale, u.points), date: formatDate(locale, u.expiresOn) })}</li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>

      {credits && (
        <>
          <section className="card narrow">
            <h2>{t('creditPages.me.chart')}</h2>
            {credits.monthly.length > 0 && (
              <p className="small muted" data-testid="chart-span">
                {t('consumer.chartSpan', { from: monthLabel(credits.monthly[0]!.month), to: monthLabel(credits.monthly[credits.monthly.length - 1]!.month) })}
              </p>
            )}
            <AvoidedChart
              title={t('creditPages.me.grams')}
              points={credits.monthly.map((m) => ({
                month: m.month,
                label: monthLabel(m.month),
                grams: m.avoidedCo2eG,
                gramsText: formatDecimal(locale, m.avoidedCo2eG, 1),
              }))}
            />
            <details>
              <summary>{t('creditPages.me.grams')}</summary>
              <StackTable data-testid="avoided-table">
                  <thead>
                    <tr>
                      <th>{t('creditPages.me.month')}</th>
                      <th className="num">{t('creditPages.me.grams')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {credits.monthly.map((m) => (
                      <tr key={m.month}>
                        <td>{monthLabel(m.month)}</td>
                        <td className="num">{formatDecimal(locale, m.avoidedCo2eG, 1)}</td>
                      </tr>
                    ))}
                  </tbody>
                </StackTable>
            </details>
          </section>

          <section className="card narrow" id="rewards">
            <h2>{t('creditPages.rewards.title')}</h2>
            {result?.ok && (
              <p className="notice" role="status" data-testid="redeemed">
                {t('creditPages.rewards.redeemed', { reward: name(result.reward), code: result.code })}
              </p>
            )}
            {result && !result.ok && result.errors.form && (
              <p className="error-banner" role="alert" data-testid="redeem-error">
                {t(result.errors.form.key, result.errors.form.params)}
              </p>
            )}
            {confirm && !result?.ok && (
              <div className="warning" id="confirm" data-testid="redeem-confirm">
                <p style={{ marginTop: 0 }}>
                  {t('consumer.confirmRedeem', {
                    reward: name(confirm.reward),
                    points: formatDecimal(locale, confirm.reward.costPoints),
                    after: formatDecimal(locale, confirm.balanceAfter),
                  })}
                </p>
                {new Decimal(confirm.balanceAfter).isNegative() && <p className="field-error">{t('consumer.notEnough')}</p>}
                <Form method="post" action="/me" className="inline">
                  <input type="hidden" name="rewardId" value={confirm.reward.id} />
                  <button type="submit" name="intent" value="redeem" className="primary" disabled={navigation.state === 'submitting'} data-testid="confirm-redeem">
                    {t('consumer.confirmButton', { points: formatDecimal(locale, confirm.reward.costPoints) })}
                  </button>
                </Form>{' '}
                <Link to="/me#rewards" className="button secondary-link" data-testid="cancel-redeem">{t('consumer.cancel')}</Link>
              </div>
            )}
            {credits.rewards.length === 0 ? (
              <p className="muted">{t('creditPages.rewards.none')}</p>
            ) : (
              <ul className="reward-list">
                {credits.rewards.map((r) => (
                  <li key={r.id}>
                    <span>
                      <strong>{name(r)}</strong>
                      <br />
                      <span className="small muted">
                        {t('creditPages.rewards.cost', { points: formatDecimal(locale, r.costPoints) })}
                        {r.stock !== null && <> · {t('creditPages.rewards.stock', { stock: formatDecimal(locale, r.stock) })}</>}
                      </span>
                    </span>
                    <Form method="get" action="/me#confirm" className="inline">
                      <input type="hidden" name="confirm" value={r.id} />
                      <button type="submit" className="secondary" data-testid={`redeem-${r.code}`}>
                        {t('creditPages.rewards.redeem')}
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            )}
            {credits.redemptions.length > 0 && (
              <>
                <h2>{t('creditPages.rewards.codes')}</h2>
                <ul className="history">
                  {credits.redemptions.map((r) => (
                    <li key={r.id}>
                      {formatDate(locale, r.redeemedOn)} · {name(r)} · <span className="mono">{r.code}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>

          <section className="card">
            <h2>{t('creditPages.me.history')}</h2>
            {credits.history.length === 0 ? (
              <p className="muted">{t('creditPages.me.noHistory')}</p>
            ) : (
              <StackTable data-testid="credit-history">
                  <thead>
                    <tr>
                      <th>{t('creditPages.me.date')}</th>
                      <th>{t('creditPages.me.what')}</th>
                      <th className="num">{t('creditPages.me.grams')}</th>
                      <th className="num">{t('creditPages.me.points')}</th>
                      <th>{t('creditPages.me.ruleSet')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {credits.history.map((h) => (
                      <tr key={h.id}>
                        <td>{formatDate(locale, h.occurredOn)}</td>
                        <td>
                          {h.kind === 'earn' && h.action ? t(`credits.action.${h.action}`) : h.kind === 'redeem' ? t('creditPages.me.redeemed', { reward: name({ nameZh: h.rewardNameZh, nameEn: h.rewardNameEn }) }) : t(`credits.entry.${h.kind}`)}
                          {h.waybillNo && (
                            <>
                              <br />
                              <span className="small muted">{t('creditPages.me.waybill', { waybill: h.waybillNo, quantity: h.quantity ?? 1 })}</span>
                            </>
                          )}
                        </td>
                        <td className="num">{h.avoidedCo2eG === null ? '—' : formatDecimal(locale, h.avoidedCo2eG, 1)}</td>
                        <td className="num">{h.points.startsWith('-') || h.points === '0' ? '' : '+'}{formatDecimal(locale, h.points)}</td>
                        <td className="mono small">{h.ruleSetVersion ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </StackTable>
            )}
          </section>
        </>
      )}
    </>
  )
}
