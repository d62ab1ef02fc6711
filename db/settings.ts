/**
 * Settings of this application's own that the database carries (PostgreSQL
 * accepts any dotted name as a custom setting), so that statements can read
 * how the database they run on is sized. Set only where the default does not
 * fit: `pgliteSettings` in client.ts for the embedded database.
 */

/** How far a bulk statement may raise work_mem (read by rollups' raiseWorkMemForBulk). */
export const bulkWorkMemSetting = 'greenparcel.bulk_work_mem'

/** The raise where the database names no bound: a server's, with memory to hash a large import's rows. */
export const serverBulkWorkMem = '64MB'
