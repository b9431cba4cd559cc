import { sql, type Kysely } from 'kysely'
import type SQLite from 'better-sqlite3'
import type { Db } from '../../db/connection.js'
import { BulkInsert } from '../../db/bulk-insert.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudits, type AuditEntry } from '../../platform/audit.js'
import type { NewAssetRow } from './model.js'
import { searchDocument, type SearchableAsset } from './search/full-text.js'

/**
 * Writes an import's new assets, their full-text entries and their audit events, in bulk (see
 * {@link BulkInsert}). The full-text entries have their own statements: SQLite's index is a
 * virtual table that replaces an entry by rowid, PostgreSQL's is filled through `to_tsvector`.
 */
export class ImportWriter {
  private readonly sqlite: SQLite.Database | undefined
  private readonly bulk: BulkInsert
  private indexEntry?: SQLite.Statement

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly db: Db,
    private readonly actor: Actor,
  ) {
    this.sqlite = db.engine === 'sqlite' ? db.sqlite : undefined
    this.bulk = new BulkInsert(db, trx)
  }

  /** Inserts the rows; answers each new asset's id by its code. */
  async insertAssets(rows: NewAssetRow[]): Promise<Map<string, number>> {
    const inserted = await this.bulk.rows('assets', rows, { returning: ['id', 'asset_code'] })
    return new Map(inserted.map((r) => [String(r.asset_code), Number(r.id)]))
  }

  /** Puts new and changed assets into the full-text index. */
  async index(rows: SearchableAsset[]): Promise<void> {
    if (!this.sqlite) {
      if (rows.length === 0) return
      await sql`
        insert into assets_fts (asset_id, document)
        select u.id, to_tsvector('english', u.document) from unnest(${rows.map((r) => Number(r.id))}::bigint[], ${rows.map(searchDocument)}::text[]) as u (id, document)
        on conflict (asset_id) do update set document = excluded.document`.execute(this.trx)
      return
    }
    this.indexEntry ??= this.sqlite.prepare('insert or replace into assets_fts (rowid, document) values (?, ?)')
    for (const row of rows) this.indexEntry.run(Number(row.id), searchDocument(row))
  }

  async audit(entries: AuditEntry[]): Promise<void> {
    await recordAudits(this.trx, this.actor, entries, this.bulk)
  }
}
