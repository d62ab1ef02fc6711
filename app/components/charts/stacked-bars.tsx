import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatDecimal } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { ChartFrame, chartColours, plotNumber } from './client-only.tsx'
import { fillMonths, monthSpan } from './months.ts'

export interface StackedBarsProps {
  title: string
  testId: string
  /** One entry per month: the month and a value (exact string) per series key. */
  rows: { month: string; values: Record<string, string> }[]
  series: { key: string; label: string }[]
  fractionDigits: number
}

/** Monthly bars stacked by part: emissions by source, fleet energy mix, avoided emissions. */
export function StackedBars({ title, testId, rows, series, fractionDigits }: StackedBarsProps) {
  const t = useT()
  const locale = useLocale()
  // A month without a row is an empty slot on the axis, not a zero bar.
  const data = fillMonths(
    rows.map((row) => ({
      month: row.month,
      ...Object.fromEntries(series.map((s) => [s.key, plotNumber(row.values[s.key])])),
    })),
    (month) => ({ month }),
  )
  const format = (v: number) => formatDecimal(locale, String(v), fractionDigits)
  return (
    <ChartFrame title={title} testId={testId} span={monthSpan(rows.map((r) => r.month))}>
      {() =>
        data.length === 0 || series.length === 0 ? (
          <p className="muted">{t('reports.charts.empty')}</p>
        ) : (
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={data} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" tick={{ fontSize: 12 }} minTickGap={8} />
              <YAxis tick={{ fontSize: 12 }} tickFormatter={format} width={64} />
              <Tooltip formatter={(v: number) => format(v)} />
              <Legend />
              {series.map((s, i) => (
                <Bar key={s.key} dataKey={s.key} name={s.label} stackId="stack" fill={chartColours[i % chartColours.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        )
      }
    </ChartFrame>
  )
}
