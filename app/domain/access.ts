/**
 * Who may do what. Pure: the same rules hide links in the UI and refuse
 * requests on the server; the server additionally scopes every query in SQL.
 */
export const roles = ['outlet_operator', 'carrier_admin', 'consumer', 'bureau_officer', 'admin'] as const
export type Role = (typeof roles)[number]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value)
}

/** The signed-in user as every scoped query sees it. */
export interface Viewer {
  userId: number
  role: Role
  /** outlet_operator: the one outlet */
  outletId: number | null
  /** carrier_admin: the brand */
  brandId: number | null
  /** bureau_officer: the jurisdiction (a region and everything below it) */
  regionCode: string | null
}

export const homePath: Record<Role, string> = {
  outlet_operator: '/outlet',
  carrier_admin: '/brand',
  consumer: '/me',
  bureau_officer: '/bureau',
  admin: '/admin',
}

/** Roles that may look at outlet records at all (each within its own scope). */
export const outletViewerRoles: readonly Role[] = ['outlet_operator', 'carrier_admin', 'bureau_officer', 'admin']

/** Roles that write activity records, by form or upload (each within its scope); bureaus only read. */
export const activityWriterRoles: readonly Role[] = ['outlet_operator', 'carrier_admin', 'admin']

/** Roles that read the report of a whole region (a bureau's jurisdiction, a brand's outlets in it). */
export const regionReportRoles: readonly Role[] = ['bureau_officer', 'carrier_admin', 'admin']

/** Roles that compare brands side by side: regulators, not the brands themselves. */
export const brandComparisonRoles: readonly Role[] = ['bureau_officer', 'admin']

/** Roles that download the parcel-footprint intensities of their reach as CSV. */
export const intensityCsvRoles: readonly Role[] = ['carrier_admin', 'bureau_officer', 'admin']

export function userHasRole(viewer: Pick<Viewer, 'role'> | null | undefined, allowed: readonly Role[]): boolean {
  return !!viewer && allowed.includes(viewer.role)
}
