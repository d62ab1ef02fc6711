import { Fragment } from 'react'
import { StackTable } from '#app/components/stack-table.tsx'
import { formatDecimal } from '#app/i18n/format.ts'
import type { MessageKey } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import type { FootprintExample } from '#app/services/footprints.server.ts'

/** Exact as computed: as many decimals as the value has. */
function exact(locale: Locale, value: string): string {
  const decimals = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0
  return formatDecimal(locale, value, decimals)
}

const rules: MessageKey[] = [
  'footprints.method.rule.group',
  'footprints.method.rule.hub',
  'footprints.method.rule.transport',
  'footprints.method.rule.packaging',
  'footprints.method.rule.quality',
  'footprints.method.rule.suppression',
  'footprints.method.rule.missing',
  'footprints.method.rule.units',
  'footprints.method.rule.rounding',
]

/**
 * The methodology page's section on parcel footprints (issue 17): the
 * allocation rules, and a worked example computed live by the code the
 * partner API runs, so each figure a partner receives can be redone by hand.
 */
export function FootprintMethod({ example }: { example: FootprintExample | null }) {
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card" id="parcel-footprints" data-testid="footprint-method">
      <h2>{t('footprints.method.title')}</h2>
      <p>{t('footprints.method.intro')}</p>
      <h3>{t('footprints.method.rules')}</h3>
      <ul>
        {rules.map((rule) => (
          <li key={rule}>{t(rule)}</li>
        ))}
      </ul>
      {example && (
        <div className="worked-example" data-testid="footprint-example">
          <h3>{t('footprints.method.example')}</h3>
          <p>{t('footprints.method.example.intro')}</p>
          <StackTable data-testid="footprint-example-lines">
              <thead>
                <tr>
                  <th>{t('footprints.method.col.item')}</th>
                  <th className="num">{t('footprints.method.col.activity')}</th>
                  <th>{t('footprints.method.col.quality')}</th>
                  <th className="num">{t('footprints.method.col.co2e')}</th>
                </tr>
              </thead>
              <tbody>
                {example.lines.map((line) => (
                  <tr key={line.item}>
                    <td>
                      {t(line.item)}
                      <br />
                      <span className="mono small muted">{line.factorIds.join(', ')}</span>
                    </td>
                    <td className="num">
                      {line.activity} {line.activityUnit}
                    </td>
                    <td>{t(`footprints.method.quality.${line.quality}`)}</td>
                    <td className="num">
                      {exact(locale, line.co2eKg)}
                      {line.ttwKg && <div className="muted small">{t('footprints.method.col.ttw')} {exact(locale, line.ttwKg)}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
          </StackTable>
          <h4>{t('footprints.method.result')}</h4>
          <dl className="facts" data-testid="footprint-example-result">
            {(
              [
                ['footprints.method.result.hub', example.hub],
                ['footprints.method.result.ttw', example.ttw],
                ['footprints.method.result.wtt', example.wtt],
                ['footprints.method.result.wtw', example.wtw],
                ['footprints.method.result.packaging', example.packaging],
                ['footprints.method.result.total', example.total],
              ] as const
            ).map(([label, value]) => (
              <Fragment key={label}>
                <dt>{t(label)}</dt>
                <dd className="numeric">{value === null ? '—' : `${exact(locale, value)} ${t('footprints.method.col.perParcel')}`}</dd>
              </Fragment>
            ))}
            <dt>{t('footprints.method.result.primary')}</dt>
            <dd className="numeric">{example.primaryDataShare === null ? '—' : `${example.primaryDataShare} %`}</dd>
          </dl>
          {example.perTonneFor25Kg && <p>{t('footprints.method.result.perTonne', { value: exact(locale, example.perTonneFor25Kg) })}</p>}
        </div>
      )}
      <p className="small">{t('footprints.method.api', { max: example?.maxParcels ?? 500 })}</p>
    </section>
  )
}
