import { Link } from '@remix-run/react'
import Decimal from 'decimal.js'
import type { FallbackNote, FallbackShareView, FallbackSummaryRow } from '#app/domain/factors/fallbacks.ts'
import { formatDecimal, formatPercent } from '#app/i18n/format.ts'
import type { Translate } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'

/** One sentence per departure from the request: the region level, the year, or both. */
export function fallbackSentences(t: Translate, note: FallbackNote): string[] {
  const out: string[] = []
  if (note.kinds.includes('region')) {
    out.push(
      t('emissions.fallback.region', {
        requested: note.requestedRegion ?? '—',
        level: t(`emissions.level.${note.level}`),
        factorId: note.factorId,
      }),
    )
  }
  if (note.kinds.includes('year')) {
    out.push(
      t('emissions.fallback.year', {
        requestedYear: note.requestedYear ?? '—',
        usedYear: note.usedYear,
        factorId: note.factorId,
      }),
    )
  }
  return out
}

/** The fallbacks of one result, beside its figure. Renders nothing when the exact factors were used. */
export function FallbackNotes({ t, notes }: { t: Translate; notes: readonly FallbackNote[] }) {
  if (notes.length === 0) return null
  return (
    <div className="warning small" data-testid="fallback-notes">
      <span className="badge warn">{t('fallbacks.badge')}</span> {t('fallbacks.recordNote')}
      <ul>
        {notes.flatMap((note) =>
          fallbackSentences(t, note).map((sentence) => <li key={`${note.factorId}-${sentence}`}>{sentence}</li>),
        )}
      </ul>
    </div>
  )
}

/**
 * A report's share of CO2e from records costed with fallback factors, with a
 * link to the list of which factors (omitted on paper, where the address is
 * printed instead).
 */
export function FallbackShare({
  t,
  locale,
  fallback,
  detailsHref,
  print = false,
}: {
  t: Translate
  locale: Locale
  fallback: FallbackShareView
  detailsHref: string
  print?: boolean
}) {
  const share = fallback.share
  const tonnes = (kg: string) => formatDecimal(locale, new Decimal(kg).div(1000), 3)
  if (share === null) return <p className="small muted" data-testid="fallback-share">{t('fallbacks.noEmissions')}</p>
  if (new Decimal(share).isZero()) return <p className="small muted" data-testid="fallback-share">{t('fallbacks.none')}</p>
  const params = { share: formatPercent(locale, share, 1), fallbackT: tonnes(fallback.fallbackKg), totalT: tonnes(fallback.totalKg) }
  if (print) {
    return <p className="small" data-testid="fallback-share">{t('fallbacks.print', { ...params, url: detailsHref })}</p>
  }
  return (
    <p className="small" data-testid="fallback-share">
      <span className="badge warn">{t('fallbacks.shareTitle')}</span> {t('fallbacks.share', params)}{' '}
      <Link to={detailsHref} data-testid="fallback-details-link">{t('fallbacks.detailsLink')}</Link>
    </p>
  )
}

export function fallbackDetailsHref(scope: string, period: string | null): string {
  const query = new URLSearchParams({ scope })
  if (period) query.set('period', period)
  return `/reports/fallbacks?${query}`
}

/** An import preview's rows that will be costed with fallback factors, by factor. */
export function ImportFallbacks({
  t,
  locale,
  fallbacks,
}: {
  t: Translate
  locale: Locale
  fallbacks: { records: number; co2eKg: string; rows: readonly FallbackSummaryRow[] } | undefined
}) {
  if (!fallbacks || fallbacks.records === 0) return null
  return (
    <div className="warning small" data-testid="import-fallbacks">
      <span className="badge warn">{t('fallbacks.badge')}</span>{' '}
      {t('fallbacks.preview', { records: formatDecimal(locale, fallbacks.records, 0), co2e: formatDecimal(locale, fallbacks.co2eKg, 1) })}
      <ul>
        {fallbacks.rows.map((row) => (
          <li key={`${row.factorId}-${row.requestedYear}-${row.kinds.join()}`}>
            {t('fallbacks.previewRow', {
              factorId: row.factorId,
              kinds: row.kinds.map((k) => t(`fallbacks.kind.${k}`)).join('、'),
              requestedYear: row.requestedYear ?? '—',
              usedYear: row.usedYear,
              records: formatDecimal(locale, row.records, 0),
              co2e: formatDecimal(locale, row.co2eKg, 1),
            })}
          </li>
        ))}
      </ul>
    </div>
  )
}
