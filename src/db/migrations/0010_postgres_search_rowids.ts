import { sql, type Kysely } from 'kysely'
import type { Engine } from '../connection.js'

/**
 * Gives every dataset on PostgreSQL a full-text row number, as SQLite's FTS5 rowid gives it, and
 * keeps the number in the full-text table too. A word's matches then come back as small numbers
 * that the search's index turns into positions by array, where matching 120,000 dataset ids
 * through a map of strings held the server for 100 ms a common word. Numbers come from a
 * sequence; SQLite keeps using its index's own rowids.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return
  await sql`create sequence datasets_search_rowid_seq`.execute(db)
  await sql`update datasets set search_rowid = nextval('datasets_search_rowid_seq')`.execute(db)
  await sql`alter table datasets_fts add column search_rowid integer`.execute(db)
  await sql`update datasets_fts f set search_rowid = d.search_rowid from datasets d where d.id = f.dataset_id`.execute(db)
}
