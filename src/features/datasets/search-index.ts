import { sql, type Kysely } from 'kysely'
import type { Engine } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'

/** What the full-text index holds for a dataset. */
export interface SearchDocument {
  datasetId: string
  title: string
  description: string
  keywords: string[]
  publisher: string
}

/**
 * Keeps the full-text index in step with the datasets: SQLite's FTS5 table or PostgreSQL's
 * weighted tsvector. Call inside the transaction that changes the dataset.
 */
export async function indexDataset(db: Kysely<Database>, engine: Engine, doc: SearchDocument): Promise<void> {
  const keywords = doc.keywords.join(' ')
  if (engine === 'postgres') {
    await sql`
      insert into datasets_fts (dataset_id, document)
      values (${doc.datasetId}, ${weightedDocument(doc.title, keywords, doc.publisher, doc.description)})
      on conflict (dataset_id) do update set document = excluded.document`.execute(db)
    return
  }
  const row = await db.selectFrom('datasets').select('search_rowid').where('id', '=', doc.datasetId).executeTakeFirst()
  if (row?.search_rowid != null) {
    await sql`update datasets_fts set title = ${doc.title}, description = ${doc.description}, keywords = ${keywords}, publisher = ${doc.publisher} where rowid = ${row.search_rowid}`.execute(db)
    return
  }
  await sql`
    insert into datasets_fts (dataset_id, title, description, keywords, publisher)
    values (${doc.datasetId}, ${doc.title}, ${doc.description}, ${keywords}, ${doc.publisher})`.execute(db)
  // `returning rowid` answers -1 for an FTS5 table; last_insert_rowid() is the row just added
  // (SQLite has one connection, and this runs inside the caller's transaction).
  const inserted = await sql<{ rowid: number }>`select last_insert_rowid() as rowid`.execute(db)
  await db.updateTable('datasets').set({ search_rowid: Number(inserted.rows[0]!.rowid) }).where('id', '=', doc.datasetId).execute()
}

/** Title counts most, then keywords and publisher, then description. */
function weightedDocument(title: string, keywords: string, publisher: string, description: string) {
  return sql`
    setweight(to_tsvector('english', ${title}), 'A') ||
    setweight(to_tsvector('english', ${keywords}), 'B') ||
    setweight(to_tsvector('english', ${publisher}), 'B') ||
    setweight(to_tsvector('english', ${description}), 'C')`
}
