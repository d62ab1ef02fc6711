import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatDecimal } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { ChartFrame, chartColours, plotNumber } from './client-only.tsx'
import { tickDecimals } from './months.ts'

/** Packaging mass by material over the period, largest first. */
export function MaterialMix({ title, rows }: { title: string; rows: { label: string; massKg: string }[] }) {
  const t = useT()
  const locale = useLocale()
  const data = rows.map((r) => ({ label: r.label, massKg: plotNumber(r.massKg) ?? 0 }))
  const max = Math.max(0, ...data.map((d) => d.massKg))
  const format = (v: number) => formatDecimal(locale, String(v), tickDecimals(max))
  const unit = ` ${t('charts.kg')}`
  return (
    <ChartFrame title={title} testId="chart-materials">
      {() =>
        data.length === 0 ? (
          <p className="muted">{t('reports.charts.empty')}</p>
        ) : (
          <ResponsiveContainer width="100%" height={Math.max(160, data.length * 28 + 40)}>
            <BarChart data={data} layout="vertical" margin={{ top: 10, right: 24, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" tick={{ fontSize: 12 }} tickFormatter={(v: number) => `${format(v)}${unit}`} />
              <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 11 }} />
              <Tooltip formatter={(v: number) => `${formatDecimal(locale, String(v), 1)}${unit}`} />
              <Bar dataKey="massKg" name={title} fill={chartColours[2]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )
      }
    </ChartFrame>
  )
}
