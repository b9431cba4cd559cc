import { beforeAll, expect, it } from 'vitest'
import { daysFromToday, MINIBUS, seedCheckWorld, TRAFFORD, type CheckWorld } from '../../../../test/fixtures/check-before-you-buy.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../../test/support/fixtures.js'
import { anonymous, type Actor } from '../../../platform/actor.js'
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../../platform/errors.js'
import type { NeedInput } from './need.js'

const PAGE = { page: 1, pageSize: 20 }
const fieldsOf = (error: unknown) => (error as ValidationError).fields.map((f) => f.name).sort()

describeEachEngine('check before you buy: finding assets to share', (ctx) => {
  let world: CheckWorld
  const people: Record<'trafford' | 'manchester' | 'both', Actor> = {} as never

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    world = await seedCheckWorld(services, db)
    people.trafford = (await makeUser(services, { org: 'trafford' })).actor
    people.manchester = (await makeUser(services, { org: 'manchester' })).actor
    const both = await makeUser(services, { org: 'trafford' })
    await services.accounts.addMember(system, 'manchester', { email: (both.actor as { email: string }).email, role: 'editor' })
    people.both = (await services.accounts.actorForUser((both.actor as { userId: string }).userId))!
  })

  const names = async (actor: Actor, input: NeedInput, page = PAGE, body?: string) => {
    const { results } = await ctx().services.purchaseChecks.check(actor, input, page, body ? { body } : {})
    return results.items.map((i) => i.asset.name)
  }

  it('ranks by fit (the code or under it, then its class, group, division), then by distance, around the body’s own place', async () => {
    const { results, need } = await ctx().services.purchaseChecks.check(people.trafford, { cpv: MINIBUS }, PAGE)
    expect(need).toMatchObject({ place: 'body', radiusKm: 25, lat: TRAFFORD.lat, kind: null })
    expect(results.items.map((i) => i.asset.name)).toEqual(world.expectedForTrafford)
    expect(results.total).toBe(world.expectedForTrafford.length)
    expect(results.items.map((i) => i.fit)).toEqual(['same', 'same', 'same', 'same', 'class', 'group', 'division'])
    const near = results.items[0]!
    expect(near.owner.slug).toBe('manchester')
    expect(near.distanceKm).toBeCloseTo(1.1, 1)
    expect(near.offer).toBeNull()
    expect(near.asset.bookValuePence).toBeGreaterThan(0)
    expect(results.items[1]!.offer).toMatchObject({ kind: 'loan', availableUntil: null })
  })

  it('never finds disposed assets, assets out on loan, busy ones nobody offered, or what does not fit', async () => {
    const found = await names(people.trafford, { cpv: MINIBUS, radiusKm: '500' })
    for (const name of ['Disposed minibus', 'Lent minibus', 'Busy minibus', 'Laptop', 'Unmapped minibus']) expect(found).not.toContain(name)
  })

  it('keeps to the radius, measured from the point given', async () => {
    expect(await names(people.trafford, { cpv: MINIBUS })).not.toContain('Leeds minibus')
    const wide = await names(people.trafford, { cpv: MINIBUS, radiusKm: '100' })
    expect(wide.slice(0, 5)).toEqual(['Minibus near', 'Trafford offered minibus', 'Minibus mid', 'Transfer minibus', 'Leeds minibus'])
    // A kilometre and a half north of Trafford, within 800 m: two minibuses, then the vehicle body (720 m, but a weaker fit).
    const point = { cpv: MINIBUS, lat: String(TRAFFORD.lat + 0.0135), lon: String(TRAFFORD.lon), radiusKm: '0.8' }
    expect(await names(people.trafford, point)).toEqual(['Minibus near', 'Trafford offered minibus', 'Vehicle body'])
  })

  it('shows an offer in its window to the owner’s own body only', async () => {
    expect(await names(people.trafford, { cpv: MINIBUS })).toContain('Trafford offered minibus')
    const manchester = await names(people.manchester, { cpv: MINIBUS, lat: String(TRAFFORD.lat), lon: String(TRAFFORD.lon) })
    expect(manchester).toEqual(world.expectedForTrafford.filter((n) => n !== 'Trafford offered minibus'))
    expect(await names(anonymous, { cpv: MINIBUS })).not.toContain('Trafford offered minibus')
  })

  it('fits the kind: a loan need takes loan offers, a transfer need transfers and sales; assets not offered fit either', async () => {
    expect(await names(people.trafford, { cpv: MINIBUS, kind: 'loan' })).toEqual(['Minibus near', 'Trafford offered minibus', 'Minibus mid', 'Passenger car', 'Motor vehicle', 'Vehicle body'])
    expect(await names(people.trafford, { cpv: MINIBUS, kind: 'transfer', from: daysFromToday(5) })).toEqual(['Minibus near', 'Minibus mid', 'Transfer minibus', 'Sale minibus', 'Passenger car', 'Motor vehicle', 'Vehicle body'])
  })

  it('fits the date: an offer counts from its first day to its last', async () => {
    const today = await names(people.trafford, { cpv: MINIBUS, kind: 'transfer' })
    expect(today).toContain('Transfer minibus')
    expect(today).not.toContain('Sale minibus')
    const later = await names(people.trafford, { cpv: MINIBUS, from: daysFromToday(40) })
    expect(later).not.toContain('Transfer minibus')
    expect(later).toContain('Sale minibus')
    expect(later).toContain('Trafford offered minibus')
  })

  it('searches everywhere for someone acting for no body, without distances', async () => {
    const { results, need, search } = await ctx().services.purchaseChecks.check(anonymous, { cpv: MINIBUS }, PAGE)
    expect(need.place).toBe('anywhere')
    expect(search).toBeNull()
    const found = results.items.map((i) => i.asset.name)
    expect(found).toEqual(expect.arrayContaining(['Leeds minibus', 'Unmapped minibus', 'Minibus near']))
    expect(results.items.every((i) => i.distanceKm === null)).toBe(true)
  })

  it('finds by words matched against CPV labels, by asset class, and by both', async () => {
    const { need, results } = await ctx().services.purchaseChecks.check(people.trafford, { q: 'minibus' }, PAGE)
    expect(need.cpvCodes).toEqual([MINIBUS])
    expect(results.items.map((i) => i.asset.name)).toEqual(world.expectedForTrafford)
    const byClass = await ctx().services.purchaseChecks.check(people.trafford, { class: 'vehicles-plant-equipment' }, PAGE)
    expect(byClass.results.items.every((i) => i.fit === 'asset-class')).toBe(true)
    expect(byClass.results.items.map((i) => i.asset.name)).toContain('Laptop')
    expect(byClass.results.items[0]!.asset.name).toBe('Laptop')
    expect(await names(people.trafford, { cpv: MINIBUS, class: 'community' })).toEqual([])
  })

  it('pages through the ranking without overlap', async () => {
    const second = await names(people.trafford, { cpv: MINIBUS }, { page: 2, pageSize: 2 })
    expect(second).toEqual(world.expectedForTrafford.slice(2, 4))
    const last = await ctx().services.purchaseChecks.check(people.trafford, { cpv: MINIBUS }, { page: 4, pageSize: 2 })
    expect(last.results.items.map((i) => i.asset.name)).toEqual(world.expectedForTrafford.slice(6))
    expect(last.results.total).toBe(7)
  })

  it('names every field that is wrong at once', async () => {
    const check = (input: NeedInput) => ctx().services.purchaseChecks.check(people.trafford, input, PAGE).then(() => undefined, (e: unknown) => e)
    expect(fieldsOf(await check({}))).toEqual(['q'])
    expect(fieldsOf(await check({ cpv: '99999999', lat: '53.4', radiusKm: '501', from: '2020-01-01', kind: 'borrow' }))).toEqual(['cpv', 'from', 'kind', 'lon', 'radiusKm'])
    expect(fieldsOf(await check({ q: 'zzzzqqq', lon: '-2.3', class: 'spaceships' }))).toEqual(['class', 'lat', 'q'])
    expect(fieldsOf(await check({ cpv: MINIBUS, lat: '95', lon: 'west' }))).toEqual(['lat', 'lon'])
    expect(fieldsOf(await check({ cpv: MINIBUS, radiusKm: '0' }))).toEqual(['radiusKm'])
    const notMine = await ctx().services.purchaseChecks.check(people.trafford, { cpv: MINIBUS }, PAGE, { body: 'leeds' }).catch((e: unknown) => e)
    expect(notMine).toBeInstanceOf(ValidationError)
    expect(fieldsOf(notMine)).toEqual(['body'])
  })

  it('searches for the body chosen by someone in several, around its place', async () => {
    const { body, need } = await ctx().services.purchaseChecks.check(people.both, { cpv: MINIBUS }, PAGE, { body: 'manchester' })
    expect(body?.slug).toBe('manchester')
    expect(need.lat).toBeCloseTo(53.4515, 3)
    const first = await ctx().services.purchaseChecks.check(people.both, { cpv: MINIBUS }, PAGE)
    expect(first.body?.slug).toBe('manchester')
  })

  it('sees an asset fall idle, and a new offer, on the next search', async () => {
    const { services, db } = ctx()
    expect(await names(people.trafford, { cpv: MINIBUS })).not.toContain('Busy minibus')
    const busy = await services.assets.find(world.ids['Busy minibus']!)
    await services.assets.update(system, busy.id, { status: 'underused' }, busy.version)
    expect(await names(people.trafford, { cpv: MINIBUS })).toContain('Busy minibus')
    const sale = await services.assets.find(world.ids['Sale minibus']!)
    await db.kysely.updateTable('asset_offers').set({ available_from: daysFromToday(0), updated_at: new Date().toISOString() }).where('asset_id', '=', sale.id).where('state', '=', 'open').execute()
    expect(await names(people.trafford, { cpv: MINIBUS, kind: 'transfer' })).toContain('Sale minibus')
  })
})
