import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatDecimal, formatPercent } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { ChartFrame, chartColours, plotNumber } from './client-only.tsx'
import { axisDomain, fillMonths, monthSpan } from './months.ts'

export interface TrendChartProps {
  title: string
  months: string[]
  values: (string | null)[]
  /** A ratio metric is drawn in percent. */
  percent: boolean
  fractionDigits: number
  /** The target line, in the metric's own terms (a ratio for ratio metrics); null when none applies. */
  target: string | null
}

/** A metric's monthly values against its target line. */
export function TrendChart({ title, months, values, percent, fractionDigits, target }: TrendChartProps) {
  const t = useT()
  const locale = useLocale()
  const scale = percent ? 100 : 1
  // Every month on the axis: a month without data is a gap in the line, never a zero.
  const data = fillMonths(
    months.map((month, i) => {
      const value = plotNumber(values[i])
      return { month, value: value === null ? null : value * scale }
    }),
    (month) => ({ month, value: null }),
  )
  const targetValue = plotNumber(target)
  const domain = axisDomain(
    data.map((d) => d.value),
    targetValue === null ? null : targetValue * scale,
  )
  const format = (v: number) => (percent ? formatPercent(locale, String(v / 100), fractionDigits) : formatDecimal(locale, String(v), fractionDigits))
  return (
    <ChartFrame title={title} testId="chart-trend" span={monthSpan(months)}>
      {() =>
        data.length === 0 ? (
          <p className="muted">{t('reports.charts.empty')}</p>
        ) : (
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={data} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" tick={{ fontSize: 12 }} minTickGap={8} />
              <YAxis tick={{ fontSize: 12 }} tickFormatter={format} width={64} domain={domain ?? ['auto', 'auto']} />
              <Tooltip formatter={(v: number) => format(v)} />
              <Legend />
              <Line type="monotone" dataKey="value" name={t('reports.charts.value')} stroke={chartColours[0]} strokeWidth={2} dot={{ r: 2.5 }} connectNulls={false} isAnimationActive={false} />
              {targetValue !== null && (
                <ReferenceLine
                  y={targetValue * scale}
                  ifOverflow="extendDomain"
                  stroke={chartColours[5]}
                  strokeDasharray="6 4"
                  label={{ value: `${t('reports.charts.target')} ${format(targetValue * scale)}`, position: 'insideTopRight', fontSize: 12 }}
                />
              )}
            </LineChart>
          </ResponsiveContainer>
        )
      }
    </ChartFrame>
  )
}
