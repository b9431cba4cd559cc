import type SQLite from 'better-sqlite3'
import type { Db } from './connection.js'

const statements = new WeakMap<SQLite.Database, { dataVersion: SQLite.Statement; totalChanges: SQLite.Statement }>()

/**
 * On SQLite, a stamp that moves whenever the database may have changed: `data_version` when
 * another connection (another process) commits, `total_changes()` when this one writes. Reading
 * both costs microseconds, where asking the tables for their latest change cost a tenth of a
 * millisecond on every search. A write rolled back moves it too, which only means one look too
 * many. Undefined on PostgreSQL, whose pool of connections has no such counter.
 */
export function changeStamp(db: Db): string | undefined {
  const sqlite = db.engine === 'sqlite' ? db.sqlite : undefined
  if (!sqlite) return undefined
  let prepared = statements.get(sqlite)
  if (!prepared) {
    prepared = { dataVersion: sqlite.prepare('pragma data_version').pluck(), totalChanges: sqlite.prepare('select total_changes()').pluck() }
    statements.set(sqlite, prepared)
  }
  return `${prepared.dataVersion.get() as number}:${prepared.totalChanges.get() as number}`
}
