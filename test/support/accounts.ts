import { createHash } from 'node:crypto'
import { expect } from 'vitest'
import type { Db } from '../../src/db/connection.js'
import { ValidationError } from '../../src/platform/errors.js'

/* Helpers for the account service tests. */

export async function auditFor(db: Db, entityType: string, entityId: string) {
  const rows = await db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    ...r,
    before: r.before_json === null ? null : (JSON.parse(r.before_json) as Record<string, unknown>),
    after: r.after_json === null ? null : (JSON.parse(r.after_json) as Record<string, unknown>),
  }))
}

export async function fieldsOf(promise: Promise<unknown>): Promise<Record<string, string>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ValidationError)
  return Object.fromEntries((error as ValidationError).fields.map((f) => [f.name, f.message]))
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export const SCRYPT_HASH = /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/
