import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'
import type { Role } from '#app/domain/access.ts'
import type { ActivityTables } from './tables/activity.ts'
import type { CreditsTables } from './tables/credits.ts'
import type { EmissionTables } from './tables/emissions.ts'
import type { FootprintTables } from './tables/footprints.ts'
import type { ReportsTables } from './tables/reports.ts'

export type { Role }

/** `numeric` and `int8` arrive as exact strings; make a Decimal of them in domain code. */
export type NumericString = string
/** `date` arrives as 'YYYY-MM-DD'. */
export type DateString = string
type GeneratedAlways<T> = ColumnType<T, never, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>


export type GridRegion = 'north' | 'northeast' | 'east' | 'central' | 'northwest' | 'south' | 'southwest'
export type RegionLevel = 'province' | 'city' | 'district'

export interface RegionsTable {
  code: string
  parent_code: string | null
  level: RegionLevel
  name_zh: string
  name_en: string
  grid_region: GridRegion
}

export interface BrandsTable {
  id: GeneratedAlways<number>
  code: string
  name_zh: string
  name_en: string
}

export interface OutletsTable {
  id: GeneratedAlways<number>
  code: string
  brand_id: number
  region_code: string
  province_code: GeneratedAlways<string>
  city_code: GeneratedAlways<string>
  kind: ColumnType<'outlet' | 'sorting_centre', 'outlet' | 'sorting_centre' | undefined>
  name_zh: string
  name_en: string
  address_zh: Generated<string>
  opened_on: DateString
  closed_on: DateString | null
}

export interface UsersTable {
  id: GeneratedAlways<number>
  username: string
  password_hash: string | null
  display_name: string
  created_at: Generated<Date>
  disabled_at: Timestamp | null
}

export interface MembershipsTable {
  user_id: number
  role: Role
  outlet_id: number | null
  brand_id: number | null
  region_code: string | null
}

export interface SessionsTable {
  id: string
  user_id: number
  created_at: Generated<Date>
  expires_at: Timestamp
  revoked_at: Timestamp | null
  ip: string | null
  user_agent: string | null
}

export interface LoginAttemptsTable {
  id: GeneratedAlways<string>
  username: string
  ip: string
  attempted_at: Generated<Date>
  succeeded: boolean
}

export interface AuditLogTable {
  id: GeneratedAlways<string>
  occurred_at: Generated<Date>
  actor_user_id: number | null
  action: string
  entity_type: string
  entity_id: string
  outlet_id: number | null
  region_code: string | null
  reason: string | null
  before: unknown
  after: unknown
}

// Each area of the product adds its tables in db/tables/<area>.ts and extends this.
export interface Database extends ActivityTables, ReportsTables, EmissionTables, CreditsTables, FootprintTables {
  regions: RegionsTable
  brands: BrandsTable
  outlets: OutletsTable
  users: UsersTable
  memberships: MembershipsTable
  sessions: SessionsTable
  login_attempts: LoginAttemptsTable
  audit_log: AuditLogTable
}

export type Region = Selectable<RegionsTable>
export type Brand = Selectable<BrandsTable>
export type Outlet = Selectable<OutletsTable>
export type User = Selectable<UsersTable>
export type NewAuditEntry = Insertable<AuditLogTable>
