import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { formatDate, formatDecimal } from '#app/i18n/format.ts'
import type { MessageKey, Translate } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { FootprintMethod } from '#app/components/footprint-method.tsx'
import { methodologyData, type MethodologyData, type WorkedExample } from '#app/services/factor-sets.server.ts'
import { VerdictRules } from '#app/components/verdict-example.tsx'
import { footprintMethodology } from '#app/services/footprints.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { StackTable } from '#app/components/stack-table.tsx'
import { SourceNote, unitText } from '#app/components/source-note.tsx'

// Public: an environment bureau (or anyone) can check a figure by hand without signing in.
export async function loader({ request }: LoaderFunctionArgs) {
  const version = new URL(request.url).searchParams.get('version')
  if (version !== null && !/^\d{4}\.\d+$/.test(version)) throw new Response('Not found', { status: 404 })
  const db = await getDb()
  const data = await methodologyData(db, version ?? undefined)
  if (!data && version !== null) throw new Response('Not found', { status: 404 })
  return { data: data ?? null, footprints: data ? await footprintMethodology(db, data.set.version) : null }
}

export const meta: MetaFunction = () => [{ name: 'description', content: 'GreenParcel carbon accounting methodology / 碳排放核算方法' }]

/** Exact as stored: as many decimals as the value has. */
function exact(locale: Locale, value: string): string {
  const decimals = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0
  return formatDecimal(locale, value, decimals)
}

const formulaSections: [MessageKey, MessageKey][] = [
  ['methodology.packaging.title', 'methodology.packaging.formula'],
  ['methodology.reusable.title', 'methodology.reusable.formula'],
  ['methodology.fleetFuel.title', 'methodology.fleetFuel.formula'],
  ['methodology.fleetElectricity.title', 'methodology.fleetElectricity.formula'],
  ['methodology.fleetDistance.title', 'methodology.fleetDistance.formula'],
  ['methodology.facility.title', 'methodology.facility.formula'],
  ['methodology.avoided.title', 'methodology.avoided.formula'],
]

const groups = ['electricity', 'fuel', 'material', 'intensity', 'avoided', 'other'] as const
type Group = (typeof groups)[number]
function groupOf(quantity: string): Group {
  const prefix = quantity.split(':')[0]
  return (groups as readonly string[]).includes(prefix ?? '') ? (prefix as Group) : 'other'
}

function regionName(t: Translate, locale: Locale, data: MethodologyData, region: string): string {
  if (region === 'CN') return t('methodology.region.national')
  if (region.startsWith('grid:')) return t(`methodology.grid.${region.slice(5)}` as MessageKey)
  const row = data.gridRegions.find((r) => r.code === region) ?? data.gridRegions.find((r) => r.code === `${region.slice(0, 2)}0000`)
  return row ? localName(locale, row) : region
}

function years(t: Translate, from: number, to: number | null): string {
  if (to === null) return t('methodology.years.open', { from })
  return from === to ? t('methodology.years.one', { from }) : t('methodology.years.range', { from, to })
}

export default function Methodology() {
  const { data, footprints } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <article className="methodology-page" data-testid="methodology">
      <section className="card">
        <h1>{t('methodology.title')}</h1>
        <p>{t('methodology.intro')}</p>
        {data ? <SetFacts data={data} /> : <p className="warning" role="status">{t('methodology.noSet')}</p>}
      </section>

      <section className="card">
        <h2>{t('methodology.formulas')}</h2>
        <dl className="formulas">
          {formulaSections.map(([title, formula]) => (
            <div key={title}>
              <dt>{t(title)}</dt>
              <dd>{t(formula)}</dd>
            </div>
          ))}
        </dl>
        <h3>{t('methodology.fallback.title')}</h3>
        <p>{t('methodology.fallback.region')}</p>
        <p>{t('methodology.fallback.year')}</p>
        <p data-testid="methodology-outside-coverage">{t('methodology.fallback.outsideCoverage')}</p>
        <p>{t('methodology.quality')}</p>
        <p>{t('methodology.rounding')}</p>
        <p>{t('methodology.scope')}</p>
        <p>{t('methodology.stored')}</p>
        <p>{t('methodology.howToCheck')}</p>
      </section>

      <VerdictRules />

      {data && (
        <>
          <section className="card">
            <h2>{t('methodology.examples')}</h2>
            {data.examples.map((example) => <Example key={example.key} example={example} data={data} />)}
          </section>

          <section className="card">
            <h2>{t('methodology.factors')}</h2>
            {groups.map((group) => {
              const rows = data.factors.filter((f) => groupOf(f.quantity) === group)
              if (rows.length === 0) return null
              return (
                <div key={group}>
                  <h3>{t(`methodology.group.${group}`)}</h3>
                  <StackTable className="factor-table" data-testid={`factors-${group}`}>
                      <thead>
                        <tr>
                          <th>{t('methodology.col.id')}</th>
                          <th className="num">{t('methodology.col.value')}</th>
                          <th>{t('methodology.col.region')}</th>
                          <th>{t('methodology.col.years')}</th>
                          <th>{t('methodology.col.boundary')}</th>
                          <th>{t('methodology.col.quality')}</th>
                          <th>{t('methodology.col.source')}</th>
                          <th>{t('methodology.col.verified')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {rows.map((f) => (
                          <tr key={f.id} id={`factor-${f.id}`}>
                            <td>
                              <span className="mono">{f.id}</span>
                              <br />
                              <span className="muted small mono">{f.quantity}</span>
                            </td>
                            <td className="num">
                              {exact(locale, f.value)} <span className="muted small">{unitText(f.unit)}</span>
                            </td>
                            <td>{regionName(t, locale, data, f.region)}</td>
                            <td>
                              {years(t, f.validFromYear, f.validToYear)}
                              <br />
                              <span className="muted small">{t('methodology.releasedIn', { year: f.releaseYear })}</span>
                            </td>
                            <td>
                              {t(`methodology.boundary.${f.boundary}` as MessageKey)}
                              <br />
                              <span className="muted small">
                                {f.ghgScope === 'none' ? t('methodology.scope.none') : t('methodology.scope.label', { scope: f.ghgScope })}
                              </span>
                            </td>
                            <td>{t('methodology.tier', { tier: f.dataQuality })}</td>
                            <td className="small">
                              {f.sourceDocument}
                              {f.sourceTable && <>; {f.sourceTable}</>}
                              {f.sourcePage && <>; p. {f.sourcePage}</>}
                              {f.note && <SourceNote>{f.note}</SourceNote>}
                            </td>
                            <td className="small">
                              {t(`methodology.verified.${f.verified}` as MessageKey)}
                              {f.verificationNote && <SourceNote>{f.verificationNote}</SourceNote>}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </StackTable>
                </div>
              )
            })}
          </section>

          <section className="card">
            <h2>{t('methodology.gridMap')}</h2>
            <p>{t('methodology.gridMap.intro')}</p>
            <StackTable data-testid="grid-map">
                <thead>
                  <tr>
                    <th>{t('methodology.col.code')}</th>
                    <th>{t('methodology.col.name')}</th>
                    <th>{t('methodology.col.grid')}</th>
                    <th>{t('methodology.col.note')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.gridRegions.map((r) => (
                    <tr key={r.code}>
                      <td className="mono">{r.code}</td>
                      <td>{localName(locale, r)}</td>
                      <td>{t(`methodology.grid.${r.grid}` as MessageKey)}</td>
                      <td className="small muted">{r.note}</td>
                    </tr>
                  ))}
                </tbody>
              </StackTable>
          </section>
        </>
      )}
      <FootprintMethod example={footprints} />
    </article>
  )
}

function SetFacts({ data }: { data: MethodologyData }) {
  const t = useT()
  const locale = useLocale()
  const set = data.set
  const others = data.versions.filter((v) => v.version !== set.version)
  return (
    <>
      <h2>
        {t('methodology.set', { version: set.version })}{' '}
        <span className="set-badge">{set.inForce ? t('methodology.set.inForce') : t(`methodology.set.${set.status}`)}</span>
      </h2>
      <p className="muted">{locale === 'zh-CN' ? set.title.zh : set.title.en}</p>
      <dl className="facts">
        <dt>{t('methodology.releaseDate')}</dt>
        <dd>{formatDate(locale, `${set.releaseDate}T00:00:00+08:00`)}</dd>
        {set.publishedAt && (
          <>
            <dt>{t('methodology.publishedAt')}</dt>
            <dd>{formatDate(locale, set.publishedAt)}</dd>
          </>
        )}
        <dt>{t('methodology.factorCount')}</dt>
        <dd>{data.factors.length}</dd>
        <dt>{t('methodology.checksum')}</dt>
        <dd className="mono small break">{set.contentSha256}</dd>
      </dl>
      <p>{locale === 'zh-CN' ? set.notes.zh : set.notes.en}</p>
      {others.length > 0 && (
        <p>
          {t('methodology.otherVersions')}:{' '}
          {others.map((v, i) => (
            <span key={v.version}>
              {i > 0 && ', '}
              <Link to={`/methodology?version=${v.version}`}>{v.version}</Link> ({t(`methodology.set.${v.status}` as MessageKey)})
            </span>
          ))}
        </p>
      )}
    </>
  )
}

function Example({ example, data }: { example: WorkedExample; data: MethodologyData }) {
  const t = useT()
  const locale = useLocale()
  return (
    <div className="worked-example" data-testid={`example-${example.key}`}>
      <h3>{t(`methodology.example.${example.key}`)}</h3>
      <StackTable>
          <thead>
            <tr>
              <th className="num">{t('methodology.col.amount')}</th>
              <th>{t('methodology.col.factor')}</th>
              <th className="num">{t('methodology.col.result')}</th>
            </tr>
          </thead>
          <tbody>
            {example.lines.map((l) => (
              <tr key={l.factorId}>
                <td className="num">
                  {exact(locale, l.amount)} {l.amountUnit === 'item' ? t('methodology.unit.item') : l.amountUnit}
                </td>
                <td>
                  × {exact(locale, l.factorValue)} {unitText(l.factorUnit)} <span className="mono small">({l.factorId})</span>
                  {l.part && <span className="muted small"> · {t(`methodology.part.${l.part}`)}</span>}
                </td>
                <td className="num">{exact(locale, l.resultKg)}</td>
              </tr>
            ))}
          </tbody>
          {example.lines.length > 1 && (
            <tfoot>
              <tr>
                <th colSpan={2}>{t('methodology.example.total')}</th>
                <td className="num">{exact(locale, example.totalKg)}</td>
              </tr>
            </tfoot>
          )}
        </StackTable>
      {example.fallbacks.map((f) =>
        f.kinds.includes('region') ? (
          <p key={f.factorId} className="notice small">
            {t('methodology.example.fallbackRegion', {
              region: regionName(t, locale, data, `${(f.requestedRegion ?? '').slice(0, 2)}0000`),
              used: regionName(t, locale, data, f.usedRegion),
              year: f.usedYear,
              factorId: f.factorId,
            })}
          </p>
        ) : (
          <p key={f.factorId} className="notice small">
            {t('methodology.example.fallbackYear', { requestedYear: f.requestedYear, usedYear: f.usedYear, factorId: f.factorId })}
          </p>
        ),
      )}
      <p data-testid={`example-${example.key}-total`}>
        <strong>{t('methodology.example.totalLine', { total: exact(locale, example.totalKg), shown: formatDecimal(locale, example.totalKg, Math.abs(Number(example.totalKg)) >= 10 ? 1 : 3) })}</strong>
      </p>
    </div>
  )
}
