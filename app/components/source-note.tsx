import type { ReactNode } from 'react'
import { useLocale, useT } from '#app/i18n/react.ts'

/**
 * A note quoted from a source file (factor notes, rule-set summaries), written
 * in English by whoever checked the source. In the Chinese interface it is
 * folded under a Chinese label that says so, marked lang="en", rather than
 * passing for an interface sentence.
 */
export function SourceNote({ children, testId }: { children: ReactNode; testId?: string }) {
  const t = useT()
  const locale = useLocale()
  if (locale === 'en') return <div className="muted" data-testid={testId}>{children}</div>
  return (
    <details className="source-note" data-testid={testId}>
      <summary className="muted">{t('sourceNote.summary')}</summary>
      <div lang="en" className="muted">{children}</div>
    </details>
  )
}

/** Units as the data spells them (kgCO2e/kg), shown with the subscript the rest of the interface uses. */
export function unitText(unit: string): string {
  return unit.replace(/CO2e/g, 'CO₂e').replace(/CO2\b/g, 'CO₂')
}
