import type { Kysely } from 'kysely'
import type { TableSpec } from '#db/models/activity.ts'
import { analyzeWrittenTable } from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import { refreshAfterWrite } from '../activity.server.ts'
import { analyzeAfterRows, timed, type ImportTimings } from './types.ts'

// Stage 7: the rollups of every outlet-month a commit touched, refreshed in
// its transaction once all rows are written. The pipeline notes what each kept
// row touches as it goes.

export class TouchedMonths {
  readonly months = new Map<string, { outletId: number; month: string | null }>()
  /** The earliest month a vehicle of each outlet entered service (the vehicle register). */
  readonly vehicleStarts = new Map<number, string>()
  private last: { outletId: number; month: string | null } = { outletId: -1, month: null }

  note(outletId: number, month: string | null): void {
    // a file runs outlet by outlet, day by day: most rows touch the outlet-month of the row before
    if (outletId !== this.last.outletId || month !== this.last.month) {
      this.last = { outletId, month }
      this.months.set(`${outletId}|${month}`, this.last)
    }
  }

  /** A replaced row stored under another outlet: that outlet's month changes too. */
  noteOther(outletId: number, month: string | null): void {
    this.months.set(`${outletId}|${month}`, { outletId, month })
  }

  noteVehicleStart(outletId: number, fromMonth: string): void {
    const known = this.vehicleStarts.get(outletId)
    if (!known || fromMonth < known) this.vehicleStarts.set(outletId, fromMonth)
  }
}

/** Fresh statistics after a large write, then the rollups of the touched months. */
export async function rollUp(trx: Kysely<Database>, spec: TableSpec, touched: TouchedMonths, written: number, timings: ImportTimings): Promise<void> {
  if (written >= analyzeAfterRows) await timed(timings, 'analyze', () => analyzeWrittenTable(trx, spec.table))
  await timed(timings, 'rollups', () =>
    refreshAfterWrite(
      trx,
      spec,
      [...touched.months.values()],
      [...touched.vehicleStarts.entries()].map(([outletId, fromMonth]) => ({ outletId, fromMonth })),
    ),
  )
}
