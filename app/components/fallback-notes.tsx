import type { FallbackNote } from '#app/domain/factors/fallbacks.ts'
import type { Translate } from '#app/i18n/index.ts'

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
