import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { findVisibleOutlet } from '#db/models/outlets.ts'
import type { Database } from '#db/schema.ts'
import { recentRecords } from './activity.server.ts'
import { outletMonthGlance } from './outlet-month.server.ts'

/** How many recent records the outlet home lists. */
export const recentOnHome = 6

/**
 * The outlet home page's data: the operator's outlet, its month at a glance
 * (with today's shipments) and the latest records, read side by side. Every
 * read is limited to what the viewer may see; the glance checks the outlet
 * before it reads anything of it.
 */
export async function outletHome(db: Kysely<Database>, viewer: Viewer, options: { today?: string; now?: Date } = {}) {
  if (viewer.role !== 'outlet_operator') return { ok: false as const, status: 403 as const }
  if (viewer.outletId === null) return { ok: false as const, status: 404 as const }
  // The outlet is read once: for the card and for the glance's scope check.
  const outletRead = findVisibleOutlet(db, viewer, viewer.outletId)
  const [outlet, recent, glance] = await Promise.all([
    outletRead,
    recentRecords(db, viewer, recentOnHome),
    outletMonthGlance(db, viewer, viewer.outletId, { ...options, outlet: outletRead }),
  ])
  if (!outlet) return { ok: false as const, status: 404 as const }
  if (!glance.ok) return glance
  return { ok: true as const, outlet, recent, glance: glance.glance }
}
