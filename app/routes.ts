import { index, route, type RouteConfig } from '@remix-run/route-config'

// Every URL of the app, in one list.
export default [
  index('routes/index.tsx'),
  route('login', 'routes/login.tsx'),
  route('logout', 'routes/logout.tsx'),
  route('lang', 'routes/lang.tsx'),
  route('outlet', 'routes/outlet-home.tsx'),
  route('brand', 'routes/brand-home.tsx'),
  route('bureau', 'routes/bureau-home.tsx'),
  route('me', 'routes/consumer-home.tsx'),
  route('admin', 'routes/admin-home.tsx'),
  route('admin/users', 'routes/admin-users.tsx'),
  route('outlets/:outletId', 'routes/outlet-detail.tsx'),
  route('counter', 'routes/counter.tsx'),
  route('claim', 'routes/claim.tsx'),
  route('admin/partners', 'routes/admin-partners.tsx'),
  route('api/partner/v1/green-actions', 'routes/api.partner.v1.green-actions.ts'),
  route('api/openapi.json', 'routes/api.openapi.ts'),
  route('reports', 'routes/reports.tsx'),
  route('reports/region/:code', 'routes/reports-region.tsx'),
  route('reports/outlet/:outletId', 'routes/reports-outlet.tsx'),
  route('reports/brands', 'routes/reports-brands.tsx'),
  route('reports/print', 'routes/reports-print.tsx'),
  route('reports/export.csv', 'routes/reports-export.tsx'),
  route('admin/targets', 'routes/admin-targets.tsx'),
] satisfies RouteConfig
