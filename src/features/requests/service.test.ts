import { beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { ASKED, errorOf, fieldsOf, POTHOLES } from '../../../test/support/requests.js'
import { anonymous, type Actor, type TokenActor } from '../../platform/actor.js'
import { auditHistory } from '../../platform/audit.js'
import { ConflictError, ForbiddenError, UnauthenticatedError } from '../../platform/errors.js'
import type { Db } from '../../db/connection.js'
import type { Services } from '../../services.js'
import { DECLINE_REASONS, REQUEST_STATUSES } from './model.js'
import { AnswerBody, DataRequest as DataRequestSchema } from './schemas.js'
import { RequestParticipation } from './participation.js'
import { RequestService } from './service.js'

const GRITTING = { title: 'Gritting routes', description: 'The roads the council grits in winter.', themes: ['TRAN'], frequency: 'annual' }

type User = Awaited<ReturnType<typeof makeUser>>

/** Everything a write could change about a request, to show a refused write changed nothing. */
async function snapshot(db: Db, requestId: string) {
  const k = db.kysely
  const [request, supports, follows, comments, audit] = await Promise.all([
    k.selectFrom('data_requests').selectAll().where('id', '=', requestId).executeTakeFirst(),
    k.selectFrom('request_supports').select(['user_id']).where('request_id', '=', requestId).orderBy('user_id').execute(),
    k.selectFrom('request_follows').select(['user_id']).where('request_id', '=', requestId).orderBy('user_id').execute(),
    k.selectFrom('request_comments').selectAll().where('request_id', '=', requestId).orderBy('id').execute(),
    k.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { request, supports, follows, comments, audit: Number(audit.n) }
}

describeEachEngine('data requests', (ctx) => {
  let services: Services
  let db: Db
  /** The service under test, on a clock the tests move. */
  let requests: RequestService
  /** Supporting and commenting, where a test needs them, on the same clock. */
  let participation: RequestParticipation
  let now: Date
  let requester: User
  let supporter: User
  let plain: User
  let traffordEditor: User
  let manchesterEditor: User
  let platformAdmin: User
  let datasets: { declared: string; published: string; withdrawn: string; manchester: string }
  let releases: { trafford: string; traffordCancelled: string; manchester: string }
  let traffordId: string
  let writeToken: TokenActor
  let readToken: TokenActor

  // 20 working days after ASKED (Friday 20 March 2026), skipping Good Friday and Easter Monday.
  const DUE = '2026-04-21'

  beforeAll(async () => {
    ;({ services, db } = ctx())
    now = ASKED
    requests = new RequestService(db, services.organisations, () => now)
    participation = new RequestParticipation(db, () => now)
    const councils = await seedCouncils(services)
    traffordId = councils.trafford!.id
    requester = await makeUser(services, { name: 'Rita Requester' })
    supporter = await makeUser(services, { name: 'Sam Supporter' })
    plain = await makeUser(services, { name: 'Pat Plain' })
    traffordEditor = await makeUser(services, { org: 'trafford', role: 'editor', name: 'Tom Trafford' })
    manchesterEditor = await makeUser(services, { org: 'manchester', role: 'admin', name: 'Mo Manchester' })
    platformAdmin = await makeUser(services, { platformAdmin: true, name: 'Ada Admin' })
    writeToken = { kind: 'token', tokenId: 'tw', tokenName: 'writer', organisationId: traffordId, scope: 'write' }
    readToken = { kind: 'token', tokenId: 'tr', tokenName: 'reader', organisationId: traffordId, scope: 'read' }

    const e = traffordEditor.actor
    const declared = await services.datasets.declare(e, 'trafford', GRITTING)
    const release = await services.datasets.addRelease(e, declared.id, { plannedDate: '2027-03' })
    const cancelled = await services.datasets.addRelease(e, declared.id, { plannedDate: '2027-09' })
    await services.datasets.updateRelease(e, cancelled.id, { state: 'cancelled' })
    const published = await services.datasets.declare(e, 'trafford', { ...GRITTING, title: 'Street lights' })
    await services.datasets.addDistribution(e, published.id, { title: 'Lights', downloadUrl: 'https://data.trafford.gov.uk/lights.csv', format: 'csv' })
    const withdrawn = await services.datasets.declare(e, 'trafford', { ...GRITTING, title: 'Old bins' })
    await services.datasets.withdraw(e, withdrawn.id, 'Replaced', withdrawn.version)
    const manchester = await services.datasets.declare(manchesterEditor.actor, 'manchester', { ...GRITTING, title: 'Manchester gritting' })
    const manchesterRelease = await services.datasets.addRelease(manchesterEditor.actor, manchester.id, { plannedDate: '2027-04' })
    datasets = { declared: declared.id, published: published.id, withdrawn: withdrawn.id, manchester: manchester.id }
    releases = { trafford: release.id, traffordCancelled: cancelled.id, manchester: manchesterRelease.id }
  })

  function ask(input: Record<string, string> = POTHOLES, who: Actor = requester.actor) {
    now = ASKED
    return requests.create(who, input)
  }

  // ---- asking ----

  it('records a request for new data, due in 20 working days, supported and followed by the requester', async () => {
    const request = await ask()
    expect(request).toMatchObject({
      kind: 'new',
      title: 'Potholes reported and repaired',
      reason: 'To see which roads wait longest.',
      status: 'submitted',
      organisation: { slug: 'trafford' },
      requesterName: 'Rita Requester',
      dueDate: DUE,
      answeredAt: null,
      overdue: false,
      supportCount: 1,
    })
    const viewer = await participation.viewerOf(requester.actor, request)
    expect(viewer).toMatchObject({ supporting: true, following: true, canAnswer: false, canModerate: false })
    const history = await auditHistory(db.kysely, 'request', request.id, { page: 1, pageSize: 5 })
    expect(history.items.map((e) => [e.action, e.actor])).toEqual([['request.create', 'Rita Requester']])
    expect(services.audit.isPublic('request')).toBe(true)
  })

  it('asks for an early release: the dataset’s body is asked, and a second open request is refused', async () => {
    const request = await ask({ kind: 'early-release', dataset: datasets.declared, reason: 'The winter starts before March.' })
    expect(request).toMatchObject({
      kind: 'early-release',
      title: 'Early release of “Gritting routes”',
      description: 'Publish “Gritting routes” before its planned release.',
      organisation: { id: traffordId },
      dataset: { id: datasets.declared, title: 'Gritting routes', status: 'scheduled' },
    })
    expect(await requests.earlyReleaseTarget(datasets.declared)).toMatchObject({ existing: { id: request.id } })
    await expect(ask({ kind: 'early-release', dataset: datasets.declared, reason: 'Me too' }, supporter.actor)).rejects.toBeInstanceOf(ConflictError)
    expect((await requests.listForDataset(datasets.declared)).map((r) => r.id)).toContain(request.id)
  })

  it('names every missing or wrong field, and refuses early release of published, withdrawn or unknown datasets', async () => {
    expect(fieldsOf(await errorOf(ask({})))).toEqual(['kind', 'reason'])
    expect(fieldsOf(await errorOf(ask({ kind: 'new', organisation: 'atlantis', reason: 'x'.repeat(5001) })))).toEqual(['description', 'organisation', 'reason', 'title'])
    expect(fieldsOf(await errorOf(ask({ kind: 'new', title: 't'.repeat(201), description: 'd', reason: 'r' })))).toEqual(['title'])
    expect(fieldsOf(await errorOf(ask({ kind: 'early-release', reason: 'r' })))).toEqual(['dataset'])
    for (const dataset of [datasets.published, datasets.withdrawn, 'no-such-dataset', "'; drop table datasets; --"]) {
      expect(fieldsOf(await errorOf(ask({ kind: 'early-release', dataset, reason: 'r' })))).toEqual(['dataset'])
    }
    expect(await requests.earlyReleaseTarget(datasets.published)).toMatchObject({ refusal: expect.stringContaining('already published') })
    expect(await requests.earlyReleaseTarget('no-such-dataset')).toBeUndefined()
  })

  // ---- answering ----

  it('moves submitted → acknowledged → scheduled → fulfilled, recording when it was first answered', async () => {
    const request = await ask()
    now = new Date('2026-03-24T09:00:00Z')
    const acknowledged = await requests.answer(traffordEditor.actor, request.id, { status: 'acknowledged', response: 'We are looking into it.' })
    expect(acknowledged).toMatchObject({ status: 'acknowledged', answeredAt: '2026-03-24T09:00:00.000Z', answeredOnTime: true, response: 'We are looking into it.' })

    now = new Date('2026-04-02T09:00:00Z')
    const scheduled = await requests.answer(traffordEditor.actor, request.id, { status: 'scheduled', release: releases.trafford })
    expect(scheduled).toMatchObject({ status: 'scheduled', answeredAt: '2026-03-24T09:00:00.000Z', response: null, release: { id: releases.trafford, datasetId: datasets.declared, datasetTitle: 'Gritting routes', label: 'March 2027', state: 'provisional' } })

    const fulfilled = await requests.answer(writeToken, request.id, { status: 'fulfilled', dataset: datasets.published, response: 'Published with the street lights.' })
    expect(fulfilled).toMatchObject({ status: 'fulfilled', fulfilledDataset: { id: datasets.published, title: 'Street lights' }, release: { id: releases.trafford }, answeredAt: '2026-03-24T09:00:00.000Z' })
    await expect(participation.support(plain.actor, request.id)).rejects.toBeInstanceOf(ConflictError)

    const history = await auditHistory(db.kysely, 'request', request.id, { page: 1, pageSize: 20 })
    expect(history.items.map((e) => [e.action, e.actor])).toEqual([
      ['request.fulfilled', 'API token “writer”'],
      ['request.scheduled', 'Tom Trafford'],
      ['request.acknowledged', 'Tom Trafford'],
      ['request.create', 'Rita Requester'],
    ])
    expect((await requests.listForDataset(datasets.published)).map((r) => r.id)).toContain(request.id)
  })

  it('declines with a reason from the list and a required explanation', async () => {
    const request = await ask()
    expect(fieldsOf(await errorOf(requests.answer(traffordEditor.actor, request.id, { status: 'declined' })))).toEqual(['declineReason', 'response'])
    expect(fieldsOf(await errorOf(requests.answer(traffordEditor.actor, request.id, { status: 'declined', declineReason: 'too-busy', response: 'No' })))).toEqual(['declineReason'])
    expect((await requests.get(request.id)).status).toBe('submitted')
    const declined = await requests.answer(traffordEditor.actor, request.id, { status: 'declined', declineReason: 'not-held', response: 'Highways are the county’s.' })
    expect(declined).toMatchObject({ status: 'declined', declineReason: 'not-held', declineReasonLabel: 'The body does not hold this data', response: 'Highways are the county’s.' })
  })

  it('refuses transitions the workflow does not allow', async () => {
    const request = await ask()
    expect(fieldsOf(await errorOf(requests.answer(traffordEditor.actor, request.id, { status: 'submitted' })))).toEqual(['status'])
    expect(fieldsOf(await errorOf(requests.answer(traffordEditor.actor, request.id, {})))).toEqual(['status'])
    await requests.answer(traffordEditor.actor, request.id, { status: 'acknowledged' })
    await expect(requests.answer(traffordEditor.actor, request.id, { status: 'acknowledged' })).rejects.toBeInstanceOf(ConflictError)
    await requests.answer(traffordEditor.actor, request.id, { status: 'scheduled', release: releases.trafford })
    await expect(requests.answer(traffordEditor.actor, request.id, { status: 'acknowledged' })).rejects.toBeInstanceOf(ConflictError)
    await expect(requests.answer(traffordEditor.actor, request.id, { status: 'scheduled', release: releases.trafford })).rejects.toBeInstanceOf(ConflictError)
    await requests.answer(traffordEditor.actor, request.id, { status: 'declined', declineReason: 'disproportionate-cost', response: 'The survey was cancelled.' })
    for (const status of ['acknowledged', 'scheduled', 'fulfilled', 'declined']) {
      await expect(requests.answer(traffordEditor.actor, request.id, { status, release: releases.trafford, dataset: datasets.declared, declineReason: 'other', response: 'x' })).rejects.toBeInstanceOf(ConflictError)
    }
    expect(await requests.get(request.id)).toMatchObject({ status: 'declined', release: null, declineReason: 'disproportionate-cost' })
  })

  it('links only a planned release or an available dataset of the body’s own', async () => {
    const request = await ask()
    const before = await snapshot(db, request.id)
    for (const release of [releases.manchester, releases.traffordCancelled, 'no-such-release', undefined]) {
      expect(fieldsOf(await errorOf(requests.answer(traffordEditor.actor, request.id, { status: 'scheduled', release })))).toEqual(['release'])
    }
    for (const dataset of [datasets.manchester, datasets.withdrawn, 'no-such-dataset', undefined]) {
      expect(fieldsOf(await errorOf(requests.answer(traffordEditor.actor, request.id, { status: 'fulfilled', dataset })))).toEqual(['dataset'])
    }
    expect(await snapshot(db, request.id)).toEqual(before)
    const options = await requests.answerOptions(request)
    expect(options.releases.map((r) => r.id)).toEqual([releases.trafford])
    expect(options.releases[0]!.text).toBe('Gritting routes: March 2027 (provisional)')
    expect(options.datasets.map((d) => d.id).sort()).toEqual([datasets.declared, datasets.published].sort())
  })

  // ---- overdue ----

  it('is overdue from the working day after its due date until it is answered', async () => {
    const quiet = await makeUser(services, { org: 'leeds', name: 'Lee Leeds' })
    const request = await ask({ ...POTHOLES, organisation: 'leeds' })
    const leeds = request.organisation!.id
    now = new Date(`${DUE}T22:30:00Z`) // 23:30 in London, still the due date
    expect((await requests.get(request.id)).overdue).toBe(false)
    expect(await requests.overdueCountFor(leeds)).toBe(0)

    now = new Date('2026-04-21T23:30:00Z') // 00:30 on the 22nd in London
    expect((await requests.get(request.id)).overdue).toBe(true)
    expect(await requests.overdueCountFor(leeds)).toBe(1)
    const overdue = await requests.list({ status: 'overdue', body: 'leeds' }, { page: 1, pageSize: 10 })
    expect(overdue.items.map((r) => r.id)).toEqual([request.id])

    const late = await requests.answer(quiet.actor, request.id, { status: 'acknowledged' })
    expect(late).toMatchObject({ overdue: false, answeredOnTime: false })
    expect(await requests.overdueCountFor(leeds)).toBe(0)
  })

  // ---- requests with no body yet ----

  it('lets a platform administrator send a request with no body to one, restarting its 20 working days', async () => {
    const request = await ask({ kind: 'new', title: 'Bus shelter adverts', description: 'Income from adverts on bus shelters', reason: 'Curious' })
    expect(request.organisation).toBeNull()
    const comment = await participation.comment(plain.actor, request.id, 'Spam spam spam')
    await participation.hideComment(platformAdmin.actor, request.id, comment.id, 'Advertising')
    expect((await participation.comments(request))[0]!.hidden).toMatchObject({ by: 'the platform administrators', reason: 'Advertising' })

    await expect(requests.answer(platformAdmin.actor, request.id, { status: 'acknowledged' })).rejects.toBeInstanceOf(ConflictError)
    await expect(requests.answer(traffordEditor.actor, request.id, { status: 'acknowledged' })).rejects.toBeInstanceOf(ForbiddenError)
    expect(fieldsOf(await errorOf(requests.assign(platformAdmin.actor, request.id, 'atlantis')))).toEqual(['organisation'])

    now = new Date('2026-12-14T10:00:00Z')
    const assigned = await requests.assign(platformAdmin.actor, request.id, 'manchester')
    expect(assigned).toMatchObject({ organisation: { slug: 'manchester' }, dueDate: '2027-01-14', status: 'submitted' })
    await expect(requests.assign(platformAdmin.actor, request.id, 'trafford')).rejects.toBeInstanceOf(ConflictError)
    expect((await requests.answer(manchesterEditor.actor, request.id, { status: 'acknowledged' })).status).toBe('acknowledged')
    const history = await auditHistory(db.kysely, 'request', request.id, { page: 1, pageSize: 5 })
    expect(history.items.map((e) => e.action)).toEqual(['request.acknowledged', 'request.assign', 'request.create'])
  })

  // ---- who may do what ----

  it('refuses every write to those who may not make it, changing nothing', async () => {
    const request = await ask()
    const comment = await participation.comment(supporter.actor, request.id, 'A comment')
    const unassigned = await ask({ kind: 'new', title: 'Nobody’s data', description: 'd', reason: 'r' })
    const unassignedComment = await participation.comment(supporter.actor, unassigned.id, 'Another comment')
    const before = await snapshot(db, request.id)
    const beforeUnassigned = await snapshot(db, unassigned.id)
    const requestCount = async () => Number((await db.kysely.selectFrom('data_requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const count = await requestCount()

    // Anyone signed in may ask, support, follow and comment; nobody anonymous may.
    for (const write of [
      () => requests.create(anonymous, POTHOLES),
      () => participation.support(anonymous, request.id),
      () => participation.unsupport(anonymous, request.id),
      () => participation.follow(anonymous, request.id),
      () => participation.unfollow(anonymous, request.id),
      () => participation.comment(anonymous, request.id, 'Hello'),
      () => requests.answer(anonymous, request.id, { status: 'acknowledged' }),
      () => participation.hideComment(anonymous, request.id, comment.id, 'Because'),
      () => requests.assign(anonymous, unassigned.id, 'trafford'),
    ]) {
      await expect(write()).rejects.toBeInstanceOf(UnauthenticatedError)
    }
    // Tokens act for a body, never as a person.
    for (const write of [() => requests.create(writeToken, POTHOLES), () => participation.support(writeToken, request.id), () => participation.comment(writeToken, request.id, 'Hi')]) {
      await expect(write()).rejects.toBeInstanceOf(UnauthenticatedError)
    }
    // Answering and hiding need the body; a plain account, another body's admin or a read token are refused.
    for (const who of [plain.actor, manchesterEditor.actor, readToken, requester.actor]) {
      await expect(requests.answer(who, request.id, { status: 'acknowledged' })).rejects.toBeInstanceOf(ForbiddenError)
      await expect(requests.answer(who, request.id, { status: 'declined', declineReason: 'other', response: 'No' })).rejects.toBeInstanceOf(ForbiddenError)
      await expect(participation.hideComment(who, request.id, comment.id, 'Because')).rejects.toBeInstanceOf(ForbiddenError)
    }
    // Sending a request to a body is for platform administrators only, not a body's own people.
    for (const who of [plain.actor, traffordEditor.actor, manchesterEditor.actor, writeToken]) {
      await expect(requests.assign(who, unassigned.id, 'trafford')).rejects.toBeInstanceOf(ForbiddenError)
      await expect(participation.hideComment(who, unassigned.id, unassignedComment.id, 'Because')).rejects.toBeInstanceOf(ForbiddenError)
    }
    expect(await snapshot(db, request.id)).toEqual(before)
    expect(await snapshot(db, unassigned.id)).toEqual(beforeUnassigned)
    expect(await requestCount()).toBe(count)
  })

  // ---- finding requests ----

  it('searches, filters, sorts by support and pages', async () => {
    const a = await ask({ kind: 'new', title: 'Zebra crossings', description: 'Every zebra crossing and its lights', reason: 'Safety', organisation: 'manchester' })
    const b = await ask({ kind: 'new', title: 'Crossing patrols', description: 'Where the lollipop people stand', reason: 'Safety', organisation: 'manchester' })
    await participation.support(supporter.actor, b.id)
    await participation.support(plain.actor, b.id)
    now = new Date('2026-03-20T11:00:00Z')
    const c = await requests.create(requester.actor, { kind: 'new', title: 'Zebra paint', description: 'Paint used on CROSSINGS', reason: 'Cost', organisation: 'manchester' })

    const byWords = await requests.list({ q: 'zebra crossing', body: 'manchester' }, { page: 1, pageSize: 10 })
    expect(byWords.items.map((r) => r.id).sort()).toEqual([a.id, c.id].sort())
    const newest = await requests.list({ body: 'manchester', q: 'crossing' }, { page: 1, pageSize: 10 })
    expect(newest.items[0]!.id).toBe(c.id)
    const supported = await requests.list({ body: 'manchester', q: 'crossing', sort: 'supported' }, { page: 1, pageSize: 10 })
    expect(supported.items.map((r) => [r.title, r.supportCount])).toEqual([
      ['Crossing patrols', 3],
      ['Zebra paint', 1],
      ['Zebra crossings', 1],
    ])
    const paged = await requests.list({ body: 'manchester', q: 'crossing', sort: 'supported' }, { page: 2, pageSize: 2 })
    expect(paged).toMatchObject({ total: 3, page: 2, pageSize: 2 })
    expect(paged.items.map((r) => r.id)).toEqual([a.id])
    expect((await requests.list({ body: 'atlantis' }, { page: 1, pageSize: 10 })).total).toBe(0)
    expect((await requests.list({ q: '100%_' }, { page: 1, pageSize: 10 })).total).toBe(0)
    await requests.answer(manchesterEditor.actor, a.id, { status: 'acknowledged' })
    const acknowledged = await requests.list({ body: 'manchester', status: 'acknowledged', q: 'crossing' }, { page: 1, pageSize: 10 })
    expect(acknowledged.items.map((r) => r.id)).toEqual([a.id])
    const forBody = await requests.listForOrganisation(a.organisation!.id, { page: 1, pageSize: 100 })
    expect(forBody.items.map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id, c.id]))
    expect(forBody.items.every((r) => r.organisation?.slug === 'manchester')).toBe(true)
  })

  it('keeps the API schema’s codes in step with the model', () => {
    const answerStatuses = (AnswerBody.properties.status.anyOf as { const: string }[]).map((s) => s.const)
    expect(answerStatuses).toEqual(REQUEST_STATUSES.map((s) => s.code).filter((c) => c !== 'submitted'))
    const statuses = (DataRequestSchema.properties.status.anyOf as { const: string }[]).map((s) => s.const)
    expect(statuses).toEqual(REQUEST_STATUSES.map((s) => s.code))
    const reasons = (AnswerBody.properties.declineReason.anyOf as { const: string }[]).map((s) => s.const)
    expect(reasons).toEqual(DECLINE_REASONS.map((r) => r.code))
  })
})
