import { todayInUk } from '../../platform/uk-date.js'
import { beforeAll, expect, it } from 'vitest'
import { describeEachEngine, type EngineContext } from '../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../test/support/fixtures.js'
import { newId } from '../../platform/crypto.js'
import { requestTimelinessByOrganisation } from '../requests/stats.js'

const DECLARATION = {
  description: 'Kept by the council and declared for the audit.',
  keywords: 'audit',
  themes: ['GOVE'],
  frequency: 'annual',
}

const FUTURE_DEADLINE = '2099-03-31'

/**
 * Three councils: Trafford with three live datasets (two open, one restricted), a withdrawn one,
 * one overdue release among others that are not; Manchester with one non-public dataset and an
 * overdue day release; Leeds with nothing. Requests answered on time, late, and not at all.
 */
async function seedDashboard(ctx: EngineContext) {
  const { services, db } = ctx
  const councils = await seedCouncils(services)
  // A body added by hand with nothing declared is not on the dashboard.
  await services.organisations.create(system, { name: 'Greater Manchester Fire', type: 'fire', nation: 'England' })
  const trafford = (await makeUser(services, { org: 'trafford', role: 'admin', name: 'Tess Trafford' }))
  const manchester = (await makeUser(services, { org: 'manchester', role: 'admin' })).actor
  const requester = await makeUser(services, { name: 'Rhea Requester' })

  const d = services.datasets
  const open1 = await d.declare(trafford.actor, 'trafford', { ...DECLARATION, title: 'Gritting routes' })
  await d.declare(trafford.actor, 'trafford', { ...DECLARATION, title: 'Parks' })
  await d.declare(trafford.actor, 'trafford', { ...DECLARATION, title: 'Contracts', accessLevel: 'restricted', accessReason: 'commercial-confidentiality', accessExplanation: 'Prices agreed in confidence' })
  const gone = await d.declare(trafford.actor, 'trafford', { ...DECLARATION, title: 'Old bins' })
  await d.addRelease(trafford.actor, open1.id, { plannedDate: '2020-Q1', state: 'confirmed' })
  await d.addRelease(trafford.actor, open1.id, { plannedDate: todayInUk().slice(0, 7), state: 'provisional' })
  await d.addRelease(trafford.actor, open1.id, { plannedDate: '2099-01', state: 'provisional' })
  const cancelled = await d.addRelease(trafford.actor, open1.id, { plannedDate: '2020-05', state: 'provisional' })
  await d.updateRelease(trafford.actor, cancelled.id, { state: 'cancelled' })
  // The overdue release of a withdrawn dataset no longer counts.
  await d.addRelease(trafford.actor, gone.id, { plannedDate: '2020-01', state: 'provisional' })
  await d.withdraw(trafford.actor, gone.id, 'Replaced', (await d.get(gone.id)).dataset.version)

  const registers = await d.declare(manchester, 'manchester', { ...DECLARATION, title: 'Register of carers', accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'Names and addresses' })
  await d.addRelease(manchester, registers.id, { plannedDate: '2021-06-15', state: 'provisional' })

  const request = (organisationId: string, dueDate: string, answeredAt: string | null) => ({
    id: newId(),
    kind: 'new',
    title: `Due ${dueDate}`,
    description: 'Please publish it',
    reason: null,
    organisation_id: organisationId,
    dataset_id: null,
    requester_id: requester.userId,
    requester_name: 'Rhea Requester',
    status: answeredAt ? 'acknowledged' : 'submitted',
    decline_reason: null,
    response: null,
    release_id: null,
    fulfilled_dataset_id: null,
    due_date: dueDate,
    answered_at: answeredAt,
    support_count: 0,
    created_at: '2019-12-01T09:00:00.000Z',
    updated_at: '2019-12-01T09:00:00.000Z',
  })
  const t = councils.trafford!.id
  const m = councils.manchester!.id
  await db.kysely
    .insertInto('data_requests')
    .values([
      request(t, '2020-01-10', '2020-01-09T10:00:00.000Z'), // on time
      request(t, '2020-01-10', '2020-01-15T10:00:00.000Z'), // late
      request(t, '2020-01-10', null), // unanswered and overdue: due, not on time
      request(t, '2099-01-01', null), // not due yet: not counted
      request(t, '2099-01-01', new Date().toISOString()), // answered early: on time
      request(t, '2020-02-10', '2020-02-01T08:00:00.000Z'), // on time
      // The last hour of a due date (UTC) is the next day in summer, the same day in winter.
      request(m, '2024-07-10', '2024-07-10T23:30:00.000Z'), // 00:30 BST on the 11th: late
      request(m, '2024-01-10', '2024-01-10T23:30:00.000Z'), // 23:30 GMT on the 10th: on time
    ])
    .execute()

  const round = await services.auditRounds.open(system, { year: 2030, deadline: FUTURE_DEADLINE })
  await services.auditRounds.signOff(trafford.actor, 'trafford', { reviewedInventory: 'yes', declaredMissing: 'yes' })
  return { councils, round, traffordAdmin: trafford }
}

describeEachEngine('audit dashboard', (ctx) => {
  let seeded: Awaited<ReturnType<typeof seedDashboard>>
  beforeAll(async () => {
    seeded = await seedDashboard(ctx())
  })

  it('counts requests due and answered on time per body, judging the due date in UK time', async () => {
    const stats = await requestTimelinessByOrganisation(ctx().db.kysely)
    expect(stats.get(seeded.councils.trafford!.id)).toEqual({ due: 5, answeredOnTime: 3 })
    expect(stats.get(seeded.councils.manchester!.id)).toEqual({ due: 2, answeredOnTime: 1 })
    expect(stats.has(seeded.councils.leeds!.id)).toBe(false)
  })

  it('adds the numbers up per body and overall', async () => {
    const dashboard = await ctx().services.auditRounds.dashboard()
    expect(dashboard.round?.id).toBe(seeded.round.id)
    expect(dashboard.sort).toBe('body')
    expect(dashboard.direction).toBe('asc')
    const rows = dashboard.rows.map((r) => ({
      slug: r.slug,
      signedOffBy: r.signoff?.signedOffByName ?? null,
      declared: r.declared,
      open: r.open,
      restricted: r.restricted,
      nonPublic: r.nonPublic,
      shareOpen: r.shareOpen,
      overdue: r.overdueReleases,
      due: r.requestsDue,
      onTime: r.requestsOnTime,
      shareOnTime: r.shareOnTime,
    }))
    expect(rows).toEqual([
      { slug: 'leeds', signedOffBy: null, declared: 0, open: 0, restricted: 0, nonPublic: 0, shareOpen: null, overdue: 0, due: 0, onTime: 0, shareOnTime: null },
      { slug: 'manchester', signedOffBy: null, declared: 1, open: 0, restricted: 0, nonPublic: 1, shareOpen: 0, overdue: 1, due: 2, onTime: 1, shareOnTime: 50 },
      { slug: 'trafford', signedOffBy: 'Tess Trafford', declared: 3, open: 2, restricted: 1, nonPublic: 0, shareOpen: 66.7, overdue: 1, due: 5, onTime: 3, shareOnTime: 60 },
    ])
    expect(dashboard.totals).toEqual({
      bodies: 3,
      signedOff: 1,
      declared: 4,
      open: 2,
      restricted: 1,
      nonPublic: 1,
      shareOpen: 50,
      overdueReleases: 2,
      requestsDue: 7,
      requestsOnTime: 4,
      shareOnTime: 57.1,
    })
  })

  it('sorts by any column either way, with empty values last and ties by name', async () => {
    const { auditRounds } = ctx().services
    const order = async (sort: string, direction?: string) => (await auditRounds.dashboard({ sort, direction })).rows.map((r) => r.slug)
    expect(await order('body', 'desc')).toEqual(['trafford', 'manchester', 'leeds'])
    expect(await order('declared')).toEqual(['trafford', 'manchester', 'leeds'])
    expect(await order('declared', 'asc')).toEqual(['leeds', 'manchester', 'trafford'])
    expect(await order('shareOpen', 'asc')).toEqual(['manchester', 'trafford', 'leeds'])
    expect(await order('shareOpen', 'desc')).toEqual(['trafford', 'manchester', 'leeds'])
    expect(await order('overdue')).toEqual(['manchester', 'trafford', 'leeds'])
    expect(await order('onTime')).toEqual(['trafford', 'manchester', 'leeds'])
    expect(await order('onTime', 'asc')).toEqual(['manchester', 'trafford', 'leeds'])
    expect(await order('signedOff', 'asc')).toEqual(['trafford', 'leeds', 'manchester'])
    const fallback = await auditRounds.dashboard({ sort: 'nonsense', direction: 'sideways' })
    expect([fallback.sort, fallback.direction]).toEqual(['body', 'asc'])
  })

  it('filters by nation and type, and shows an earlier round’s sign-offs when asked', async () => {
    const { services } = ctx()
    expect((await services.auditRounds.dashboard({ type: 'MD' })).rows.map((r) => r.slug)).toEqual(['leeds', 'manchester', 'trafford'])
    expect((await services.auditRounds.dashboard({ nation: 'Wales' })).rows).toEqual([])
    expect((await services.auditRounds.dashboard({ nation: 'Wales' })).totals).toMatchObject({ bodies: 0, declared: 0, shareOpen: null, shareOnTime: null })

    const admin = (await makeUser(services, { platformAdmin: true })).actor
    await services.auditRounds.close(admin, seeded.round.id)
    const next = await services.auditRounds.open(admin, { year: 2031, deadline: FUTURE_DEADLINE })
    const current = await services.auditRounds.dashboard()
    expect(current.round?.id).toBe(next.id)
    expect(current.totals.signedOff).toBe(0)
    const earlier = await services.auditRounds.dashboard({ roundId: seeded.round.id })
    expect(earlier.rows.find((r) => r.slug === 'trafford')?.signoff?.signedOffByName).toBe('Tess Trafford')
  })

  it('gives a body its own figures for its sign-off page', async () => {
    const { services } = ctx()
    const trafford = await services.organisations.getBySlug('trafford')
    const round = await services.auditRounds.get(seeded.round.id)
    expect(await services.auditRounds.inventory(trafford, round)).toMatchObject({ slug: 'trafford', declared: 3, open: 2, overdueReleases: 1, requestsDue: 5, requestsOnTime: 3 })
    const fire = await services.organisations.getBySlug('greater-manchester-fire')
    expect(await services.auditRounds.inventory(fire, round)).toMatchObject({ slug: 'greater-manchester-fire', declared: 0, shareOpen: null, signoff: null })
  })
})
