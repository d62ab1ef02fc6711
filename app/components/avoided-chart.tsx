import { useEffect, useState } from 'react'
import { formatDecimal } from '#app/i18n/format.ts'
import { useLocale } from '#app/i18n/react.ts'
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

export interface AvoidedChartPoint {
  /** 'YYYY-MM' */
  month: string
  /** Full label for the tooltip ('2026年3月' / 'March 2026'). */
  label: string
  /** Grams as a decimal string, exact. */
  grams: string
  /** The same figure, already formatted for the reader. */
  gramsText: string
}

/**
 * Grams of CO2e avoided per month. Recharts measures the page, so it is drawn
 * in the browser only; the table beside it carries the same figures for
 * readers without JavaScript and for screen readers. Numbers become floats
 * here for drawing only; the figures people read come formatted from Decimal.
 */
export function AvoidedChart({ points, title }: { points: readonly AvoidedChartPoint[]; title: string }) {
  const locale = useLocale()
  const [mounted, setMounted] = useState(false)
  useEffect(() => setMounted(true), [])
  if (!mounted) return <div className="chart-box" aria-hidden />
  const rows = points.map((p) => ({ ...p, value: Number(p.grams) }))
  return (
    <div className="chart-box" role="img" aria-label={title} data-testid="avoided-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          {/* The year stays on the axis: twelve months cross a new year. */}
          <XAxis dataKey="month" fontSize={11} minTickGap={6} />
          {/* Wide enough for "12,500 g" on one line: a narrow axis broke the unit onto a second line. */}
          <YAxis width={64} fontSize={12} allowDecimals={false} tickFormatter={(value: number) => `${formatDecimal(locale, String(value), 0)} g`} />
          <Tooltip
            formatter={(_value, _name, item) => [(item.payload as (typeof rows)[number]).gramsText, title]}
            labelFormatter={(_label, payload) => (payload[0]?.payload as (typeof rows)[number] | undefined)?.label ?? ''}
          />
          <Bar dataKey="value" fill="#1f9a6a" radius={[4, 4, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
