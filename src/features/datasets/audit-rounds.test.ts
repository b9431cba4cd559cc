import { todayInUk } from '../../platform/uk-date.js'
import { beforeAll, expect, it } from 'vitest'
import { describeEachEngine, type EngineContext } from '../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../test/support/fixtures.js'
import { anonymous, type Actor, type TokenActor } from '../../platform/actor.js'
import { ConflictError, ForbiddenError, UnauthenticatedError, ValidationError } from '../../platform/errors.js'

const FUTURE_DEADLINE = '2099-03-31'

async function auditRows(ctx: EngineContext, entityType: string) {
  return ctx.db.kysely.selectFrom('audit_log').select(['action', 'entity_id', 'organisation_id', 'actor_label']).where('entity_type', '=', entityType).orderBy('id').execute()
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  )
}

describeEachEngine('audit rounds', (ctx) => {
  let councils: Record<string, { id: string }>
  let platformAdmin: Actor
  let traffordAdmin: Awaited<ReturnType<typeof makeUser>>
  let traffordAdmin2: Actor
  let traffordEditor: Actor
  let manchesterAdmin: Actor
  let manchesterEditor: Actor
  let plain: Actor

  beforeAll(async () => {
    const { services } = ctx()
    councils = await seedCouncils(services)
    platformAdmin = (await makeUser(services, { platformAdmin: true })).actor
    traffordAdmin = await makeUser(services, { org: 'trafford', role: 'admin', name: 'Ada Admin' })
    traffordAdmin2 = (await makeUser(services, { org: 'trafford', role: 'admin', name: 'Bo Second' })).actor
    traffordEditor = (await makeUser(services, { org: 'trafford', role: 'editor' })).actor
    manchesterAdmin = (await makeUser(services, { org: 'manchester', role: 'admin', name: 'Mo Manchester' })).actor
    manchesterEditor = (await makeUser(services, { org: 'manchester', role: 'editor' })).actor
    plain = (await makeUser(services)).actor
  })

  it('lets only a platform administrator open a round, and changes nothing when refused', async () => {
    const { services } = ctx()
    const input = { year: '2030', deadline: FUTURE_DEADLINE }
    expect(await thrown(services.auditRounds.open(anonymous, input))).toBeInstanceOf(UnauthenticatedError)
    expect(await thrown(services.auditRounds.open(plain, input))).toBeInstanceOf(ForbiddenError)
    expect(await thrown(services.auditRounds.open(traffordAdmin.actor, input))).toBeInstanceOf(ForbiddenError)
    const token: TokenActor = { kind: 'token', tokenId: 't', tokenName: 'CI', organisationId: councils.trafford!.id, scope: 'write' }
    expect(await thrown(services.auditRounds.open(token, input))).toBeInstanceOf(ForbiddenError)
    expect(await services.auditRounds.list()).toEqual([])
    expect(await auditRows(ctx(), 'audit_round')).toEqual([])
  })

  it('validates the year and the deadline, which must be a real date after today', async () => {
    const { services } = ctx()
    const today = todayInUk()
    const cases: [Record<string, string>, string, string][] = [
      [{ year: '', deadline: FUTURE_DEADLINE }, 'year', 'Enter the year the round is for'],
      [{ year: '30', deadline: FUTURE_DEADLINE }, 'year', 'Year must be a year like 2027'],
      [{ year: '2030', deadline: '' }, 'deadline', 'Enter the deadline for signing off'],
      [{ year: '2030', deadline: '2099-02-30' }, 'deadline', 'Deadline must be a real date, like 31 3 2027'],
      [{ year: '2030', deadline: today }, 'deadline', 'Deadline must be in the future'],
      [{ year: '2030', deadline: '2020-01-01' }, 'deadline', 'Deadline must be in the future'],
      [{ year: '2030', deadline: FUTURE_DEADLINE, title: 'x'.repeat(201) }, 'title', 'Title must be 200 characters or fewer'],
    ]
    for (const [input, field, message] of cases) {
      const error = await thrown(services.auditRounds.open(platformAdmin, input))
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).fields).toEqual([{ name: field, message }])
    }
    expect(await services.auditRounds.list()).toEqual([])
  })

  it('opens one round a year, with a default title, and records who opened it', async () => {
    const { services } = ctx()
    const round = await services.auditRounds.open(platformAdmin, { year: '2030', deadline: FUTURE_DEADLINE })
    expect(round).toMatchObject({ year: 2030, title: 'Data audit 2030', deadline: FUTURE_DEADLINE, closedAt: null, isOpen: true, deadlinePassed: false })
    expect(await services.auditRounds.current()).toEqual(round)
    expect(await auditRows(ctx(), 'audit_round')).toEqual([{ action: 'audit_round.open', entity_id: round.id, organisation_id: null, actor_label: expect.stringMatching(/^Person \d+$/) }])

    const again = await thrown(services.auditRounds.open(platformAdmin, { year: 2030, deadline: '2099-06-30', title: 'Again' }))
    expect(again).toBeInstanceOf(ValidationError)
    expect((again as ValidationError).fields).toEqual([{ name: 'year', message: 'There is already an audit round for 2030' }])
    // Another year must wait until this one is closed: "the current round" is never in doubt.
    expect(await thrown(services.auditRounds.open(platformAdmin, { year: 2031, deadline: '2099-06-30' }))).toBeInstanceOf(ConflictError)
    expect((await services.auditRounds.list()).map((r) => r.year)).toEqual([2030])
    expect(await auditRows(ctx(), 'audit_round')).toHaveLength(1)
  })

  it('records who signed off for the body and when, once', async () => {
    const { services } = ctx()
    const round = (await services.auditRounds.current())!
    const before = Date.now()
    const signoff = await services.auditRounds.signOff(traffordAdmin.actor, 'trafford', { reviewedInventory: 'yes', declaredMissing: 'yes', note: '  All 12 datasets reviewed  ' })
    expect(signoff).toMatchObject({
      roundId: round.id,
      organisationId: councils.trafford!.id,
      signedOffBy: traffordAdmin.userId,
      signedOffByName: 'Ada Admin',
      note: 'All 12 datasets reviewed',
      late: false,
    })
    expect(Date.parse(signoff.signedOffAt)).toBeGreaterThanOrEqual(before - 1000)
    expect(Date.parse(signoff.signedOffAt)).toBeLessThanOrEqual(Date.now())
    expect(await services.auditRounds.signoffFor(round.id, councils.trafford!.id)).toEqual(signoff)
    expect(await auditRows(ctx(), 'audit_signoff')).toEqual([{ action: 'audit_signoff.create', entity_id: signoff.id, organisation_id: councils.trafford!.id, actor_label: 'Ada Admin' }])

    const twice = await thrown(services.auditRounds.signOff(traffordAdmin2, 'trafford', { reviewedInventory: 'yes', declaredMissing: 'yes' }))
    expect(twice).toBeInstanceOf(ConflictError)
    expect((twice as Error).message).toContain('already signed off the 2030 audit (Ada Admin)')
    expect(await services.auditRounds.signoffFor(round.id, councils.trafford!.id)).toEqual(signoff)
    expect(await services.auditRounds.signedOffCount(round.id)).toBe(1)
    expect(await auditRows(ctx(), 'audit_signoff')).toHaveLength(1)
  })

  it('refuses a sign-off from anyone but the body’s own administrators, and from an unticked checklist', async () => {
    const { services } = ctx()
    const round = (await services.auditRounds.current())!
    const input = { reviewedInventory: 'yes', declaredMissing: 'yes' }
    const token: TokenActor = { kind: 'token', tokenId: 't', tokenName: 'CI', organisationId: councils.manchester!.id, scope: 'write' }
    const refusals: [Actor, unknown][] = [
      [anonymous, UnauthenticatedError],
      [plain, ForbiddenError],
      [manchesterEditor, ForbiddenError],
      [traffordAdmin.actor, ForbiddenError],
      [token, ForbiddenError],
      [platformAdmin, ForbiddenError],
      [system, ForbiddenError],
    ]
    for (const [actor, kind] of refusals) {
      expect(await thrown(services.auditRounds.signOff(actor, 'manchester', input)), actor.kind).toBeInstanceOf(kind)
    }
    const unticked = await thrown(services.auditRounds.signOff(manchesterAdmin, 'manchester', { reviewedInventory: 'yes' }))
    expect(unticked).toBeInstanceOf(ValidationError)
    expect((unticked as ValidationError).fields).toEqual([{ name: 'confirm', message: 'Confirm you have reviewed the inventory and declared the data that is missing' }])
    const longNote = await thrown(services.auditRounds.signOff(manchesterAdmin, 'manchester', { ...input, note: 'x'.repeat(2001) }))
    expect((longNote as ValidationError).fields.map((f) => f.name)).toEqual(['note'])

    expect(await services.auditRounds.signoffFor(round.id, councils.manchester!.id)).toBeUndefined()
    expect(await services.auditRounds.signedOffCount(round.id)).toBe(1)
    expect(await auditRows(ctx(), 'audit_signoff')).toHaveLength(1)
  })

  it('lets the body’s administrator withdraw a sign-off before the deadline, and sign again', async () => {
    const { services, db } = ctx()
    const round = (await services.auditRounds.current())!
    for (const [actor, kind] of [
      [anonymous, UnauthenticatedError],
      [plain, ForbiddenError],
      [traffordEditor, ForbiddenError],
      [manchesterAdmin, ForbiddenError],
      [platformAdmin, ForbiddenError],
    ] as const) {
      expect(await thrown(services.auditRounds.withdrawSignoff(actor, 'trafford'))).toBeInstanceOf(kind)
    }
    expect(await services.auditRounds.signoffFor(round.id, councils.trafford!.id)).toBeDefined()
    // Nothing to withdraw for a body that has not signed off.
    expect(await thrown(services.auditRounds.withdrawSignoff(manchesterAdmin, 'manchester'))).toBeInstanceOf(ConflictError)

    const signoff = (await services.auditRounds.signoffFor(round.id, councils.trafford!.id))!
    await services.auditRounds.withdrawSignoff(traffordAdmin2, 'trafford')
    expect(await services.auditRounds.signoffFor(round.id, councils.trafford!.id)).toBeUndefined()
    const log = await auditRows(ctx(), 'audit_signoff')
    expect(log.map((e) => [e.action, e.entity_id])).toEqual([
      ['audit_signoff.create', signoff.id],
      ['audit_signoff.withdraw', signoff.id],
    ])

    const again = await services.auditRounds.signOff(traffordAdmin2, 'trafford', { reviewedInventory: 'yes', declaredMissing: 'yes' })
    expect(again.signedOffByName).toBe('Bo Second')

    // After the deadline the sign-off stands.
    const yesterday = previousDay(todayInUk())
    await db.kysely.updateTable('audit_rounds').set({ deadline: yesterday }).where('id', '=', round.id).execute()
    try {
      const late = await thrown(services.auditRounds.withdrawSignoff(traffordAdmin2, 'trafford'))
      expect(late).toBeInstanceOf(ConflictError)
      expect((late as Error).message).toContain('deadline')
      expect(await services.auditRounds.signoffFor(round.id, councils.trafford!.id)).toMatchObject({ id: again.id })
      // A body signing off after the deadline is allowed while the round is open, and shown as late.
      const lateSignoff = await services.auditRounds.signOff(manchesterAdmin, 'manchester', { reviewedInventory: 'yes', declaredMissing: 'yes' })
      expect(lateSignoff.late).toBe(true)
    } finally {
      await db.kysely.updateTable('audit_rounds').set({ deadline: FUTURE_DEADLINE }).where('id', '=', round.id).execute()
    }
  })

  it('lets only a platform administrator close a round; a closed round takes no sign-offs or withdrawals', async () => {
    const { services } = ctx()
    const round = (await services.auditRounds.current())!
    for (const [actor, kind] of [
      [anonymous, UnauthenticatedError],
      [plain, ForbiddenError],
      [traffordAdmin.actor, ForbiddenError],
    ] as const) {
      expect(await thrown(services.auditRounds.close(actor, round.id))).toBeInstanceOf(kind)
    }
    expect((await services.auditRounds.get(round.id)).isOpen).toBe(true)
    expect(await auditRows(ctx(), 'audit_round')).toHaveLength(1)

    const closed = await services.auditRounds.close(platformAdmin, round.id)
    expect(closed.isOpen).toBe(false)
    expect(closed.closedAt).not.toBeNull()
    expect((await auditRows(ctx(), 'audit_round')).map((e) => e.action)).toEqual(['audit_round.open', 'audit_round.close'])
    expect(await thrown(services.auditRounds.close(platformAdmin, round.id))).toBeInstanceOf(ConflictError)

    const signoffs = await auditRows(ctx(), 'audit_signoff')
    const leeds = await makeUser(services, { org: 'leeds', role: 'admin' })
    expect(await thrown(services.auditRounds.signOff(leeds.actor, 'leeds', { reviewedInventory: 'yes', declaredMissing: 'yes' }))).toBeInstanceOf(ConflictError)
    expect(await thrown(services.auditRounds.withdrawSignoff(traffordAdmin2, 'trafford'))).toBeInstanceOf(ConflictError)
    expect(await auditRows(ctx(), 'audit_signoff')).toEqual(signoffs)

    // The closed round is still "current" until the next opens, so its results stay on show.
    expect((await services.auditRounds.current())?.id).toBe(round.id)
    const next = await services.auditRounds.open(platformAdmin, { year: '2031', deadline: FUTURE_DEADLINE, title: 'The 2031 audit' })
    expect(next.title).toBe('The 2031 audit')
    expect((await services.auditRounds.current())?.id).toBe(next.id)
    expect((await services.auditRounds.list()).map((r) => r.year)).toEqual([2031, 2030])
  })
})

function previousDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}
