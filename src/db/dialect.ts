import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'
import type { Engine } from './connection.js'

/*
 * The few places where SQLite and PostgreSQL differ, named so features never branch on the
 * engine themselves.
 */

/** Case-insensitive substring match (`ILIKE` on PostgreSQL; `LIKE` already is on SQLite). */
export function containsIgnoringCase(engine: Engine, column: Expression<unknown>, text: string): RawBuilder<SqlBool> {
  const pattern = `%${escapeLike(text.toLowerCase())}%`
  return engine === 'postgres'
    ? sql<SqlBool>`${column} ilike ${pattern} escape '\\'`
    : sql<SqlBool>`${column} like ${pattern} escape '\\'`
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** The driver's unique-constraint error, whichever engine raised it. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

export function nowIso(): string {
  return new Date().toISOString()
}
