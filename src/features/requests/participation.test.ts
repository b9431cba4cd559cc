import { beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { ASKED, errorOf, fieldsOf, POTHOLES } from '../../../test/support/requests.js'
import type { Actor } from '../../platform/actor.js'
import { auditHistory } from '../../platform/audit.js'
import { ConflictError, NotFoundError } from '../../platform/errors.js'
import type { Db } from '../../db/connection.js'
import type { Services } from '../../services.js'
import { RequestParticipation } from './participation.js'
import { RequestService } from './service.js'

type User = Awaited<ReturnType<typeof makeUser>>

describeEachEngine('data request participation', (ctx) => {
  let services: Services
  let db: Db
  /** The service under test, on a clock the tests move. */
  let participation: RequestParticipation
  /** For asking, and reading back, the requests taken part in, on the same clock. */
  let requests: RequestService
  let now: Date
  let requester: User
  let supporter: User
  let plain: User
  let traffordEditor: User
  let traffordId: string

  beforeAll(async () => {
    ;({ services, db } = ctx())
    now = ASKED
    participation = new RequestParticipation(db, () => now)
    requests = new RequestService(db, services.organisations, () => now)
    traffordId = (await seedCouncils(services)).trafford!.id
    requester = await makeUser(services, { name: 'Rita Requester' })
    supporter = await makeUser(services, { name: 'Sam Supporter' })
    plain = await makeUser(services, { name: 'Pat Plain' })
    traffordEditor = await makeUser(services, { org: 'trafford', role: 'editor', name: 'Tom Trafford' })
  })

  function ask(input: Record<string, string> = POTHOLES, who: Actor = requester.actor) {
    now = ASKED
    return requests.create(who, input)
  }

  // ---- support and follows ----

  it('counts one support per account, keeping the count in step', async () => {
    const request = await ask()
    expect(await participation.support(supporter.actor, request.id)).toBe(2)
    await expect(participation.support(supporter.actor, request.id)).rejects.toBeInstanceOf(ConflictError)
    await expect(participation.support(requester.actor, request.id)).rejects.toBeInstanceOf(ConflictError)
    expect((await requests.get(request.id)).supportCount).toBe(2)
    expect(await participation.unsupport(requester.actor, request.id)).toBe(1)
    await expect(participation.unsupport(requester.actor, request.id)).rejects.toBeInstanceOf(ConflictError)
    expect(await participation.support(plain.actor, request.id)).toBe(2)
    const rows = await db.kysely.selectFrom('request_supports').select('user_id').where('request_id', '=', request.id).execute()
    expect(rows.map((r) => r.user_id).sort()).toEqual([supporter.userId, plain.userId].sort())
    expect((await participation.viewerOf(supporter.actor, await requests.get(request.id))).supporting).toBe(true)
    // Who supports is not in the request's public history.
    const history = await auditHistory(db.kysely, 'request', request.id, { page: 1, pageSize: 20 })
    expect(history.items.map((e) => e.action)).toEqual(['request.create'])
    const supportLog = await auditHistory(db.kysely, 'request-support', request.id, { page: 1, pageSize: 20 })
    expect(supportLog.items.map((e) => e.action)).toEqual(['request.support', 'request.unsupport', 'request.support'])
  })

  it('follows and unfollows, once each', async () => {
    const request = await ask()
    await participation.follow(supporter.actor, request.id)
    await expect(participation.follow(supporter.actor, request.id)).rejects.toBeInstanceOf(ConflictError)
    expect((await participation.viewerOf(supporter.actor, request)).following).toBe(true)
    await participation.unfollow(supporter.actor, request.id)
    await expect(participation.unfollow(supporter.actor, request.id)).rejects.toBeInstanceOf(ConflictError)
    expect((await participation.viewerOf(supporter.actor, request)).following).toBe(false)
    await expect(participation.follow(supporter.actor, 'no-such-request')).rejects.toBeInstanceOf(NotFoundError)
  })

  // ---- comments ----

  it('lets anyone signed in comment, and the body hide a comment keeping its text, who, when and why', async () => {
    const request = await ask()
    expect(fieldsOf(await errorOf(participation.comment(plain.actor, request.id, '   ')))).toEqual(['comment'])
    expect(fieldsOf(await errorOf(participation.comment(plain.actor, request.id, 'x'.repeat(5001))))).toEqual(['comment'])
    now = new Date('2026-03-20T11:00:00Z')
    const kept = await participation.comment(supporter.actor, request.id, 'Please include the date each was reported.')
    now = new Date('2026-03-20T11:05:00Z')
    const rude = await participation.comment(plain.actor, request.id, 'My neighbour Joe at 4 Acacia Avenue is to blame.')
    expect(fieldsOf(await errorOf(participation.hideComment(traffordEditor.actor, request.id, rude.id, ' ')))).toEqual(['reason'])

    now = new Date('2026-03-23T12:00:00Z')
    await participation.hideComment(traffordEditor.actor, request.id, rude.id, 'It names a private individual')
    await expect(participation.hideComment(traffordEditor.actor, request.id, rude.id, 'Again')).rejects.toBeInstanceOf(ConflictError)
    await expect(participation.hideComment(traffordEditor.actor, request.id, 'no-such-comment', 'x')).rejects.toBeInstanceOf(NotFoundError)

    const comments = await participation.comments(await requests.get(request.id))
    expect(comments.map((c) => [c.authorName, c.body, c.hidden])).toEqual([
      ['Sam Supporter', 'Please include the date each was reported.', null],
      ['Pat Plain', null, { at: '2026-03-23T12:00:00.000Z', by: 'Trafford Metropolitan Borough Council', reason: 'It names a private individual' }],
    ])
    const row = await db.kysely.selectFrom('request_comments').selectAll().where('id', '=', rude.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ body: 'My neighbour Joe at 4 Acacia Avenue is to blame.', hidden_by: traffordId, hidden_reason: 'It names a private individual' })
    const log = await auditHistory(db.kysely, 'request-comment', rude.id, { page: 1, pageSize: 5 })
    expect(log.items.map((e) => [e.action, e.actor])).toEqual([
      ['request.comment-hide', 'Tom Trafford'],
      ['request.comment', 'Pat Plain'],
    ])
    expect(log.items[0]!.after).toMatchObject({ hidden_reason: 'It names a private individual', body: 'My neighbour Joe at 4 Acacia Avenue is to blame.' })
    // The hidden text is not in the public history of the request.
    const publicHistory = JSON.stringify(await services.audit.history('request', request.id, { page: 1, pageSize: 50 }))
    expect(publicHistory).not.toContain('Acacia')
    expect(kept.id).not.toBe(rude.id)
  })
})
