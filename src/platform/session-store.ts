import type { Kysely } from 'kysely'
import type { SessionStore } from '@fastify/session'
import type { Database } from '../db/schema.js'
import { sha256 } from './crypto.js'

type Callback = (error?: unknown) => void
type GetCallback = (error: unknown, session?: any) => void

const DEFAULT_TTL_MS = 8 * 60 * 60 * 1000

/**
 * Sessions live in the database, so any app server behind a load balancer can serve any
 * request. Rows are keyed by a hash of the session id: the id itself is never stored.
 */
export class DatabaseSessionStore implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  set(sessionId: string, session: any, callback: Callback): void {
    const expires = session?.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + DEFAULT_TTL_MS)
    const row = { id_hash: sha256(sessionId), data: JSON.stringify(session), expires_at: expires.toISOString() }
    this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('id_hash').doUpdateSet({ data: row.data, expires_at: row.expires_at }))
      .execute()
      .then(() => callback(), callback)
  }

  get(sessionId: string, callback: GetCallback): void {
    this.db
      .selectFrom('sessions')
      .select(['data', 'expires_at'])
      .where('id_hash', '=', sha256(sessionId))
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expires_at < new Date().toISOString()) return callback(null, null)
        callback(null, JSON.parse(row.data))
      }, callback)
  }

  destroy(sessionId: string, callback: Callback): void {
    this.db
      .deleteFrom('sessions')
      .where('id_hash', '=', sha256(sessionId))
      .execute()
      .then(() => callback(), callback)
  }

  /** Removes expired sessions; called now and then so the table does not grow for ever. */
  async prune(): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<', new Date().toISOString()).executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}
