import type { Migration } from 'kysely'
import * as m0001 from './0001_foundation.ts'
import * as m0002 from './0002_activity.ts'
import * as m0003 from './0003_emissions.ts'
import * as m0004 from './0004_credits.ts'
import * as m0005 from './0005_reports.ts'
import * as m0006 from './0006_imports.ts'
import * as m0007 from './0007_import_batch_rows.ts'
import * as m0008 from './0008_emission_results_live_key.ts'
import * as m0011 from './0011_one_award_per_return.ts'
import * as m0013 from './0013_redemption_codes.ts'
import * as m0014 from './0014_footprint_batches.ts'
import * as m0016 from './0016_rollup_fallback_co2e.ts'
import * as m0016gb from './0016_rollup_gb43352_packaging.ts'
import * as m0017jobs from './0017_import_jobs.ts'
import * as m0019 from './0019_rollup_reported_fields.ts'
import * as m0020 from './0020_partner_rate_slots.ts'
import * as m0021 from './0021_results_version_switch.ts'
import * as m0022 from './0022_results_by_set.ts'

// The static registry. Names sort in the order they must run; append only.
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_activity': m0002,
  '0003_emissions': m0003,
  '0004_credits': m0004,
  '0005_reports': m0005,
  '0006_imports': m0006,
  '0007_import_batch_rows': m0007,
  '0008_emission_results_live_key': m0008,
  '0011_one_award_per_return': m0011,
  '0013_redemption_codes': m0013,
  '0014_footprint_batches': m0014,
  '0016_rollup_fallback_co2e': m0016,
  '0016_rollup_gb43352_packaging': m0016gb,
  '0017_import_jobs': m0017jobs,
  '0019_rollup_reported_fields': m0019,
  '0020_partner_rate_slots': m0020,
  '0021_results_version_switch': m0021,
  '0022_results_by_set': m0022,
}
