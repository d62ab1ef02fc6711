import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { int4Id } from '#app/domain/ids.ts'
import { counterActions } from '#app/domain/credits/actions.ts'
import { formatDateTime, formatDecimal } from '#app/i18n/format.ts'
import type { Message } from '#app/i18n/index.ts'
import { useFieldErrors } from '#app/components/field-errors.tsx'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { creditContext } from '#app/services/credit-data.server.ts'
import { counterPage, recordAtCounter, type CounterField } from '#app/services/credits.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { StackTable } from '#app/components/stack-table.tsx'
import { parseForm } from '#app/utils/forms.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['outlet_operator'], context)
  const { db } = await creditContext()
  const page = await counterPage(db, viewer, new Date())
  if (!page) throw new Response('Not found', { status: 404 })
  return page
}

// One schema for the form; every message names the field and says what to do.
const counterSchema = z.object({
  consumer: z.string().trim().min(1, 'creditPages.counter.error.consumerRequired').max(40, 'creditPages.counter.error.consumerRequired'),
  action: z.enum(counterActions, { errorMap: () => ({ message: 'creditPages.counter.error.actionInvalid' }) }),
  waybillNo: z
    .string()
    .transform((value) => value.normalize('NFKC').replace(/\s/g, '').toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9]{8,30}$/, 'creditPages.counter.error.waybillInvalid')),
  quantity: z.coerce
    .number({ invalid_type_error: 'creditPages.counter.error.quantityInvalid' })
    .int('creditPages.counter.error.quantityInvalid')
    .min(1, 'creditPages.counter.error.quantityInvalid')
    .max(1000, 'creditPages.counter.error.quantityInvalid'),
  // not a field the operator fills: any fault in it reads as the wrong outlet
  outletId: int4Id.catch(0).pipe(z.number().positive('creditPages.counter.error.notYourOutlet')),
})
const counterFields: readonly CounterField[] = ['consumer', 'action', 'waybillNo', 'quantity']

type ActionResult =
  | {
      ok: true
      status: 'awarded' | 'duplicate'
      points: string
      avoidedCo2eG: string
      capped: boolean
      consumer: { memberCode: string; phoneMasked: string | null; created: boolean }
      actionId: string
    }
  | { ok: false; errors: Partial<Record<CounterField, Message>>; values: Record<string, string> }

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireRole(request, ['outlet_operator'])
  const parsed = await parseForm<typeof counterSchema, CounterField>(request, counterSchema, { fields: counterFields })
  const values = parsed.values
  if (!parsed.ok) return data<ActionResult>({ ok: false, errors: parsed.errors, values }, { status: 400 })
  const ctx = await creditContext()
  const outcome = await recordAtCounter(ctx, viewer, parsed.data, new Date())
  if (!outcome.ok) return data<ActionResult>({ ok: false, errors: outcome.errors, values }, { status: outcome.httpStatus })
  return data<ActionResult>({
    ok: true,
    status: outcome.status,
    points: outcome.award.points,
    avoidedCo2eG: outcome.award.avoidedCo2eG,
    capped: outcome.award.capped,
    consumer: outcome.consumer,
    actionId: outcome.award.actionId,
  })
}

export default function Counter() {
  const { outlet, records } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  const errors = result && !result.ok ? result.errors : {}
  const values = result && !result.ok ? result.values : {}
  const { fieldError, invalid } = useFieldErrors<CounterField>(errors)

  return (
    <>
      <section className="card narrow" data-testid="counter">
        <h1>{t('creditPages.counter.title')}</h1>
        <p className="muted">{t('creditPages.counter.intro')}</p>
        <p className="small">{t('creditPages.counter.outlet', { name: localName(locale, outlet) })}</p>

        {result?.ok && (
          <div className="notice" role="status" data-testid="counter-result">
            <p className="counter-points">
              {result.status === 'awarded'
                ? t('creditPages.counter.awarded', { points: formatDecimal(locale, result.points), grams: formatDecimal(locale, result.avoidedCo2eG, 1) })
                : t('creditPages.counter.duplicate', { points: formatDecimal(locale, result.points) })}
            </p>
            {result.status === 'awarded' && result.capped && <p>{t('creditPages.counter.capped')}</p>}
            <dl className="facts">
              <dt>{t('creditPages.me.phone')}</dt>
              <dd className="mono" data-testid="masked-phone">{result.consumer.phoneMasked ?? '—'}</dd>
              <dt>{t('creditPages.me.memberCode')}</dt>
              <dd>
                <strong className="mono" data-testid="member-code">{result.consumer.memberCode}</strong>
              </dd>
            </dl>
            {result.consumer.created && (
              <p className="warning" data-testid="new-member">
                {t('creditPages.counter.newMember', { code: result.consumer.memberCode })}
              </p>
            )}
          </div>
        )}
        {errors.form && <p className="error-banner" role="alert">{t(errors.form.key, errors.form.params)}</p>}

        {/* A new key after each record empties the form for the next consumer. */}
        <Form method="post" noValidate key={result?.ok ? result.actionId : 'form'}>
          <input type="hidden" name="outletId" value={outlet.id} />
          <label className="field">
            <span>{t('creditPages.counter.consumer')}</span>
            <input name="consumer" defaultValue={values.consumer} inputMode="text" autoComplete="off" autoCapitalize="characters" {...invalid('consumer')} />
            <span className="hint">{t('creditPages.counter.consumerHint')}</span>
            {fieldError('consumer')}
          </label>
          <fieldset className="field choice" {...invalid('action')}>
            <legend>{t('creditPages.counter.action')}</legend>
            {counterActions.map((a) => (
              <label key={a}>
                <input type="radio" name="action" value={a} defaultChecked={(values.action ?? 'carton_returned') === a} /> {t(`credits.action.${a}`)}
              </label>
            ))}
            {fieldError('action')}
          </fieldset>
          <label className="field">
            <span>{t('creditPages.counter.waybillNo')}</span>
            <input name="waybillNo" defaultValue={values.waybillNo} autoComplete="off" autoCapitalize="characters" {...invalid('waybillNo')} />
            <span className="hint">{t('creditPages.counter.waybillHint')}</span>
            {fieldError('waybillNo')}
          </label>
          <label className="field">
            <span>{t('creditPages.counter.quantity')}</span>
            <input name="quantity" type="number" min={1} max={1000} step={1} inputMode="numeric" defaultValue={values.quantity ?? '1'} {...invalid('quantity')} />
            {fieldError('quantity')}
          </label>
          <button type="submit" className="primary" name="intent" value="record" disabled={navigation.state === 'submitting'}>
            {t('creditPages.counter.submit')}
          </button>
        </Form>
      </section>

      <section className="card narrow">
        <h2>{t('creditPages.counter.today')}</h2>
        {records.length === 0 ? (
          <p className="muted">{t('creditPages.counter.noneToday')}</p>
        ) : (
          <StackTable data-testid="counter-today">
              <thead>
                <tr>
                  <th>{t('creditPages.counter.time')}</th>
                  <th>{t('creditPages.me.what')}</th>
                  <th>{t('creditPages.me.phone')}</th>
                  <th className="num">{t('creditPages.me.points')}</th>
                </tr>
              </thead>
              <tbody>
                {records.map((r) => (
                  <tr key={r.id}>
                    <td>{formatDateTime(locale, r.createdAt)}</td>
                    <td>
                      {t(`credits.action.${r.action}`)} × {r.quantity}
                      <br />
                      <span className="mono small">{r.waybillNo}</span>
                    </td>
                    <td className="mono">{r.phoneMasked ?? '—'}</td>
                    <td className="num">{formatDecimal(locale, r.points)}</td>
                  </tr>
                ))}
              </tbody>
            </StackTable>
        )}
      </section>
    </>
  )
}
