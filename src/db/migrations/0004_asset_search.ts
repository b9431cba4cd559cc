import { sql, type Kysely } from 'kysely'
import type { Engine } from '../connection.js'
import { reindexAllAssets } from '../../features/assets/search/full-text.js'

/**
 * Searching the asset register: the full-text index (SQLite FTS5 keyed by the asset's id, or a
 * PostgreSQL tsvector table), and the index by change time that the in-memory search index
 * catches up by. Assets already recorded are indexed here.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await db.schema.createIndex('assets_updated').on('assets').columns(['updated_at', 'id']).execute()
  if (engine === 'sqlite') {
    // Contentless: the words live in the assets table already; the index keeps only what finds them.
    await sql`create virtual table assets_fts using fts5(document, content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 2')`.execute(db)
  } else {
    await sql`create table assets_fts (asset_id bigint primary key references assets(id), document tsvector not null)`.execute(db)
    await sql`create index assets_fts_document on assets_fts using gin (document)`.execute(db)
  }
  await reindexAllAssets(db, engine)
}
