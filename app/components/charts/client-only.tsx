import { useEffect, useState, type ReactNode } from 'react'
import { useT } from '#app/i18n/react.ts'

/**
 * Charts measure the page, which the server cannot: they are drawn after
 * hydration. Until then (and without JavaScript) the frame says where the
 * figures are; every figure is also in the report's tables.
 */
export function ChartFrame({ title, testId, span = null, children }: { title: string; testId: string; span?: string | null; children: () => ReactNode }) {
  const [hydrated, setHydrated] = useState(false)
  const t = useT()
  useEffect(() => setHydrated(true), [])
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        {title}
        {span && <span className="small muted chart-span"> · {span}</span>}
      </figcaption>
      <div className="chart-body">{hydrated ? children() : <p className="muted small">{t('reports.charts.noScript')}</p>}</div>
    </figure>
  )
}

/** Chart colours: distinguishable for common colour-vision deficiencies (Okabe–Ito). */
export const chartColours = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000']

/** Plotting needs floats; the figures themselves stay exact strings until here. */
export function plotNumber(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const number = Number(value)
  return Number.isFinite(number) ? number : null
}
