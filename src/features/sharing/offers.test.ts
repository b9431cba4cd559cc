import { todayInUk } from '../../platform/uk-date.js'
import { beforeAll, expect, it } from 'vitest'
import { anonymous } from '../../platform/actor.js'
import { ConflictError, ValidationError } from '../../platform/errors.js'
import { addWorkingDays } from '../../platform/working-days.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { system } from '../../../test/support/fixtures.js'
import { DESKS, MINIBUS, newAsset, sharingOn, sharingWorld, type SharingWorld } from '../../../test/fixtures/sharing/world.js'

const PAGE = { page: 1, pageSize: 50 }

async function fieldsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ValidationError)
  return (error as ValidationError).fields.map((f) => f.name)
}

describeEachEngine('offering assets to other public bodies', (ctx) => {
  let w: SharingWorld

  beforeAll(async () => {
    w = await sharingWorld(ctx().services)
  })

  it('offers an asset first to the owner’s own body for the window, then to everyone, and flags it available', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford', DESKS)
    expect(asset.availableToShare).toBe(false)
    const offer = await services.sharing.offer(w.trafford.actor, asset.id, { kind: 'loan', availableFrom: '2026-01-05', availableUntil: '2026-06-30' })
    expect(offer).toMatchObject({ kind: 'loan', state: 'open', windowWorkingDays: 20, openToAll: false, availableUntil: '2026-06-30', organisation: { slug: 'trafford' } })
    expect(offer.openToAllOn).toBe(addWorkingDays(todayInUk(), 20))
    const after = await services.assets.find(asset.id)
    expect(after.availableToShare).toBe(true)
    expect(after.version).toBe(asset.version + 1)

    const seenBy = async (actor: Parameters<typeof services.sharing.listOffers>[0]) => (await services.sharing.listOffers(actor, {}, PAGE)).items.map((o) => o.id)
    expect(await seenBy(w.trafford.actor)).toContain(offer.id)
    expect(await seenBy(w.traffordColleague.actor)).toContain(offer.id)
    expect(await seenBy(w.admin.actor)).toContain(offer.id)
    expect(await seenBy(w.manchester.actor)).not.toContain(offer.id)
    expect(await seenBy(anonymous)).not.toContain(offer.id)
    // Two months on, the window has passed: everyone sees it.
    const later = sharingOn(services, `${addWorkingDays(todayInUk(), 21)}T12:00:00Z`)
    expect((await later.listOffers(anonymous, {}, PAGE)).items.map((o) => o.id)).toContain(offer.id)
    expect((await later.listOffers(w.manchester.actor, {}, PAGE)).items.map((o) => o.id)).toContain(offer.id)

    const audit = await services.audit.history('asset', String(asset.id), PAGE)
    expect(audit.items.map((e) => e.action)).toContain('asset.share-availability')
  })

  it('opens to every body at once with a window of 0, and filters by kind and body', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const offer = await services.sharing.offer(w.trafford.actor, asset.id, { kind: 'sale', pricePence: '£12,500', availableFrom: todayInUk(), windowWorkingDays: '0' })
    expect(offer).toMatchObject({ openToAll: true, pricePence: 1_250_000, openToAllOn: todayInUk(), availableUntil: null })
    const mine = (filters: { kind?: string; body?: string }) => services.sharing.listOffers(anonymous, filters, PAGE).then((p) => p.items.map((o) => o.id))
    expect(await mine({})).toContain(offer.id)
    expect(await mine({ kind: 'sale' })).toContain(offer.id)
    expect(await mine({ kind: 'loan' })).not.toContain(offer.id)
    expect(await mine({ body: 'trafford' })).toContain(offer.id)
    expect(await mine({ body: 'manchester' })).not.toContain(offer.id)
    expect(await mine({ body: 'nowhere' })).toEqual([])
    expect((await services.sharing.offerBodies(anonymous)).map((b) => b.slug)).toContain('trafford')
    const firstPage = await services.sharing.listOffers(w.trafford.actor, {}, { page: 1, pageSize: 1 })
    expect(firstPage.items).toHaveLength(1)
    expect(firstPage.total).toBeGreaterThanOrEqual(2)
  })

  it('allows one open offer per asset', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    await services.sharing.offer(w.trafford.actor, asset.id, { kind: 'loan', availableFrom: '2026-02-01' })
    await expect(services.sharing.offer(w.traffordColleague.actor, asset.id, { kind: 'transfer', availableFrom: '2026-02-01' })).rejects.toThrow(ConflictError)
  })

  it('names every wrong field', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    expect(await fieldsOf(services.sharing.offer(w.trafford.actor, asset.id, {}))).toEqual(['kind', 'availableFrom'])
    expect(await fieldsOf(services.sharing.offer(w.trafford.actor, asset.id, { kind: 'sale', availableFrom: '2026-01-01' }))).toEqual(['pricePence'])
    expect(await fieldsOf(services.sharing.offer(w.trafford.actor, asset.id, { kind: 'sale', pricePence: 0, availableFrom: '2026-01-01' }))).toEqual(['pricePence'])
    expect(await fieldsOf(services.sharing.offer(w.trafford.actor, asset.id, { kind: 'loan', availableFrom: '2026-03-01', availableUntil: '2026-02-01', windowWorkingDays: '-1' }))).toEqual(['availableUntil', 'windowWorkingDays'])
    expect(await fieldsOf(services.sharing.offer(w.trafford.actor, asset.id, { kind: 'loan', availableFrom: '31/02/2026' }))).toEqual(['availableFrom'])
  })

  it('refuses a disposed asset, and refuses to transfer or sell an asset that has parts (a loan is fine)', async () => {
    const { services } = ctx()
    const old = await newAsset(services, 'trafford', { ...DESKS, status: 'in-use' })
    await services.assets.dispose(system, old.id, { disposalDate: '2025-01-10', disposalMethod: 'scrapped' }, old.version)
    await expect(services.sharing.offer(w.trafford.actor, old.id, { kind: 'loan', availableFrom: '2026-01-01' })).rejects.toThrow(/disposed of/)

    const site = await newAsset(services, 'trafford', { name: 'Depot', assetClass: 'vehicles-plant-equipment', cpvCode: '34144440-4', acquisitionCostPence: '90000' })
    await services.assets.create(system, 'trafford', { ...MINIBUS, assetCode: `PART-OF-${site.id}`, parentAssetCode: site.assetCode })
    const error = await services.sharing.offer(w.trafford.actor, site.id, { kind: 'transfer', availableFrom: '2026-01-01' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields[0]!.message).toMatch(/parts recorded under it, so it can only be lent/)
    await expect(services.sharing.offer(w.trafford.actor, site.id, { kind: 'loan', availableFrom: '2026-01-01' })).resolves.toMatchObject({ kind: 'loan' })
  })

  it('withdraws an offer: the flag comes down and requests made on it are declined, their requesters told', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const offer = await services.sharing.offer(w.trafford.actor, asset.id, { kind: 'transfer', availableFrom: '2026-01-01', windowWorkingDays: 0 })
    const asked = await services.sharing.request(w.manchester.actor, asset.id, { neededFrom: '2026-02-01', purpose: 'Day centre trips' })
    const withdrawn = await services.sharing.withdrawOffer(w.trafford.actor, offer.id)
    expect(withdrawn).toMatchObject({ state: 'withdrawn' })
    expect(withdrawn.closedAt).not.toBeNull()
    expect((await services.assets.find(asset.id)).availableToShare).toBe(false)
    const declined = await services.sharing.getRequest(w.manchester.actor, asked.id)
    expect(declined).toMatchObject({ state: 'declined', declineReason: 'The owner withdrew the offer' })
    const outbox = await services.db.kysely.selectFrom('notification_outbox').select(['recipient', 'subject']).where('reference', '=', `share-request:${asked.id}`).execute()
    expect(outbox.filter((m) => m.recipient === w.manchester.email).map((m) => m.subject)).toContain(`The request for ${asset.name} was declined`)
    await expect(services.sharing.withdrawOffer(w.trafford.actor, offer.id)).rejects.toThrow(/no longer open/)
  })
})
