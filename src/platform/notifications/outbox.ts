import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { NotificationFailure, type NotificationLog, type Notifier, type OutgoingNotification } from './notifier.js'

/*
 * The outbox: a change writes its messages in its own transaction, so a message exists exactly
 * when the change does; the dispatcher sends them afterwards and retries what fails. Nothing is
 * lost when the sender is down, and nobody is told of a change that was rolled back.
 */

/** After this many failed sends a message is given up on (its last error is kept). */
export const MAX_ATTEMPTS = 10
/** `next_attempt_at` of a message given up on: later than any real time, so never due. */
export const GAVE_UP = '9999-12-31T00:00:00.000Z'
/** How long a dispatcher holds the messages it is sending before another may try them. */
const LEASE_MS = 5 * 60_000
const FIRST_RETRY_MS = 60_000
const LONGEST_RETRY_MS = 24 * 60 * 60_000
const MAX_ERROR_LENGTH = 1000

/** Puts messages in the outbox, in the caller's transaction. The same message to the same address is written once. */
export async function enqueueNotifications(k: Kysely<Database>, messages: readonly OutgoingNotification[], now: Date = new Date()): Promise<number> {
  const seen = new Set<string>()
  const at = now.toISOString()
  const rows = []
  for (const m of messages) {
    const recipient = m.recipient.trim()
    const key = `${recipient.toLowerCase()}\u0000${m.subject}\u0000${m.reference}`
    if (!recipient || seen.has(key)) continue
    seen.add(key)
    rows.push({ recipient, subject: m.subject, body: m.body, reference: m.reference, created_at: at, next_attempt_at: at, attempts: 0, sent_at: null, last_error: null })
  }
  for (let i = 0; i < rows.length; i += 100) await k.insertInto('notification_outbox').values(rows.slice(i, i + 100)).execute()
  return rows.length
}

/** The wait before the next try after `attempts` failures: a minute, doubling, at most a day. */
export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1))
}

export interface DispatchResult {
  sent: number
  /** Failed this time and will be tried again. */
  failed: number
  /** Failed for good: refused as wrong, or after {@link MAX_ATTEMPTS} tries. */
  gaveUp: number
}

/**
 * Sends the messages that are due, oldest first, at most `limit` of them. Each is claimed before
 * it is sent (its next attempt moved past a lease), so two dispatchers (two app servers) never
 * send the same message at the same time.
 */
export async function dispatchDue(k: Kysely<Database>, notifier: Notifier, options: { now?: () => Date; limit?: number } = {}): Promise<DispatchResult> {
  const clock = options.now ?? (() => new Date())
  const result: DispatchResult = { sent: 0, failed: 0, gaveUp: 0 }
  const due = await k
    .selectFrom('notification_outbox')
    .selectAll()
    .where('sent_at', 'is', null)
    .where('next_attempt_at', '<=', clock().toISOString())
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(options.limit ?? 100)
    .execute()
  for (const row of due) {
    const leaseUntil = new Date(clock().getTime() + LEASE_MS).toISOString()
    const claimed = await k
      .updateTable('notification_outbox')
      .set({ next_attempt_at: leaseUntil })
      .where('id', '=', row.id)
      .where('sent_at', 'is', null)
      .where('next_attempt_at', '=', row.next_attempt_at)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) continue
    const attempts = row.attempts + 1
    try {
      await notifier.send({ recipient: row.recipient, subject: row.subject, body: row.body, reference: row.reference })
      await k.updateTable('notification_outbox').set({ sent_at: clock().toISOString(), attempts, last_error: null }).where('id', '=', row.id).execute()
      result.sent++
    } catch (error) {
      const permanent = error instanceof NotificationFailure && error.permanent
      const giveUp = permanent || attempts >= MAX_ATTEMPTS
      const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH)
      const next = giveUp ? GAVE_UP : new Date(clock().getTime() + retryDelayMs(attempts)).toISOString()
      await k.updateTable('notification_outbox').set({ attempts, last_error: message, next_attempt_at: next }).where('id', '=', row.id).execute()
      if (giveUp) result.gaveUp++
      else result.failed++
    }
  }
  return result
}

/** Sends everything due now, a batch at a time (for `lgds notifications send`). */
export async function dispatchAllDue(k: Kysely<Database>, notifier: Notifier, batch = 100): Promise<DispatchResult> {
  const total: DispatchResult = { sent: 0, failed: 0, gaveUp: 0 }
  for (;;) {
    const r = await dispatchDue(k, notifier, { limit: batch })
    total.sent += r.sent
    total.failed += r.failed
    total.gaveUp += r.gaveUp
    if (r.sent + r.failed + r.gaveUp < batch) return total
  }
}

/**
 * Runs the dispatcher every `intervalMs` until stopped. A run never overlaps the one before, and
 * a failing run (the database away) is logged and tried again next time.
 */
export function startDispatcher(k: Kysely<Database>, notifier: Notifier, options: { intervalMs: number; log: NotificationLog }): { stop(): Promise<void> } {
  let running: Promise<void> | undefined
  const tick = () => {
    if (running) return
    running = dispatchDue(k, notifier)
      .then((r) => {
        if (r.sent + r.failed + r.gaveUp > 0) options.log.info({ ...r, notifier: notifier.name }, 'notifications dispatched')
      })
      .catch((error: unknown) => options.log.warn({ err: error }, 'notification dispatch failed; will try again'))
      .finally(() => {
        running = undefined
      })
  }
  const timer = setInterval(tick, options.intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
