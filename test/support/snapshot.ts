import type { Db } from '../../src/db/connection.js'

/** Every row that a write could touch (sessions aside), in a stable order, to prove nothing changed. */
export async function snapshot(db: Db) {
  const k = db.kysely
  const [users, memberships, tokens, audit, organisations] = await Promise.all([
    k.selectFrom('users').selectAll().orderBy('id').execute(),
    k.selectFrom('memberships').selectAll().orderBy('id').execute(),
    k.selectFrom('api_tokens').selectAll().orderBy('id').execute(),
    k.selectFrom('audit_log').selectAll().orderBy('id').execute(),
    k.selectFrom('organisations').selectAll().orderBy('id').execute(),
  ])
  return { users, memberships, tokens, audit, organisations }
}
