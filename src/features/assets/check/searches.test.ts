import { beforeAll, expect, it } from 'vitest'
import { MINIBUS, seedCheckWorld } from '../../../../test/fixtures/check-before-you-buy.js'
import { auditFor } from '../../../../test/support/accounts.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../../test/support/fixtures.js'
import { anonymous, type Actor } from '../../../platform/actor.js'
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../../platform/errors.js'

const PAGE = { page: 1, pageSize: 20 }

describeEachEngine('check before you buy: the record of searches', (ctx) => {
  const people: Record<'trafford' | 'manchester' | 'leeds', Actor> = {} as never
  const tokens: Record<'traffordRead' | 'traffordWrite', Actor> = {} as never

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    await seedCheckWorld(services, db)
    for (const org of ['trafford', 'manchester', 'leeds'] as const) people[org] = (await makeUser(services, { org })).actor
    const read = await services.accounts.createToken(system, 'trafford', { name: 'Dashboard', scope: 'read' })
    const write = await services.accounts.createToken(system, 'trafford', { name: 'Buying system', scope: 'write' })
    tokens.traffordRead = (await services.accounts.actorForToken(read.secret))!
    tokens.traffordWrite = (await services.accounts.actorForToken(write.secret))!
  })

  const rowsOf = (organisationId: string) => ctx().db.kysely.selectFrom('purchase_searches').selectAll().where('organisation_id', '=', organisationId).execute()

  it('records a body member’s search once per body, need and day, and audits the record', async () => {
    const { services, db } = ctx()
    const first = await services.purchaseChecks.check(people.trafford, { cpv: MINIBUS, kind: 'loan' }, PAGE)
    expect(first.search).toMatchObject({ cpvCode: MINIBUS, kind: 'loan', radiusKm: 25, resultCount: first.results.total, outcome: null })
    const again = await services.purchaseChecks.check(people.trafford, { cpv: `${MINIBUS}-3`, kind: 'loan' }, { page: 2, pageSize: 2 })
    expect(again.search!.id).toBe(first.search!.id)
    const other = await services.purchaseChecks.check(people.trafford, { cpv: MINIBUS, kind: 'loan', radiusKm: '50' }, PAGE)
    expect(other.search!.id).not.toBe(first.search!.id)
    const trafford = first.body!
    expect(await rowsOf(trafford.id)).toHaveLength(2)
    const audit = await auditFor(db, 'purchase-search', first.search!.id)
    expect(audit.map((e) => e.action)).toEqual(['purchase-search.create'])
    expect(audit[0]!.organisation_id).toBe(trafford.id)
    // Another body looking for the same thing is a search of its own.
    const manchester = await services.purchaseChecks.check(people.manchester, { cpv: MINIBUS, kind: 'loan' }, PAGE)
    expect(manchester.search!.id).not.toBe(first.search!.id)
  })

  it('records nothing for someone acting for no body; a token’s search is its body’s', async () => {
    const { services } = ctx()
    const before = await ctx().db.kysely.selectFrom('purchase_searches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect((await services.purchaseChecks.check(anonymous, { cpv: MINIBUS }, PAGE)).search).toBeNull()
    const after = await ctx().db.kysely.selectFrom('purchase_searches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
    const byToken = await services.purchaseChecks.check(tokens.traffordRead, { q: 'minibus', radiusKm: '10' }, PAGE)
    expect(byToken.body?.slug).toBe('trafford')
    expect(byToken.search).toMatchObject({ words: 'minibus', cpvCode: MINIBUS, actor: 'API token “Dashboard”' })
  })

  it('lets only the searching body record that nothing fitted, and audits it', async () => {
    const { services, db } = ctx()
    const { search } = await services.purchaseChecks.check(people.trafford, { cpv: '34110000', radiusKm: '3' }, PAGE)
    const id = search!.id
    await expect(services.purchaseChecks.recordPurchased(people.manchester, id, { estimatedCostPence: 100 })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(services.purchaseChecks.recordPurchased(anonymous, id, {})).rejects.toBeInstanceOf(UnauthenticatedError)
    await expect(services.purchaseChecks.recordPurchased(tokens.traffordRead, id, {})).rejects.toBeInstanceOf(ForbiddenError)
    await expect(services.purchaseChecks.recordPurchased(people.trafford, 'no-such-search', {})).rejects.toBeInstanceOf(NotFoundError)
    expect((await services.purchaseChecks.find(people.trafford, id)).outcome).toBeNull()
    const recorded = await services.purchaseChecks.recordPurchased(people.trafford, id, { estimatedCostPence: 2_500_000 })
    expect(recorded).toMatchObject({ id, outcome: 'purchased', estimatedCostPence: 2_500_000 })
    const audit = await auditFor(db, 'purchase-search', id)
    expect(audit.map((e) => e.action)).toEqual(['purchase-search.create', 'purchase-search.purchased'])
    expect(audit[1]!.before).toMatchObject({ outcome: null })
    expect(audit[1]!.after).toMatchObject({ outcome: 'purchased', estimated_cost_pence: 2_500_000 })
    const byToken = await services.purchaseChecks.recordPurchased(tokens.traffordWrite, id, { estimatedCostPence: null })
    expect(byToken.estimatedCostPence).toBeNull()
    await expect(services.purchaseChecks.recordPurchased(people.trafford, id, { estimatedCostPence: -5 })).rejects.toMatchObject({ fields: [{ name: 'estimatedCostPence' }] })
  })

  it('keeps a body’s searches to its own members', async () => {
    const { services } = ctx()
    const { body } = await services.purchaseChecks.check(people.trafford, { cpv: MINIBUS }, PAGE)
    const own = await services.purchaseChecks.searchesOf(people.trafford, body!.id, PAGE)
    expect(own.total).toBeGreaterThan(0)
    expect(own.items.every((s) => s.organisationId === body!.id)).toBe(true)
    await expect(services.purchaseChecks.searchesOf(people.manchester, body!.id, PAGE)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(services.purchaseChecks.find(people.manchester, own.items[0]!.id)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(services.purchaseChecks.searchesOf(anonymous, body!.id, PAGE)).rejects.toBeInstanceOf(UnauthenticatedError)
  })

  it('marks a search as leading to a request only for its own body (sharing calls this)', async () => {
    const { services, db } = ctx()
    const { search, body } = await services.purchaseChecks.check(people.manchester, { cpv: '34100000' }, PAGE)
    const trafford = await services.organisations.getBySlug('trafford')
    await services.purchaseChecks.recordRequested(db.kysely, search!.id, trafford.id)
    expect((await services.purchaseChecks.find(people.manchester, search!.id)).outcome).toBeNull()
    await services.purchaseChecks.recordRequested(db.kysely, search!.id, body!.id)
    expect((await services.purchaseChecks.find(people.manchester, search!.id)).outcome).toBe('requested')
  })

  it('adds up unmet demand by CPV code and region, with the estimated spend', async () => {
    const { services } = ctx()
    const buy = async (actor: Actor, input: Record<string, string>, pence: number | null) => {
      const { search } = await services.purchaseChecks.check(actor, input, PAGE)
      await services.purchaseChecks.recordPurchased(actor, search!.id, { estimatedCostPence: pence })
    }
    await buy(people.trafford, { cpv: '39130000', radiusKm: '5' }, 1_000_000)
    await buy(people.manchester, { cpv: '39130000' }, 250_000)
    await buy(people.manchester, { q: 'office furniture', radiusKm: '60' }, null)
    await buy(people.leeds, { cpv: '39130000' }, 400_000)
    await buy(people.leeds, { class: 'heritage' }, null)
    const { lines, total } = await services.purchaseChecks.unmetDemand(PAGE)
    const furniture = lines.items.filter((l) => l.cpvCode === '39130000')
    expect(furniture).toEqual([
      { cpvCode: '39130000', cpvLabel: 'Office furniture', assetClass: null, assetClassLabel: null, region: 'North West', searches: 3, bodies: 2, estimatedSpendPence: 1_250_000, estimates: 2 },
      { cpvCode: '39130000', cpvLabel: 'Office furniture', assetClass: null, assetClassLabel: null, region: 'Yorkshire and The Humber', searches: 1, bodies: 1, estimatedSpendPence: 400_000, estimates: 1 },
    ])
    expect(lines.items).toContainEqual(expect.objectContaining({ cpvCode: null, assetClass: 'heritage', assetClassLabel: 'Heritage assets', searches: 1, estimatedSpendPence: 0, estimates: 0 }))
    // Everything bought so far in this suite: the three furniture searches, Leeds' heritage one, and the car (estimate cleared).
    const everything = await services.purchaseChecks.unmetDemand()
    expect(everything.lines.items.reduce((sum, l) => sum + l.searches, 0)).toBe(total.searches)
    expect(everything.lines.items.reduce((sum, l) => sum + l.estimatedSpendPence, 0)).toBe(total.estimatedSpendPence)
    expect(total).toEqual({ searches: 6, bodies: 3, estimatedSpendPence: 1_650_000 })
    const paged = await services.purchaseChecks.unmetDemand({ page: 2, pageSize: 1 })
    expect(paged.lines.total).toBe(everything.lines.items.length)
    expect(paged.lines.items).toEqual([everything.lines.items[1]])
  })
})
