import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { formatDate, formatDecimal } from '#app/i18n/format.ts'
import type { Message } from '#app/i18n/index.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { creditContext } from '#app/services/credit-data.server.ts'
import { changeRuleSetStatus, ruleSetsForAdmin } from '#app/services/credit-rules.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { StackTable } from '#app/components/stack-table.tsx'
import { SourceNote } from '#app/components/source-note.tsx'
import { parseForm, type FieldErrors } from '#app/utils/forms.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, ['admin'], context)
  // creditContext loads new rule files into the database before they are listed.
  const { db } = await creditContext()
  return { ruleSets: await ruleSetsForAdmin(db) }
}

const changeSchema = z.object({
  intent: z.enum(['publish', 'retire']),
  version: z.string().regex(/^\d{4}\.\d{1,3}$/),
})

type ActionResult = { ok: true; notice: Message } | { ok: false; errors: FieldErrors }

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireRole(request, ['admin'])
  const parsed = await parseForm(request, changeSchema, { fields: [] })
  if (!parsed.ok) return data<ActionResult>({ ok: false, errors: parsed.errors }, { status: 400 })
  const { db } = await creditContext()
  const { intent, version } = parsed.data
  const changed = await changeRuleSetStatus(db, actor, { version, to: intent === 'publish' ? 'published' : 'retired' }, new Date())
  if (!changed.ok) return data<ActionResult>({ ok: false, errors: { form: changed.error } }, { status: 400 })
  return data<ActionResult>({ ok: true, notice: { key: intent === 'publish' ? 'creditPages.rules.published' : 'creditPages.rules.retired', params: { version } } })
}

export default function AdminCreditRules() {
  const { ruleSets } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card" data-testid="admin-credit-rules">
      <h1>{t('creditPages.rules.title')}</h1>
      <p className="muted">{t('creditPages.rules.intro')}</p>
      <p className="muted" data-testid="which-earns-what">{t('creditPages.rules.whichEarnsWhat')}</p>
      {result?.ok && <p className="notice" role="status">{t(result.notice.key, result.notice.params)}</p>}
      {result && !result.ok && result.errors.form && <p className="error-banner" role="alert">{t(result.errors.form.key, result.errors.form.params)}</p>}
      {ruleSets.map((set) => (
        <article key={set.version} className="rule-set">
          <h2>
            <span className="mono">{set.version}</span> · {t(`credits.ruleSet.status.${set.status}`)}
          </h2>
          <dl className="facts">
            <dt>{t('creditPages.rules.effectiveFrom')}</dt>
            <dd>{formatDate(locale, set.effectiveFrom)}</dd>
            <dt>{t('creditPages.rules.expiry')}</dt>
            <dd>
              {set.expiry.rule === 'end_of_year'
                ? t('creditPages.rules.expiry.end_of_year', { years: set.expiry.yearsAfterEarning })
                : t('creditPages.rules.expiry.days_after_earning', { days: set.expiry.days })}
            </dd>
            <dt>{t('creditPages.rules.awards')}</dt>
            <dd>{formatDecimal(locale, set.awards)}</dd>
          </dl>
          <div className="small"><SourceNote testId="rule-set-summary">{set.summary}</SourceNote></div>
          <StackTable>
              <thead>
                <tr>
                  <th>{t('creditPages.rules.action')}</th>
                  <th className="num">{t('creditPages.rules.pointsPerGram')}</th>
                  <th>{t('creditPages.rules.rounding')}</th>
                  <th className="num">{t('creditPages.rules.dailyCap')}</th>
                  <th className="num">{t('creditPages.rules.maxQuantity')}</th>
                </tr>
              </thead>
              <tbody>
                {set.actions.map((a) => (
                  <tr key={a.action}>
                    <td>{t(`credits.action.${a.action}`)}</td>
                    <td className="num">{formatDecimal(locale, a.pointsPerGram, a.pointsPerGram.split('.')[1]?.length ?? 0)}</td>
                    <td>{t(`creditPages.rules.rounding.${a.rounding}`)}</td>
                    <td className="num">{formatDecimal(locale, a.dailyCapPoints)}</td>
                    <td className="num">{a.maxQuantityPerAward === null ? t('creditPages.rules.unlimited') : formatDecimal(locale, a.maxQuantityPerAward)}</td>
                  </tr>
                ))}
              </tbody>
            </StackTable>
          {(set.status === 'draft' || set.status === 'published') && (
            <Form method="post">
              <input type="hidden" name="version" value={set.version} />
              {set.status === 'draft' ? (
                <button type="submit" name="intent" value="publish" className="primary">{t('creditPages.rules.publish')}</button>
              ) : (
                <button type="submit" name="intent" value="retire" className="secondary">{t('creditPages.rules.retire')}</button>
              )}
            </Form>
          )}
        </article>
      ))}
    </section>
  )
}
