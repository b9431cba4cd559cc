import type { Db } from './connection.js'

/**
 * One of something per database in this process, made on first use: the in-memory indexes and
 * caches that every page, the API and the exports of a database share.
 */
export function perDatabase<T>(make: (db: Db) => T): (db: Db) => T {
  const held = new WeakMap<Db, T>()
  return (db) => {
    let value = held.get(db)
    if (value === undefined) {
      value = make(db)
      held.set(db, value)
    }
    return value
  }
}
