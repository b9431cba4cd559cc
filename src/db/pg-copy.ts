import type { Connection, PoolClient, Submittable } from 'pg'

/** pg's connection writes COPY's messages too, though its types do not say so. */
type CopyingConnection = Connection & { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }

/** What COPY's text format must escape inside a value: its own escape, and its column and row separators. */
const SPECIAL = /[\\\t\n\r]/
const SPECIALS = /[\\\t\n\r]/g
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/**
 * One value as COPY's text format writes it: `\N` for null, and otherwise the text PostgreSQL
 * would read from a parameter (numbers and booleans as written, objects as JSON), with
 * backslashes, tabs and line breaks escaped. PostgreSQL parses the text by the column's type.
 */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  let text: string
  if (typeof value === 'string') text = value
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  else if (value instanceof Date) return value.toISOString()
  else if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`
  else text = JSON.stringify(value)
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPED[c]!) : text
}

/**
 * A statement of a {@link send}: a COPY … FROM STDIN has its rows, in COPY's text format (fields
 * by {@link copyField}, tab-separated, a line each), as text or already encoded.
 */
export interface Statement {
  sql: string
  rows?: string | Buffer
}

/** `copy table (columns) from stdin`, for a {@link Statement}. */
export function copyFrom(table: string, columns: readonly string[]): string {
  return `copy ${quoted(table)} (${columns.map(quoted).join(', ')}) from stdin`
}

/**
 * Sends statements as one query on the given connection, and so inside its transaction, with
 * each COPY's rows written right behind the query instead of when PostgreSQL asks for them. It
 * then runs them all without waiting on Node, which may be busy reading the next rows (waiting
 * for each COPY's go-ahead, as pg-copy-streams does, left PostgreSQL idle in between: twice the
 * time in the assets' COPY). Answers once all have run. The first failure rejects, skips the
 * rest and leaves the transaction aborted; PostgreSQL discards the rows sent for COPYs it did not
 * run, as its protocol has it do for a client still sending when a COPY fails.
 */
export function send(client: PoolClient, statements: readonly Statement[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const query: Submittable & Record<string, unknown> = {
      submit(connection: Connection) {
        const copying = connection as CopyingConnection
        copying.query(statements.map((s) => s.sql).join(';\n'))
        for (const { rows } of statements) {
          if (rows === undefined) continue
          if (rows.length > 0) copying.sendCopyFromChunk(typeof rows === 'string' ? Buffer.from(rows, 'utf8') : rows)
          copying.endCopyFrom()
        }
      },
      handleError: reject,
      handleReadyForQuery: () => resolve(),
      // Their rows are on their way already; nothing else of the answers matters.
      handleCopyInResponse() {},
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
    }
    client.query(query)
  })
}

export function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
