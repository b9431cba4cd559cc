import { sql, type Insertable, type Kysely } from 'kysely'
import type SQLite from 'better-sqlite3'
import type { Db } from './connection.js'
import { copyField, copyFrom, quoted, send } from './pg-copy.js'
import { ownConnection, type OwnConnection } from './pg-transaction.js'
import type { Database } from './schema.js'

type Row = Record<string, unknown>

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>()
const columnTypes = new WeakMap<Db, Map<string, Map<string, string>>>()
const sequenceNames = new WeakMap<Db, Map<string, string>>()

/**
 * Inserts many rows inside the caller's transaction, the quickest way each engine has. Imports
 * write tens of thousands of rows, and building one statement of thousands of parameters per
 * few hundred rows cost more than the database's own work of storing them.
 *
 * - SQLite: one prepared statement run per row, on the connection the transaction began on
 *   (better-sqlite3 is synchronous and SQLite has one connection, so the rows land inside it).
 * - PostgreSQL, in a transaction on a connection of its own ({@link startOwnTransaction}): COPY,
 *   which PostgreSQL reads with no statement to parse or plan. COPY answers no ids: the ids asked
 *   for are taken from the table's sequence first and copied with the rows.
 * - PostgreSQL otherwise: each column as one array, turned back into rows by `unnest`: a
 *   statement with a parameter per column, which PostgreSQL parses and plans at once. Text-heavy
 *   rows (JSON documents) go as multi-row statements instead (`arrays: false`): inside an array
 *   literal their quotes would be escaped again, which costs more than the parameters.
 */
export class BulkInsert {
  private readonly connection: OwnConnection | undefined

  /**
   * With `holdBack`, on a transaction of its own the rows are not sent at once but held back to go
   * with the next statements ({@link OwnConnection.hold}): rows() answers without waiting for them.
   */
  constructor(
    private readonly db: Db,
    private readonly trx: Kysely<Database>,
    private readonly options: { holdBack?: boolean } = {},
  ) {
    this.connection = db.engine === 'postgres' ? ownConnection(trx) : undefined
  }

  async rows<T extends keyof Database & string>(table: T, rows: readonly Insertable<Database[T]>[], options: { returning?: string[]; arrays?: boolean } = {}): Promise<Row[]> {
    if (rows.length === 0) return []
    const list = rows as readonly Row[]
    const columns = Object.keys(list[0]!)
    const returning = options.returning ?? []
    if (this.db.engine === 'sqlite' && this.db.sqlite) return this.sqliteRows(table, columns, list, returning)
    if (this.connection && returning.every((c) => c === 'id' || columns.includes(c))) return this.copied(this.connection, table, columns, list, returning)
    if (options.arrays === false) return this.multiRow(table, columns, list, returning)
    const types = await this.typesOf(table)
    const arrays = columns.map((c) => sql`${list.map((r) => r[c] ?? null)}::${sql.raw(types.get(c) ?? 'text')}[]`)
    const names = sql.join(columns.map((c) => sql.id(c)))
    const back = returning.length > 0 ? sql` returning ${sql.join(returning.map((c) => sql.id(c)))}` : sql``
    return (await sql<Row>`insert into ${sql.id(table)} (${names}) select * from unnest(${sql.join(arrays)})${back}`.execute(this.trx)).rows
  }

  private sqliteRows(table: string, columns: string[], rows: readonly Row[], returning: string[]): Row[] {
    // What the caller gave comes back as given and the id from the insert itself: quicker than RETURNING.
    const echoed = returning.every((c) => c === 'id' || columns.includes(c))
    const back = returning.length > 0 && !echoed ? ` returning ${returning.map(quoted).join(', ')}` : ''
    const statement = this.prepared(`insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) values (${columns.map(() => '?').join(', ')})${back}`)
    const values: unknown[] = new Array(columns.length)
    const out: Row[] = []
    for (const row of rows) {
      for (let c = 0; c < columns.length; c++) values[c] = row[columns[c]!] ?? null
      if (returning.length === 0) statement.run(values)
      else if (!echoed) out.push(statement.get(values) as Row)
      else {
        const id = statement.run(values).lastInsertRowid
        out.push(Object.fromEntries(returning.map((c) => [c, c === 'id' && !columns.includes('id') ? Number(id) : row[c]])))
      }
    }
    return out
  }

  private async copied(connection: OwnConnection, table: string, columns: string[], rows: readonly Row[], returning: string[]): Promise<Row[]> {
    const ids = returning.includes('id') && !columns.includes('id') ? await this.nextIds(table, rows.length) : undefined
    let text = ''
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!
      let line = ids ? `${ids[r]}\t` : ''
      for (let c = 0; c < columns.length; c++) line += (c === 0 ? '' : '\t') + copyField(row[columns[c]!])
      text += line + '\n'
    }
    const copy = { sql: copyFrom(table, ids ? ['id', ...columns] : columns), rows: text }
    if (this.options.holdBack) connection.hold([copy])
    else await connection.run((client) => send(client, [copy]))
    if (returning.length === 0) return []
    return rows.map((row, r) => Object.fromEntries(returning.map((c) => [c, c === 'id' && ids ? ids[r] : row[c]])))
  }

  /** New ids from the sequence behind the table's `id` column. */
  private async nextIds(table: string, count: number): Promise<number[]> {
    let sequences = sequenceNames.get(this.db)
    if (!sequences) sequenceNames.set(this.db, (sequences = new Map()))
    let sequence = sequences.get(table)
    if (!sequence) {
      const found = await sql<{ name: string }>`select pg_get_serial_sequence(${table}, 'id') as name`.execute(this.trx)
      sequences.set(table, (sequence = found.rows[0]!.name))
    }
    // Named as a literal, the sequence is looked up once per statement rather than once per id.
    const { rows } = await sql<{ id: number }>`select nextval(${sql.lit(sequence)}) as id from generate_series(1, ${count})`.execute(this.trx)
    return rows.map((r) => Number(r.id))
  }

  private async multiRow(table: string, columns: string[], rows: readonly Row[], returning: string[]): Promise<Row[]> {
    // PostgreSQL takes at most 65,535 parameters a statement.
    const perStatement = Math.max(1, Math.floor(30_000 / columns.length))
    const out: Row[] = []
    for (let i = 0; i < rows.length; i += perStatement) {
      const values = rows.slice(i, i + perStatement).map((r) => sql`(${sql.join(columns.map((c) => r[c] ?? null))})`)
      const back = returning.length > 0 ? sql` returning ${sql.join(returning.map((c) => sql.id(c)))}` : sql``
      out.push(...(await sql<Row>`insert into ${sql.id(table)} (${sql.join(columns.map((c) => sql.id(c)))}) values ${sql.join(values)}${back}`.execute(this.trx)).rows)
    }
    return out
  }

  private prepared(text: string): SQLite.Statement {
    const sqlite = this.db.sqlite!
    let cache = statements.get(sqlite)
    if (!cache) statements.set(sqlite, (cache = new Map()))
    let statement = cache.get(text)
    if (!statement) cache.set(text, (statement = sqlite.prepare(text)))
    return statement
  }

  /** Each column's type as PostgreSQL names it (`text`, `bigint`, `double precision`…), read from the table itself. */
  private async typesOf(table: string): Promise<Map<string, string>> {
    let tables = columnTypes.get(this.db)
    if (!tables) columnTypes.set(this.db, (tables = new Map()))
    let types = tables.get(table)
    if (!types) {
      const { rows } = await sql<{ column_name: string; data_type: string }>`
        select column_name, data_type from information_schema.columns where table_name = ${table} and table_schema = current_schema()`.execute(this.trx)
      types = new Map(rows.map((r) => [r.column_name, r.data_type]))
      tables.set(table, types)
    }
    return types
  }
}

