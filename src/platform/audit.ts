import type { Kysely } from 'kysely'
import type { BulkInsert } from '../db/bulk-insert.js'
import type { Database } from '../db/schema.js'
import { actorLabel, type Actor } from './actor.js'
import { nowIso } from '../db/dialect.js'
import type { Page, PageRequest } from './pagination.js'

export interface AuditEntry {
  organisationId: string | null
  action: string
  entityType: string
  entityId: string
  before?: unknown
  after?: unknown
}

export interface AuditEvent {
  id: number
  occurredAt: string
  actor: string
  organisationId: string | null
  action: string
  entityType: string
  entityId: string
  before: unknown
  after: unknown
}

/** Fields never copied into the log, whatever record they appear on. */
const SECRET_FIELDS = new Set(['password_hash', 'passwordHash', 'token_hash', 'tokenHash', 'password', 'token'])

/**
 * Appends one event. Call it inside the transaction that makes the change, so the change and its
 * record land together or not at all. Nothing ever updates or deletes these rows.
 */
export async function recordAudit(db: Kysely<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values(auditRow(actor, entry)).execute()
}

/**
 * Appends many events in few statements (bulk imports); like `recordAudit`, inside the change's
 * transaction. With the import's {@link BulkInsert}, in the quickest way the engine has.
 */
export async function recordAudits(db: Kysely<Database>, actor: Actor, entries: AuditEntry[], bulk?: BulkInsert): Promise<void> {
  const occurredAt = nowIso()
  const rows = entries.map((entry) => auditRow(actor, entry, occurredAt))
  if (bulk) {
    await bulk.rows('audit_log', rows, { arrays: false })
    return
  }
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('audit_log').values(rows.slice(i, i + 200)).execute()
}

/** The `audit_log` row of an event (for writers that insert it themselves, like bulk imports). */
export function auditRow(actor: Actor, entry: AuditEntry, occurredAt = nowIso()) {
  return {
    occurred_at: occurredAt,
    actor_user_id: actor.kind === 'user' ? actor.userId : null,
    actor_token_id: actor.kind === 'token' ? actor.tokenId : null,
    actor_label: actorLabel(actor),
    organisation_id: entry.organisationId,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    before_json: entry.before === undefined ? null : redactedJson(entry.before),
    after_json: entry.after === undefined ? null : redactedJson(entry.after),
    request_id: actor.requestId ?? null,
  }
}

export async function auditHistory(
  db: Kysely<Database>,
  entityType: string,
  entityId: string,
  page: PageRequest,
): Promise<Page<AuditEvent>> {
  const base = db.selectFrom('audit_log').where('entity_type', '=', entityType).where('entity_id', '=', entityId)
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      occurredAt: r.occurred_at,
      actor: r.actor_label,
      organisationId: r.organisation_id,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      before: r.before_json === null ? null : JSON.parse(r.before_json),
      after: r.after_json === null ? null : JSON.parse(r.after_json),
    })),
    total: Number(count.n),
    page: page.page,
    pageSize: page.pageSize,
  }
}

/** The record as JSON without its secret fields, at any depth (in the one pass that writes it: imports log thousands of rows). */
function redactedJson(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (SECRET_FIELDS.has(key) ? undefined : v))
}

/** The fields that differ between two versions of a record, for "History" tables. */
export function changedFields(before: unknown, after: unknown): { field: string; from: unknown; to: unknown }[] {
  const b = (before ?? {}) as Record<string, unknown>
  const a = (after ?? {}) as Record<string, unknown>
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !/^(updated_at|updatedAt)$/.test(k))
  return keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ field: k, from: b[k], to: a[k] }))
}
