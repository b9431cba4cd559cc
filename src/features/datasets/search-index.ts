import { sql, type Kysely } from 'kysely'
import type { Db, Engine } from '../../db/connection.js'
import { copyField, copyFrom } from '../../db/pg-copy.js'
import type { OwnConnection } from '../../db/pg-transaction.js'
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
    // A dataset new to the index is given its row number here (the statement sees the dataset
    // as it was before the update, so an existing number is read from there).
    await sql`
      with assigned as (
        update datasets set search_rowid = nextval('datasets_search_rowid_seq') where id = ${doc.datasetId} and search_rowid is null returning search_rowid)
      insert into datasets_fts (dataset_id, search_rowid, document)
      values (
        ${doc.datasetId},
        coalesce((select search_rowid from assigned), (select search_rowid from datasets where id = ${doc.datasetId})),
        ${weightedDocument(doc.title, keywords, doc.publisher, doc.description)})
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

/**
 * Indexes datasets just inserted, in bulk (bulk declarations and imports), inside the caller's
 * transaction. On SQLite each dataset's `search_rowid` must already be set ({@link
 * nextSearchRowids} gives them), and each row goes through one prepared statement on the
 * transaction's connection: multi-row statements of a few hundred rows took twice as long,
 * most of it in building and parsing them.
 */
export async function indexNewDatasets(db: Db, trx: Kysely<Database>, docs: (SearchDocument & { searchRowid: number | null })[]): Promise<void> {
  if (docs.length === 0) return
  if (db.engine === 'postgres') {
    // One statement for the whole batch, each column an array: a statement per 200 datasets
    // cost more in round trips than PostgreSQL's own work of indexing them.
    const column = (of: (d: SearchDocument) => string) => sql`${docs.map(of)}::text[]`
    await sql`
      insert into datasets_fts (dataset_id, search_rowid, document)
      select v.id, v.search_rowid, ${weightedDocument(sql.ref('v.title'), sql.ref('v.keywords'), sql.ref('v.publisher'), sql.ref('v.description'))}
      from unnest(${column((d) => d.datasetId)}, ${docs.map((d) => d.searchRowid)}::integer[], ${column((d) => d.title)}, ${column((d) => d.keywords.join(' '))}, ${column((d) => d.publisher)}, ${column((d) => d.description)})
        as v (id, search_rowid, title, keywords, publisher, description)
      on conflict (dataset_id) do update set document = excluded.document`.execute(trx)
    return
  }
  const insert = db.sqlite!.prepare('insert into datasets_fts (rowid, dataset_id, title, description, keywords, publisher) values (?, ?, ?, ?, ?, ?)')
  for (const d of docs) insert.run(d.searchRowid, d.datasetId, d.title, d.description, d.keywords.join(' '), d.publisher)
}

/**
 * Indexes datasets just inserted on PostgreSQL through a transaction's own connection (see
 * {@link startOwnTransaction}), for imports: each document's tsvector is worked out on another
 * connection of the pool, outside the transaction (it depends on nothing stored), and its text
 * copied into the index with the batch's other writes, held back ({@link OwnConnection.hold}).
 * PostgreSQL turns one batch's words into lexemes on one core while it stores the previous batch
 * on the other: `to_tsvector` was a third of its work in an import, and the rest waited for it.
 */
export async function indexNewDatasetsAlongside(db: Db, connection: OwnConnection, docs: (SearchDocument & { searchRowid: number | null })[]): Promise<void> {
  if (docs.length === 0) return
  const column = (of: (d: SearchDocument) => string) => sql`${docs.map(of)}::text[]`
  const { rows } = await sql<{ document: string }>`
    select (${weightedDocument(sql.ref('v.title'), sql.ref('v.keywords'), sql.ref('v.publisher'), sql.ref('v.description'))})::text as document
    from unnest(${column((d) => d.title)}, ${column((d) => d.keywords.join(' '))}, ${column((d) => d.publisher)}, ${column((d) => d.description)}) with ordinality
      as v (title, keywords, publisher, description, n)
    order by v.n`.execute(db.kysely)
  let text = ''
  for (let i = 0; i < docs.length; i++) text += `${copyField(docs[i]!.datasetId)}\t${copyField(docs[i]!.searchRowid)}\t${copyField(rows[i]!.document)}\n`
  connection.hold([{ sql: copyFrom('datasets_fts', ['dataset_id', 'search_rowid', 'document']), rows: text }])
}

/**
 * The full-text row numbers `count` new datasets will have, to be stored with them. On SQLite,
 * the FTS5 rowids after the last (only safe inside the writing transaction); on PostgreSQL, from
 * the sequence, on a connection of the pool: a sequence is not undone with a transaction, and the
 * transaction's own connection may be busy with writes held back and sent ahead.
 */
export async function nextSearchRowids(db: Db, trx: Kysely<Database>, count: number): Promise<number[]> {
  if (db.engine === 'postgres') {
    const { rows } = await sql<{ n: number }>`select nextval('datasets_search_rowid_seq')::integer as n from generate_series(1, ${count})`.execute(db.kysely)
    return rows.map((r) => Number(r.n))
  }
  const row = (await sql<{ last: number | null }>`select rowid as last from datasets_fts order by rowid desc limit 1`.execute(trx)).rows[0]
  const first = Number(row?.last ?? 0) + 1
  return Array.from({ length: count }, (_, i) => first + i)
}

/** Title counts most, then keywords and publisher, then description. */
function weightedDocument(title: unknown, keywords: unknown, publisher: unknown, description: unknown) {
  return sql`
    setweight(to_tsvector('english', ${title}), 'A') ||
    setweight(to_tsvector('english', ${keywords}), 'B') ||
    setweight(to_tsvector('english', ${publisher}), 'B') ||
    setweight(to_tsvector('english', ${description}), 'C')`
}
