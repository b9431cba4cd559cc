import { mkdirSync } from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import pg from 'pg'
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

// PostgreSQL's bigint and numeric arrive as strings by default; the platform's counts and
// amounts fit in a double, so read them as numbers as SQLite does.
pg.types.setTypeParser(20, (value) => Number(value))
pg.types.setTypeParser(1700, (value) => Number(value))

export function connect(options: ConnectOptions): Db {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    })
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.log ? { log: options.log } : {}) })
    return { kysely, engine: 'postgres', ...(options.pgSchema ? { pgSchema: options.pgSchema } : {}), close: () => kysely.destroy() }
  }
  const file = options.sqliteFile ?? ':memory:'
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true })
  const database = new SQLite(file)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  database.pragma('synchronous = NORMAL')
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }), ...(options.log ? { log: options.log } : {}) })
  return { kysely, engine: 'sqlite', sqliteFile: file, sqlite: database, close: () => kysely.destroy() }
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
