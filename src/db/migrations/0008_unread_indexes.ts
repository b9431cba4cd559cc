import type { Kysely } from 'kysely'

/**
 * Drops indexes no query reads, which every import and edit paid to keep in order. The map
 * clusters over the in-memory asset index, not `(lat, lon)`; a UPRN is found through the
 * full-text index; datasets are filtered by status and next release in the in-memory facet
 * index, and the few SQL filters on them (`status <> 'withdrawn'`, a release date set) match
 * most rows, so a scan is what the planner chose anyway. The location and UPRN indexes keyed
 * assets in random order: each imported asset touched a page of each.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const index of ['assets_location', 'assets_uprn', 'datasets_status', 'datasets_next_release']) {
    await db.schema.dropIndex(index).execute()
  }
}
