import { sql, type Kysely } from 'kysely'
import type SQLite from 'better-sqlite3'
import type { Db } from '../../db/connection.js'
import { nowIso } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { auditRow, recordAudits, type AuditEntry } from '../../platform/audit.js'
import type { NewAssetRow } from './model.js'
import { searchDocument, type SearchableAsset } from './search/full-text.js'

/**
 * Writes an import's new assets, their full-text entries and their audit events.
 *
 * On SQLite each row goes through one prepared statement on the connection the import's
 * transaction began on: better-sqlite3 is synchronous and SQLite has the one connection, so the
 * rows land inside that transaction. Building and parsing a 25,000-parameter statement for every
 * 500 rows cost more than SQLite's own work of inserting them. On PostgreSQL each column of a
 * batch goes as one array and `unnest` turns the arrays back into rows: a statement of fifty
 * parameters instead of twenty-five thousand, which PostgreSQL parses and plans in no time.
 */
export class ImportWriter {
  private readonly sqlite: SQLite.Database | undefined
  private readonly statements = new Map<string, SQLite.Statement>()
  private readonly pgTypes = new Map<string, Map<string, string>>()

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly db: Db,
    private readonly actor: Actor,
  ) {
    this.sqlite = db.engine === 'sqlite' ? db.sqlite : undefined
  }

  /** Inserts the rows; answers each new asset's id by its code. */
  async insertAssets(rows: NewAssetRow[]): Promise<Map<string, number>> {
    if (rows.length === 0) return new Map()
    if (!this.sqlite) {
      const inserted = await this.unnestInsert('assets', rows as unknown as Record<string, unknown>[], ['id', 'asset_code'])
      return new Map(inserted.map((r) => [String(r.asset_code), Number(r.id)]))
    }
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
    if (!this.sqlite) {
      if (rows.length === 0) return
      await sql`
        insert into assets_fts (asset_id, document)
        select u.id, to_tsvector('english', u.document) from unnest(${rows.map((r) => Number(r.id))}::bigint[], ${rows.map(searchDocument)}::text[]) as u (id, document)
        on conflict (asset_id) do update set document = excluded.document`.execute(this.trx)
      return
    }
    const insert = this.statement('insert or replace into assets_fts (rowid, document) values (?, ?)')
    for (const row of rows) insert.run(Number(row.id), searchDocument(row))
  }

  async audit(entries: AuditEntry[]): Promise<void> {
    // PostgreSQL keeps multi-row statements here: as arrays, the events' JSON would be escaped
    // twice over, which cost more than the statements' parameters.
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

  /** PostgreSQL: inserts the rows as one array per column; answers the columns asked for. */
  private async unnestInsert(table: 'assets', rows: Record<string, unknown>[], returning: string[]): Promise<Record<string, unknown>[]> {
    const types = await this.columnTypes(table)
    const columns = Object.keys(rows[0]!)
    const arrays = columns.map((c) => sql`${rows.map((r) => r[c] ?? null)}::${sql.raw(types.get(c)!)}[]`)
    const names = sql.join(columns.map((c) => sql.id(c)))
    const query = sql<Record<string, unknown>>`insert into ${sql.id(table)} (${names}) select * from unnest(${sql.join(arrays)})${returning.length ? sql` returning ${sql.join(returning.map((c) => sql.id(c)))}` : sql``}`
    return (await query.execute(this.trx)).rows
  }

  /** Each column's type as PostgreSQL names it (`text`, `bigint`, `double precision`…), read from the table itself. */
  private async columnTypes(table: string): Promise<Map<string, string>> {
    let types = this.pgTypes.get(table)
    if (!types) {
      const { rows } = await sql<{ column_name: string; data_type: string }>`
        select column_name, data_type from information_schema.columns where table_name = ${table} and table_schema = current_schema()`.execute(this.trx)
      types = new Map(rows.map((r) => [r.column_name, r.data_type]))
      this.pgTypes.set(table, types)
    }
    return types
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
