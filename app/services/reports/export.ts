import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { getMetric, type MetricCode } from '#app/domain/metrics/definitions.ts'
import { toCsv, type CsvCell, type CsvColumn } from '#app/domain/export/csv.ts'
import type { FallbackShareView } from '#app/domain/factors/fallbacks.ts'
import { translator, type MessageKey } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import type { Database } from '#db/schema.ts'
import { loadReportPage, loadBrandComparisonPage } from './pages.ts'
import { scopeParam } from './scope.ts'
import type { ScopeRequest, Refusal, Named, MetricRow } from './types.ts'

// CSV export of the report tables.

export type ExportTable = 'metrics' | 'children' | 'brands'

export function isExportTable(value: unknown): value is ExportTable {
  return value === 'metrics' || value === 'children' || value === 'brands'
}

export interface CsvFile {
  /** In the reader's language, may hold Chinese: send it as filename*=UTF-8''. */
  fileName: string
  /** For the rare client that reads only the plain filename parameter. */
  asciiName: string
  text: string
}

export type CsvRow = Record<string, CsvCell>

export async function exportReportCsv(
  db: Kysely<Database>,
  viewer: Viewer,
  table: ExportTable,
  request: ScopeRequest,
  query: URLSearchParams,
  locale: Locale,
  now: Date,
): Promise<{ ok: true; file: CsvFile } | Refusal> {
  const t = translator(locale)
  const name = (row: Named) => (locale === 'zh-CN' ? row.nameZh : row.nameEn)
  if (table === 'brands') {
    const page = await loadBrandComparisonPage(db, viewer, withScope(query, request), now)
    if (!page.ok) return page
    const comparison = page.data.comparison
    const rows: CsvRow[] = []
    for (const row of comparison?.rows ?? []) {
      for (const metric of row.metrics) {
        rows.push({ brand: name(row.brand), outletMonths: row.outletMonths, ...metricCsvCells(metric, t) })
      }
    }
    const columns: CsvColumn<CsvRow>[] = [
      { key: 'brand', header: { key: 'reports.csv.brand' }, type: 'text' },
      { key: 'outletMonths', header: { key: 'reports.csv.outletMonths' }, type: 'number' },
      ...metricCsvColumns(),
    ]
    const scopeName = comparison ? name(comparison.scope.name) : ''
    return {
      ok: true,
      file: {
        fileName: `${t('reports.export.fileBrands', { scope: scopeName, period: page.data.period ?? '' })}.csv`,
        asciiName: asciiFileName('brands', request, page.data.period),
        text: toCsv(columns, rows, locale),
      },
    }
  }

  const page = await loadReportPage(db, viewer, request, query, now)
  if (!page.ok) return page
  const report = page.data.report
  const scopeName = report ? name(report.scope.name) : ''
  const period = page.data.period ?? ''
  if (table === 'children') {
    const rows: CsvRow[] = (report?.children ?? []).map((child) => ({
      name: name(child.name),
      parcels: child.parcels,
      outlets: child.outlets,
      ...metricCsvCells(child.metric, t),
      // Each child's share of CO2e from fallback factors, whatever the metric: which outlets rest on them.
      fallbackShare: child.fallback.share === null ? null : new Decimal(child.fallback.share).times(100).toFixed(),
    }))
    const columns: CsvColumn<CsvRow>[] = [
      { key: 'name', header: { key: 'reports.drilldown.name' }, type: 'text' },
      { key: 'parcels', header: { key: 'reports.drilldown.parcels' }, type: 'number' },
      { key: 'outlets', header: { key: 'reports.csv.outletMonths' }, type: 'number' },
      ...metricCsvColumns(),
      { key: 'fallbackShare', header: { key: 'fallbacks.csvShare' }, type: 'number', fractionDigits: 2 },
    ]
    const metric = report ? t(`metric.${report.metric}.name` as MessageKey) : ''
    return {
      ok: true,
      file: {
        fileName: `${t('reports.export.fileChildren', { scope: scopeName, period, metric })}.csv`,
        asciiName: asciiFileName('children', request, period),
        text: toCsv(columns, rows, locale),
      },
    }
  }

  const rows: CsvRow[] = (report?.metrics ?? []).map((metric) => {
    const cells: CsvRow = { scope: scopeName, period, ...metricCsvCells(metric, t) }
    // Figures made of CO2e say how much of it rests on fallback factors (issue 13.4).
    cells.fallbackShare = fallbackCsvCell(metric.code, report?.fallback ?? null)
    for (const b of report?.benchmarks ?? []) {
      cells[`benchmark_${b.regionCode}`] = b.suppressed ? t('reports.table.suppressed') : displayValue(metric.code, b.values[metric.code] ?? null)
    }
    return cells
  })
  const columns: CsvColumn<CsvRow>[] = [
    { key: 'scope', header: { key: 'reports.csv.scope' }, type: 'text' },
    { key: 'period', header: { key: 'reports.csv.period' }, type: 'text' },
    ...metricCsvColumns(),
    { key: 'fallbackShare', header: { key: 'fallbacks.csvShare' }, type: 'number', fractionDigits: 2 },
    ...(report?.benchmarks ?? []).map(
      (b): CsvColumn<CsvRow> => ({
        key: `benchmark_${b.regionCode}`,
        header: t('reports.table.benchmark', { region: name(b.name) }),
        type: b.suppressed ? 'text' : 'number',
      }),
    ),
  ]
  return {
    ok: true,
    file: {
      fileName: `${t('reports.export.fileMetrics', { scope: scopeName, period })}.csv`,
      asciiName: asciiFileName('metrics', request, period),
      text: toCsv(columns, rows, locale),
    },
  }
}

/** The fallback share in percent on the rows of metrics computed from CO2e; empty elsewhere and without emissions. */
function fallbackCsvCell(code: MetricCode, fallback: FallbackShareView | null): string | null {
  if (!fallback || fallback.share === null || !['co2e_kg', 'per_parcel_co2e_kg'].includes(getMetric(code).numerator)) return null
  return new Decimal(fallback.share).times(100).toFixed()
}

export function withScope(query: URLSearchParams, request: ScopeRequest): URLSearchParams {
  const copy = new URLSearchParams(query)
  if (request.kind === 'region') copy.set('region', request.regionCode)
  else copy.delete('region')
  return copy
}

/** A value as the table shows it: percentages in percent, other metrics in their unit, unrounded. */
export function displayValue(code: MetricCode, value: string | null): string | null {
  if (value === null) return null
  return getMetric(code).unit === 'percent' ? new Decimal(value).times(100).toFixed() : value
}

export function metricCsvColumns(): CsvColumn<CsvRow>[] {
  return [
    { key: 'metricCode', header: { key: 'reports.csv.metricCode' }, type: 'text' },
    { key: 'metric', header: { key: 'reports.table.metric' }, type: 'text' },
    { key: 'unit', header: { key: 'reports.csv.unit' }, type: 'text' },
    { key: 'value', header: { key: 'reports.table.value' }, type: 'number', fractionDigits: 4 },
    { key: 'numerator', header: { key: 'reports.table.numerator' }, type: 'number' },
    { key: 'numeratorField', header: { key: 'reports.csv.numeratorField' }, type: 'text' },
    { key: 'denominator', header: { key: 'reports.table.denominator' }, type: 'number' },
    { key: 'denominatorField', header: { key: 'reports.csv.denominatorField' }, type: 'text' },
    { key: 'coverage', header: { key: 'reports.table.coverage' }, type: 'number', fractionDigits: 4 },
    { key: 'targetSet', header: { key: 'reports.csv.targetSet' }, type: 'text' },
    { key: 'targetValue', header: { key: 'reports.csv.targetValue' }, type: 'text' },
    { key: 'deadline', header: { key: 'reports.csv.deadline' }, type: 'text' },
    { key: 'status', header: { key: 'reports.table.status' }, type: 'text' },
    { key: 'statusReason', header: { key: 'reports.csv.statusReason' }, type: 'text' },
  ]
}

export function metricCsvCells(row: MetricRow, t: (key: MessageKey, params?: Record<string, string | number>) => string): CsvRow {
  const definition = getMetric(row.code)
  const evaluation = row.evaluation
  let status = ''
  let reason = ''
  if (evaluation?.kind === 'status') {
    status = t(`metrics.status.${evaluation.status}`)
    reason = t(evaluation.reason as MessageKey, evaluation.params)
  } else if (evaluation?.kind === 'contribution') {
    status = t('metrics.targetKind.national_count')
    reason = evaluation.noData
      ? t('reports.contribution.noData', { year: evaluation.targetYear })
      : t('reports.contribution.total', {
          year: evaluation.targetYear,
          total: evaluation.total,
          share: `${new Decimal(evaluation.contribution).times(100).toFixed()}%`,
        })
  }
  return {
    metricCode: row.code,
    metric: t(`metric.${row.code}.name` as MessageKey),
    unit: t(`metric.unit.${definition.unit}` as MessageKey),
    value: displayValue(row.code, row.value),
    numerator: row.numerator,
    numeratorField: t(`metric.field.${definition.numerator}` as MessageKey),
    denominator: row.denominator,
    denominatorField: definition.denominator ? t(`metric.field.${definition.denominator}` as MessageKey) : '',
    coverage: row.coverage,
    targetSet: row.target ? `${row.target.setId}` : '',
    targetValue: row.target ? `${row.target.comparison} ${row.target.value}` : '',
    deadline: row.target?.deadline ?? '',
    status,
    statusReason: reason,
  }
}

export function asciiFileName(table: ExportTable, request: ScopeRequest, period: string | null): string {
  return `greenparcel_${table}_${scopeParam(request).replace(':', '-')}_${period ?? 'none'}.csv`
}

/** `attachment` with an ASCII fallback name and the real one as RFC 5987 UTF-8, which every current browser reads. */
export function contentDisposition(fileName: string, asciiName: string): string {
  const fallback = asciiName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
