import type { Kysely } from 'kysely'
import type SQLite from 'better-sqlite3'
import type { Db } from '../../db/connection.js'
import { nowIso } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { auditRow, recordAudits, type AuditEntry } from '../../platform/audit.js'
import type { NewAssetRow } from './model.js'
import { AssetRepository } from './repository.js'
import { indexAssets, searchDocument, type SearchableAsset } from './search/full-text.js'

/**
 * Writes an import's new assets, their full-text entries and their audit events.
 *
 * On SQLite each row goes through one prepared statement on the connection the import's
 * transaction began on: better-sqlite3 is synchronous and SQLite has the one connection, so the
 * rows land inside that transaction. Building and parsing a 25,000-parameter statement for every
 * 500 rows cost more than SQLite's own work of inserting them. PostgreSQL keeps multi-row
 * statements, where each round trip is what costs.
 */
export class ImportWriter {
  private readonly sqlite: SQLite.Database | undefined
  private readonly statements = new Map<string, SQLite.Statement>()

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly db: Db,
    private readonly actor: Actor,
  ) {
    this.sqlite = db.engine === 'sqlite' ? db.sqlite : undefined
  }

  /** Inserts the rows; answers each new asset's id by its code. */
  async insertAssets(rows: NewAssetRow[]): Promise<Map<string, number>> {
    if (!this.sqlite || rows.length === 0) return new AssetRepository(this.trx).insertMany(rows)
    const columns = Object.keys(rows[0]!) as (keyof NewAssetRow)[]
    const insert = this.statement(`insert into assets (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)
    const ids = new Map<string, number>()
    const values: unknown[] = new Array(columns.length)
    for (const row of rows) {
      for (let c = 0; c < columns.length; c++) values[c] = row[columns[c]!] ?? null
      ids.set(row.asset_code, Number(insert.run(values).lastInsertRowid))
    }
    return ids
  }

  /** Puts new and changed assets into the full-text index. */
  async index(rows: SearchableAsset[]): Promise<void> {
    if (!this.sqlite) return indexAssets(this.trx, this.db.engine, rows)
    const insert = this.statement('insert or replace into assets_fts (rowid, document) values (?, ?)')
    for (const row of rows) insert.run(Number(row.id), searchDocument(row))
  }

  async audit(entries: AuditEntry[]): Promise<void> {
    if (!this.sqlite || entries.length === 0) return recordAudits(this.trx, this.actor, entries)
    const occurredAt = nowIso()
    const first = auditRow(this.actor, entries[0]!, occurredAt)
    const columns = Object.keys(first) as (keyof typeof first)[]
    const insert = this.statement(`insert into audit_log (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)
    const values: unknown[] = new Array(columns.length)
    for (const entry of entries) {
      const row = auditRow(this.actor, entry, occurredAt)
      for (let c = 0; c < columns.length; c++) values[c] = row[columns[c]!]
      insert.run(values)
    }
  }

  private statement(text: string): SQLite.Statement {
    let statement = this.statements.get(text)
    if (!statement) {
      statement = this.sqlite!.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }
}
