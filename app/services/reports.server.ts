/**
 * Compliance reports, the routes' one import. The parts live in
 * app/services/reports/: scope (who may open what), periods (which months a
 * period covers), report/brands/charts (assembly), pages (URL parameters in,
 * page data out) and export (CSV).
 */
export type * from './reports/types.ts'
export { buildBrandComparison } from './reports/brands.ts'
export { buildReportCharts } from './reports/charts.ts'
export { contentDisposition, exportReportCsv, isExportTable, type CsvFile, type ExportTable } from './reports/export.ts'
export { compactMetricRow } from './reports/metric-row.ts'
export { loadBrandComparisonPage, loadReportCharts, loadReportPage, reportPageView } from './reports/pages.ts'
export { reportPeriods } from './reports/periods.ts'
export { buildReport, buildReports } from './reports/report.ts'
export { homeScope, parseScopeParam, scopeParam } from './reports/scope.ts'
