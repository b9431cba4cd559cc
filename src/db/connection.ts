import { mkdirSync } from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { createRequire } from 'node:module'
import type PgModule from 'pg'
import { Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely'
import type { Database } from './schema.js'

export type Engine = 'sqlite' | 'postgres'

export interface Db {
  kysely: Kysely<Database>
  engine: Engine
  /** The SQLite file and handle, when on SQLite (for online backups). */
  sqliteFile?: string
  sqlite?: SQLite.Database
  /** The PostgreSQL schema worked in, when not the default. */
  pgSchema?: string
  /** The PostgreSQL pool and Kysely's query log, for work that needs a connection to itself (COPY: see pg-transaction.ts). */
  pg?: { pool: PgModule.Pool; log?: (event: LogEvent) => void }
  close(): Promise<void>
}

export interface ConnectOptions {
  /** `postgres://…`; when absent, SQLite at `sqliteFile`. */
  databaseUrl?: string
  sqliteFile?: string
  /** PostgreSQL schema to work in (tests use one each, so runs never collide). */
  pgSchema?: string
  /** Sees every query run (benchmarks replay them as their floor). */
  log?: (event: LogEvent) => void
}

let pgModule: typeof PgModule | undefined

/** The PostgreSQL driver, loaded on first use: a SQLite installation never pays for it. */
function postgresDriver(): typeof PgModule {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof PgModule
    // PostgreSQL's bigint and numeric arrive as strings by default; the platform's counts and
    // amounts fit in a double, so read them as numbers as SQLite does.
    pgModule.types.setTypeParser(20, (value) => Number(value))
    pgModule.types.setTypeParser(1700, (value) => Number(value))
  }
  return pgModule
}

export function connect(options: ConnectOptions): Db {
  if (options.databaseUrl) {
    const pg = postgresDriver()
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    })
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.log ? { log: options.log } : {}) })
    const pgOptions = { pool, ...(options.log ? { log: options.log } : {}) }
    return { kysely, engine: 'postgres', ...(options.pgSchema ? { pgSchema: options.pgSchema } : {}), pg: pgOptions, close: () => kysely.destroy() }
  }
  const file = options.sqliteFile ?? ':memory:'
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true })
  const database = new SQLite(file)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  database.pragma('synchronous = NORMAL')
  database.pragma(`cache_size = -${CACHE_KB}`)
  database.pragma('temp_store = MEMORY')
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }), ...(options.log ? { log: options.log } : {}) })
  return { kysely, engine: 'sqlite', sqliteFile: file, sqlite: database, close: () => kysely.destroy() }
}

/** SQLite's page cache while serving: pages read for a search or a catalogue stay in the operating system's cache too. */
const CACHE_KB = 16 * 1024
/**
 * While importing: the default 2 MB (or even 16 MB) made bulk writes into a large catalogue read
 * the same index pages again and again (new rows land all over indexes keyed by random ids).
 */
const IMPORT_CACHE_KB = 64 * 1024

/**
 * Runs an import with SQLite's larger page cache, and gives the memory back after: a server
 * holds the small cache except while someone imports.
 */
export async function withImportCache<T>(db: Db, work: () => Promise<T>): Promise<T> {
  if (db.engine !== 'sqlite' || !db.sqlite) return work()
  db.sqlite.pragma(`cache_size = -${IMPORT_CACHE_KB}`)
  try {
    return await work()
  } finally {
    db.sqlite.pragma(`cache_size = -${CACHE_KB}`)
  }
}

/** True when the database answers a trivial query. */
export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db.kysely)
    return true
  } catch {
    return false
  }
}

const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely prepares every query afresh; preparing costs more than running most of them. The same
 * SQL text gets the same prepared statement (SQLite re-prepares it itself if the schema changes).
 * Statements are never shared between two queries at once: Kysely runs one query at a time on
 * SQLite's single connection.
 */
function withStatementCache(database: SQLite.Database) {
  const statements = new Map<string, SQLite.Statement>()
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = statements.get(text)
      if (statement) {
        statements.delete(text)
      } else {
        statement = database.prepare(text)
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!)
      }
      statements.set(text, statement)
      return statement
    },
  }
}
