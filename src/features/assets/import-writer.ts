import { sql, type Kysely } from 'kysely'
import type SQLite from 'better-sqlite3'
import type { Db } from '../../db/connection.js'
import { BulkInsert } from '../../db/bulk-insert.js'
import { copyField, copyFrom } from '../../db/pg-copy.js'
import { ownConnection, type OwnConnection } from '../../db/pg-transaction.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudits, type AuditEntry } from '../../platform/audit.js'
import type { NewAssetRow } from './model.js'
import { searchDocument, type SearchableAsset } from './search/full-text.js'

/**
 * PostgreSQL plans each batch's look-up of asset codes by what its statistics say of the body's
 * assets and their codes. Importing into a body with few, they said a few hundred: the look-up
 * read every asset the import had added so far, batch after batch (22 ms a batch at 100,000, and
 * growing: 70% more database time in 300,000 rows). Analysed inside the transaction,
 * the statistics count its own rows too: 1 ms. Analysing the two columns takes about 120 ms, so it
 * is done each time the import doubles in size. ANALYZE holds its lock on the table until the
 * import ends: another import that gets this far meanwhile waits for it.
 */
const FIRST_ANALYSIS = 10_000

/**
 * Writes an import's new assets, their full-text entries and their audit events, in bulk (see
 * {@link BulkInsert}). The full-text entries have their own statements: SQLite's index is a
 * virtual table that replaces an entry by rowid, PostgreSQL's is filled through `to_tsvector`.
 *
 * On PostgreSQL a batch's writes are held back and sent as one query once its audit events are
 * written ({@link OwnConnection.flush}): PostgreSQL stores them while Node reads the next rows.
 */
export class ImportWriter {
  private readonly sqlite: SQLite.Database | undefined
  private readonly bulk: BulkInsert
  private readonly connection: OwnConnection | undefined
  private indexEntry?: SQLite.Statement
  private documentsTable = false
  /** Assets this import has added, and how many it will have added when the table is next analysed. */
  private added = 0
  private analyseAt = FIRST_ANALYSIS

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly db: Db,
    private readonly actor: Actor,
  ) {
    this.sqlite = db.engine === 'sqlite' ? db.sqlite : undefined
    this.bulk = new BulkInsert(db, trx, { holdBack: true })
    this.connection = db.engine === 'postgres' ? ownConnection(trx) : undefined
  }

  /** Inserts the rows; answers each new asset's id by its code. */
  async insertAssets(rows: NewAssetRow[]): Promise<Map<string, number>> {
    const inserted = await this.bulk.rows('assets', rows, { returning: ['id', 'asset_code'] })
    this.added += rows.length
    if (this.connection && this.added >= this.analyseAt) {
      this.connection.hold([{ sql: 'analyze assets (organisation_id, asset_code)' }])
      this.analyseAt = this.added * 2
    }
    return new Map(inserted.map((r) => [String(r.asset_code), Number(r.id)]))
  }

  /** Puts new and changed assets into the full-text index. */
  async index(rows: SearchableAsset[]): Promise<void> {
    if (rows.length === 0) return
    if (this.connection) return this.indexCopied(this.connection, rows)
    if (!this.sqlite) {
      await sql`
        insert into assets_fts (asset_id, document)
        select u.id, to_tsvector('english', u.document) from unnest(${rows.map((r) => Number(r.id))}::bigint[], ${rows.map(searchDocument)}::text[]) as u (id, document)
        on conflict (asset_id) do update set document = excluded.document`.execute(this.trx)
      return
    }
    this.indexEntry ??= this.sqlite.prepare('insert or replace into assets_fts (rowid, document) values (?, ?)')
    for (const row of rows) this.indexEntry.run(Number(row.id), searchDocument(row))
  }

  /**
   * PostgreSQL, with COPY: the documents are copied into a table of the transaction's own, then
   * indexed from there (COPY cannot call `to_tsvector`).
   */
  private async indexCopied(connection: OwnConnection, rows: SearchableAsset[]): Promise<void> {
    if (!this.documentsTable) {
      await sql`create temporary table import_documents (asset_id bigint, document text) on commit drop`.execute(this.trx)
      this.documentsTable = true
    }
    let text = ''
    for (const row of rows) text += `${Number(row.id)}\t${copyField(searchDocument(row))}\n`
    connection.hold([
      { sql: copyFrom('import_documents', ['asset_id', 'document']), rows: text },
      {
        sql: `insert into assets_fts (asset_id, document)
          select asset_id, to_tsvector('english', document) from import_documents
          on conflict (asset_id) do update set document = excluded.document`,
      },
      { sql: 'truncate import_documents' },
    ])
  }

  async audit(entries: AuditEntry[]): Promise<void> {
    await recordAudits(this.trx, this.actor, entries, this.bulk)
    // The batch's last write: send them all.
    this.connection?.flush()
  }
}
