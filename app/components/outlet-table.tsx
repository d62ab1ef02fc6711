import { Link } from '@remix-run/react'
import type { PageView } from '#app/domain/paging.ts'
import type { OutletListRow, OutletRow } from '#db/models/outlets.ts'
import { formatDate } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { StackTable } from './stack-table.tsx'

export function OutletTable({ outlets, showBrand = true }: { outlets: readonly OutletListRow[]; showBrand?: boolean }) {
  const t = useT()
  const locale = useLocale()
  if (outlets.length === 0) return <p className="muted">{t('common.none')}</p>
  return (
    <StackTable data-testid="outlet-table">
        <thead>
          <tr>
            <th>{t('outlet.field.code')}</th>
            <th>{t('outlet.field.name')}</th>
            {showBrand && <th>{t('outlet.field.brand')}</th>}
            <th>{t('outlet.field.region')}</th>
            <th>{t('outlet.field.kind')}</th>
            <th>{t('outlet.field.openedOn')}</th>
          </tr>
        </thead>
        <tbody>
          {outlets.map((o) => (
            <tr key={o.id}>
              <td className="mono">{o.code}</td>
              <td>
                <Link to={`/outlets/${o.id}`}>{localName(locale, o)}</Link>
              </td>
              {showBrand && <td>{localName(locale, { nameZh: o.brandNameZh, nameEn: o.brandNameEn })}</td>}
              <td>{localName(locale, { nameZh: o.regionNameZh, nameEn: o.regionNameEn })}</td>
              <td>{t(`outlet.kind.${o.kind}`)}</td>
              <td>{formatDate(locale, o.openedOn)}</td>
            </tr>
          ))}
        </tbody>
      </StackTable>
  )
}

/**
 * A register of outlets, one page of it, with where the page stands and links
 * to the pages before and after (plain links: no JavaScript needed). `hrefOf`
 * gives a page's link, keeping whatever else the page's query holds.
 */
export function OutletRegister({ outlets, view, hrefOf, showBrand = true }: { outlets: readonly OutletListRow[]; view: PageView; hrefOf: (page: number) => string; showBrand?: boolean }) {
  const t = useT()
  return (
    <>
      <OutletTable outlets={outlets} showBrand={showBrand} />
      {view.pages > 1 && (
        <nav className="pager" data-testid="outlet-pager">
          <span className="muted">{t('outletRegister.page', { from: String(view.from), to: String(view.to), total: String(view.total) })}</span>{' '}
          {view.page > 1 && <Link to={hrefOf(view.page - 1)}>{t('outletRegister.previous')}</Link>}{' '}
          {view.page < view.pages && <Link to={hrefOf(view.page + 1)}>{t('outletRegister.next')}</Link>}
        </nav>
      )}
    </>
  )
}

export function OutletCard({ outlet }: { outlet: OutletRow }) {
  const t = useT()
  const locale = useLocale()
  return (
    <dl className="facts" data-testid="outlet-card">
      <dt>{t('outlet.field.name')}</dt>
      <dd>{localName(locale, outlet)}</dd>
      <dt>{t('outlet.field.code')}</dt>
      <dd className="mono">{outlet.code}</dd>
      <dt>{t('outlet.field.brand')}</dt>
      <dd>{localName(locale, { nameZh: outlet.brandNameZh, nameEn: outlet.brandNameEn })}</dd>
      <dt>{t('outlet.field.region')}</dt>
      <dd>
        {localName(locale, { nameZh: outlet.regionNameZh, nameEn: outlet.regionNameEn })} ({outlet.regionCode})
      </dd>
      <dt>{t('outlet.field.kind')}</dt>
      <dd>{t(`outlet.kind.${outlet.kind}`)}</dd>
      <dt>{t('outlet.field.address')}</dt>
      <dd>{outlet.addressZh}</dd>
      <dt>{t('outlet.field.openedOn')}</dt>
      <dd>{formatDate(locale, outlet.openedOn)}</dd>
    </dl>
  )
}
