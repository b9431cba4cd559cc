import { beforeEach, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { NotificationFailure, type Notifier, type OutgoingNotification } from './notifier.js'
import { dispatchAllDue, dispatchDue, enqueueNotifications, GAVE_UP, MAX_ATTEMPTS, retryDelayMs } from './outbox.js'

/** A notifier that remembers what it was given and fails as told. */
class FakeNotifier implements Notifier {
  readonly name = 'fake'
  sent: OutgoingNotification[] = []
  failWith: Error | undefined
  async send(notification: OutgoingNotification): Promise<void> {
    if (this.failWith) throw this.failWith
    this.sent.push(notification)
  }
}

const at = (iso: string) => () => new Date(iso)
const message = (recipient: string, subject = 'A request for your minibus'): OutgoingNotification => ({ recipient, subject, body: 'Body text', reference: 'share-request:1' })

it('waits a minute after the first failure, doubling each time, at most a day', () => {
  expect([1, 2, 3, 10, 20].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 60_000 * 512, 24 * 60 * 60_000])
})

describeEachEngine('the notification outbox', (ctx) => {
  let notifier: FakeNotifier

  beforeEach(async () => {
    await ctx().db.kysely.deleteFrom('notification_outbox').execute()
    notifier = new FakeNotifier()
  })

  const rows = () => ctx().db.kysely.selectFrom('notification_outbox').selectAll().orderBy('id').execute()

  it('writes each message once per address, and sends what is due, marking it sent', async () => {
    const k = ctx().db.kysely
    const written = await enqueueNotifications(k, [message('a@example.gov.uk'), message('A@example.gov.uk'), message('b@example.gov.uk'), message('  ')], new Date('2026-03-02T09:00:00Z'))
    expect(written).toBe(2)
    expect(await dispatchDue(k, notifier, { now: at('2026-03-02T08:59:00Z') })).toEqual({ sent: 0, failed: 0, gaveUp: 0 })
    expect(await dispatchDue(k, notifier, { now: at('2026-03-02T09:00:00Z') })).toEqual({ sent: 2, failed: 0, gaveUp: 0 })
    expect(notifier.sent.map((n) => n.recipient)).toEqual(['a@example.gov.uk', 'b@example.gov.uk'])
    expect(notifier.sent[0]).toEqual(message('a@example.gov.uk'))
    expect((await rows()).map((r) => [r.sent_at, r.attempts, r.last_error])).toEqual([
      ['2026-03-02T09:00:00.000Z', 1, null],
      ['2026-03-02T09:00:00.000Z', 1, null],
    ])
    expect(await dispatchDue(k, notifier, { now: at('2026-03-03T09:00:00Z') })).toEqual({ sent: 0, failed: 0, gaveUp: 0 })
  })

  it('keeps a failed message with its error and tries again after the backoff', async () => {
    const k = ctx().db.kysely
    await enqueueNotifications(k, [message('a@example.gov.uk')], new Date('2026-03-02T09:00:00Z'))
    notifier.failWith = new NotificationFailure('GOV.UK Notify answered 500', false)
    expect(await dispatchDue(k, notifier, { now: at('2026-03-02T09:00:00Z') })).toEqual({ sent: 0, failed: 1, gaveUp: 0 })
    let [row] = await rows()
    expect(row).toMatchObject({ sent_at: null, attempts: 1, last_error: 'GOV.UK Notify answered 500', next_attempt_at: '2026-03-02T09:01:00.000Z' })
    notifier.failWith = new Error('socket hang up')
    expect(await dispatchDue(k, notifier, { now: at('2026-03-02T09:00:30Z') })).toEqual({ sent: 0, failed: 0, gaveUp: 0 })
    expect(await dispatchDue(k, notifier, { now: at('2026-03-02T09:01:00Z') })).toEqual({ sent: 0, failed: 1, gaveUp: 0 })
    ;[row] = await rows()
    expect(row).toMatchObject({ attempts: 2, last_error: 'socket hang up', next_attempt_at: '2026-03-02T09:03:00.000Z' })
    notifier.failWith = undefined
    expect(await dispatchDue(k, notifier, { now: at('2026-03-02T09:03:00Z') })).toEqual({ sent: 1, failed: 0, gaveUp: 0 })
    ;[row] = await rows()
    expect(row).toMatchObject({ sent_at: '2026-03-02T09:03:00.000Z', attempts: 3, last_error: null })
  })

  it('gives up at once on a message refused as wrong, and after the last attempt on any other', async () => {
    const k = ctx().db.kysely
    await enqueueNotifications(k, [message('not-an-address')], new Date('2026-03-02T09:00:00Z'))
    notifier.failWith = new NotificationFailure('GOV.UK Notify answered 400: ValidationError: email_address Not a valid email address', true)
    expect(await dispatchDue(k, notifier, { now: at('2026-03-02T09:00:00Z') })).toEqual({ sent: 0, failed: 0, gaveUp: 1 })
    expect((await rows())[0]).toMatchObject({ sent_at: null, attempts: 1, next_attempt_at: GAVE_UP, last_error: expect.stringContaining('Not a valid email address') })

    await k.deleteFrom('notification_outbox').execute()
    await enqueueNotifications(k, [message('a@example.gov.uk')], new Date('2026-03-02T09:00:00Z'))
    notifier.failWith = new Error('Notify is down')
    let now = new Date('2026-03-02T09:00:00Z')
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await dispatchDue(k, notifier, { now: () => now })
      expect(result).toEqual(attempt < MAX_ATTEMPTS ? { sent: 0, failed: 1, gaveUp: 0 } : { sent: 0, failed: 0, gaveUp: 1 })
      now = new Date(now.getTime() + retryDelayMs(attempt))
    }
    expect((await rows())[0]).toMatchObject({ attempts: MAX_ATTEMPTS, next_attempt_at: GAVE_UP })
  })

  it('sends each message once when two dispatchers run at the same time', async () => {
    const k = ctx().db.kysely
    await enqueueNotifications(k, ['a', 'b', 'c', 'd'].map((n) => message(`${n}@example.gov.uk`)))
    const slow = new FakeNotifier()
    const send = slow.send.bind(slow)
    slow.send = async (n) => {
      await new Promise((resolve) => setImmediate(resolve))
      return send(n)
    }
    const [first, second] = await Promise.all([dispatchDue(k, slow), dispatchDue(k, slow)])
    expect(first.sent + second.sent).toBe(4)
    expect(slow.sent.map((n) => n.recipient).sort()).toEqual(['a@example.gov.uk', 'b@example.gov.uk', 'c@example.gov.uk', 'd@example.gov.uk'])
  })

  it('sends everything due in batches', async () => {
    const k = ctx().db.kysely
    await enqueueNotifications(k, Array.from({ length: 7 }, (_, i) => message(`p${i}@example.gov.uk`)))
    expect(await dispatchAllDue(k, notifier, 3)).toEqual({ sent: 7, failed: 0, gaveUp: 0 })
    expect(notifier.sent).toHaveLength(7)
  })
})
