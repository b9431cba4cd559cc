import { todayInUk } from '../../platform/uk-date.js'
import { beforeAll, expect, it } from 'vitest'
import { ConflictError, ValidationError } from '../../platform/errors.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { system } from '../../../test/support/fixtures.js'
import { DESKS, MINIBUS, newAsset, outboxFor, sharingWorld, type SharingWorld } from '../../../test/fixtures/sharing/world.js'

const PAGE = { page: 1, pageSize: 100 }

describeEachEngine('the share request workflow', (ctx) => {
  let w: SharingWorld

  beforeAll(async () => {
    w = await sharingWorld(ctx().services)
  })

  it('transfers an asset: requested, approved, handed over; the owner changes, the chain of custody and history are kept, both sides told', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const offer = await services.sharing.offer(w.trafford.actor, asset.id, { kind: 'transfer', availableFrom: '2026-01-05', windowWorkingDays: 0 })
    const asked = await services.sharing.request(w.manchester.actor, asset.id, { neededFrom: '2026-02-01', purpose: 'Replacing our day-centre minibus' })
    expect(asked).toMatchObject({ state: 'requested', kind: 'transfer', offerId: offer.id, avoidedCostPence: 4_800_000, owner: { slug: 'trafford' }, requester: { slug: 'manchester' }, requestedBy: 'Mo Manchester', version: 1 })
    const rival = await services.sharing.request(w.leeds.actor, asset.id, { neededFrom: '2026-03-01', purpose: 'Community transport', avoidedCostPence: '£40,000' })
    expect(rival.avoidedCostPence).toBe(4_000_000)

    const toldOfRequest = await outboxFor(services, asked.id)
    expect(new Set(toldOfRequest.map((m) => m.recipient))).toEqual(new Set([w.trafford.email, w.traffordColleague.email, w.manchester.email]))
    expect(toldOfRequest[0]!.subject).toBe(`Manchester City Council asks to take over ${asset.name}`)
    expect(toldOfRequest[0]!.body).toContain(`http://lgds.test/share-requests/${asked.id}`)

    const approved = await services.sharing.step(w.trafford.actor, asked.id, 'approve', { version: 1 })
    expect(approved).toMatchObject({ state: 'approved', decidedBy: 'Tara Trafford', version: 2 })
    const handed = await services.sharing.step(w.traffordColleague.actor, asked.id, 'hand-over', { version: 2 })
    expect(handed.state).toBe('handed-over')
    expect(handed.handedOverAt).not.toBeNull()

    const moved = await services.assets.find(asset.id)
    expect(moved).toMatchObject({ id: asset.id, organisationId: handed.requester.id, holderOrganisationId: null, availableToShare: false, assetCode: asset.assetCode })
    const manchesterAssets = await services.assets.list({ body: 'manchester' }, PAGE)
    expect(manchesterAssets.items.map((a) => a.id)).toContain(asset.id)

    const panel = await services.sharing.assetSharing(w.manchester.actor, moved)
    expect(panel.custody).toMatchObject([{ event: 'transfer', from: { slug: 'trafford' }, to: { slug: 'manchester' }, requestId: asked.id }])
    expect(panel.offer).toBeNull()
    const closedOffer = await services.db.kysely.selectFrom('asset_offers').select(['state', 'closed_at']).where('id', '=', offer.id).executeTakeFirstOrThrow()
    expect(closedOffer.state).toBe('closed')

    const lost = await services.sharing.getRequest(w.leeds.actor, rival.id)
    expect(lost).toMatchObject({ state: 'declined', declineReason: 'The asset has been transferred to Manchester City Council' })
    expect((await outboxFor(services, rival.id)).some((m) => m.recipient === w.leeds.email && /declined/.test(m.subject))).toBe(true)

    const history = (await services.audit.history('asset', String(asset.id), PAGE)).items.map((e) => e.action)
    expect(history).toEqual(expect.arrayContaining(['asset.create', 'asset.share-availability', 'asset.transfer']))
    const timeline = await services.sharing.timeline(handed)
    expect(timeline.map((e) => e.text)).toEqual(['Asked for the asset', 'Approved', 'Recorded the hand-over'])
    const toldOfHandOver = (await outboxFor(services, asked.id)).filter((m) => m.subject.includes('has been handed over'))
    expect(new Set(toldOfHandOver.map((m) => m.recipient))).toEqual(new Set([w.manchester.email, w.both.email]))
  })

  it('keeps codes unique when the new owner already uses the transferred asset’s code, and takes it out of its old site', async () => {
    const { services } = ctx()
    const site = await newAsset(services, 'trafford', { name: 'Depot', assetClass: 'vehicles-plant-equipment', cpvCode: '34144440-4', acquisitionCostPence: '90000' }, `DEPOT-${Date.now()}`)
    const code = `VAN-${Date.now()}`
    const asset = await services.assets.create(system, 'trafford', { ...MINIBUS, assetCode: code, parentAssetCode: site.assetCode })
    await newAsset(services, 'manchester', DESKS, code)
    const asked = await services.sharing.request(w.manchester.actor, asset.id, { kind: 'transfer', neededFrom: '2026-02-01', purpose: 'Meals on wheels' })
    await services.sharing.step(w.trafford.actor, asked.id, 'approve', { version: 1 })
    await services.sharing.step(w.trafford.actor, asked.id, 'hand-over', { version: 2 })
    const moved = await services.assets.find(asset.id)
    expect(moved.assetCode).toBe(`${code}-trafford`)
    expect(moved.parentId).toBeNull()
  })

  it('lends an asset: the holder changes while the owner stays, until its return is recorded', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const offer = await services.sharing.offer(w.trafford.actor, asset.id, { kind: 'loan', availableFrom: '2026-01-05', availableUntil: '2026-12-31', windowWorkingDays: 0 })
    const tooLong = await services.sharing.request(w.manchester.actor, asset.id, { neededFrom: '2026-02-01', neededUntil: '2027-01-31', purpose: 'Summer scheme' }).catch((e: unknown) => e)
    expect((tooLong as ValidationError).fields).toEqual([{ name: 'neededUntil', message: 'It can be lent until 31 December 2026 at the latest' }])
    const tooEarly = await services.sharing.request(w.manchester.actor, asset.id, { neededFrom: '2025-12-01', neededUntil: '2026-01-31', purpose: 'Summer scheme' }).catch((e: unknown) => e)
    expect((tooEarly as ValidationError).fields.map((f) => f.name)).toEqual(['neededFrom'])
    const wrongKind = await services.sharing.request(w.manchester.actor, asset.id, { kind: 'transfer', neededFrom: '2026-02-01', purpose: 'Summer scheme' }).catch((e: unknown) => e)
    expect((wrongKind as ValidationError).fields[0]).toEqual({ name: 'kind', message: 'This asset is offered for loan only' })

    const asked = await services.sharing.request(w.manchester.actor, asset.id, { neededFrom: '2026-07-01', neededUntil: '2026-08-31', purpose: 'Summer scheme' })
    expect(asked.offerId).toBe(offer.id)
    await services.sharing.step(w.trafford.actor, asked.id, 'approve', { version: 1 })
    await services.sharing.step(w.trafford.actor, asked.id, 'hand-over', { version: 2 })
    const lent = await services.assets.find(asset.id)
    expect(lent.organisationId).toBe(asset.organisationId)
    expect(lent.holderOrganisationId).toBe(asked.requester.id)
    // The loan offer stays open for later bookings.
    expect((await services.sharing.assetSharing(w.manchester.actor, lent)).offer?.id).toBe(offer.id)

    const returned = await services.sharing.step(w.trafford.actor, asked.id, 'return', { version: 3 })
    expect(returned).toMatchObject({ state: 'returned' })
    expect(returned.returnedAt).not.toBeNull()
    const back = await services.assets.find(asset.id)
    expect(back.holderOrganisationId).toBeNull()
    const panel = await services.sharing.assetSharing(w.trafford.actor, back)
    expect(panel.custody.map((c) => [c.event, c.from.slug, c.to.slug])).toEqual([
      ['loan', 'trafford', 'manchester'],
      ['return', 'manchester', 'trafford'],
    ])
    expect(panel.holder).toBeNull()
  })

  it('lets a borrower take over the asset it holds, ending the loan, but hands nothing over while another body holds it', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const loan = await services.sharing.request(w.manchester.actor, asset.id, { kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-06-30', purpose: 'Trial' })
    await services.sharing.step(w.trafford.actor, loan.id, 'approve', { version: 1 })
    await services.sharing.step(w.trafford.actor, loan.id, 'hand-over', { version: 2 })
    const leeds = await services.sharing.request(w.leeds.actor, asset.id, { kind: 'transfer', neededFrom: '2026-03-01', purpose: 'Community transport' })
    await services.sharing.step(w.trafford.actor, leeds.id, 'approve', { version: 1 })
    await expect(services.sharing.step(w.trafford.actor, leeds.id, 'hand-over', { version: 2 })).rejects.toThrow('This asset is out on loan to another body: record its return before handing it over')
    const keep = await services.sharing.request(w.manchester.actor, asset.id, { kind: 'transfer', neededFrom: '2026-03-01', purpose: 'The trial went well' })
    await services.sharing.step(w.trafford.actor, keep.id, 'approve', { version: 1 })
    await services.sharing.step(w.trafford.actor, keep.id, 'hand-over', { version: 2 })
    expect(await services.assets.find(asset.id)).toMatchObject({ organisationId: keep.requester.id, holderOrganisationId: null })
    expect(await services.sharing.getRequest(w.manchester.actor, loan.id)).toMatchObject({ state: 'returned' })
    expect(await services.sharing.getRequest(w.leeds.actor, leeds.id)).toMatchObject({ state: 'declined', declineReason: 'The asset has been transferred to Manchester City Council' })
  })

  it('refuses stale and out-of-order steps with clear messages, and needs a reason to decline', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const asked = await services.sharing.request(w.manchester.actor, asset.id, { kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-02-28', purpose: 'Trips' })
    await expect(services.sharing.step(w.trafford.actor, asked.id, 'hand-over', { version: 1 })).rejects.toThrow('A request that is requested cannot be handed over')
    await expect(services.sharing.step(w.trafford.actor, asked.id, 'return', { version: 1 })).rejects.toThrow(ConflictError)
    const noReason = await services.sharing.step(w.trafford.actor, asked.id, 'decline', { version: 1, reason: '  ' }).catch((e: unknown) => e)
    expect((noReason as ValidationError).fields).toEqual([{ name: 'reason', message: 'Say why the request is declined' }])
    await services.sharing.step(w.trafford.actor, asked.id, 'approve', { version: 1 })
    await expect(services.sharing.step(w.traffordColleague.actor, asked.id, 'approve', { version: 1 })).rejects.toThrow(/Someone else changed this request after you opened it/)
    await expect(services.sharing.step(w.trafford.actor, asked.id, 'decline', { version: 'x' })).rejects.toThrow(/Someone else changed/)
    const declined = await services.sharing.step(w.trafford.actor, asked.id, 'decline', { version: 2, reason: 'Needed for our own elections' })
    expect(declined).toMatchObject({ state: 'declined', declineReason: 'Needed for our own elections' })
    await expect(services.sharing.step(w.manchester.actor, asked.id, 'withdraw', { version: 3 })).rejects.toThrow('A request that is declined cannot be withdrawn')
  })

  it('lets the requester withdraw, and the same body ask again afterwards but not twice at once', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const first = await services.sharing.request(w.manchester.actor, asset.id, { kind: 'transfer', neededFrom: '2026-02-01', purpose: 'Trips' })
    await expect(services.sharing.request(w.both.actor, asset.id, { organisation: 'manchester', kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-03-01', purpose: 'Trips' })).rejects.toThrow(/already asked for this asset/)
    const withdrawn = await services.sharing.step(w.manchester.actor, first.id, 'withdraw', { version: 1 })
    expect(withdrawn.state).toBe('withdrawn')
    expect((await outboxFor(services, first.id)).some((m) => m.recipient === w.trafford.email && /withdrew/.test(m.subject))).toBe(true)
    await expect(services.sharing.request(w.manchester.actor, asset.id, { kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-03-01', purpose: 'Trips' })).resolves.toMatchObject({ state: 'requested' })
  })

  it('takes requests for idle capital without an offer (loan or transfer, never sale), but not for an asset in use', async () => {
    const { services } = ctx()
    const idle = await newAsset(services, 'trafford')
    const noKind = await services.sharing.request(w.manchester.actor, idle.id, { neededFrom: '2026-02-01', purpose: 'Trips' }).catch((e: unknown) => e)
    expect((noKind as ValidationError).fields[0]!.name).toBe('kind')
    const sale = await services.sharing.request(w.manchester.actor, idle.id, { kind: 'sale', neededFrom: '2026-02-01', purpose: 'Trips' }).catch((e: unknown) => e)
    expect((sale as ValidationError).fields[0]!.name).toBe('kind')
    const loanWithoutEnd = await services.sharing.request(w.manchester.actor, idle.id, { kind: 'loan', neededFrom: '2026-02-01', purpose: 'Trips' }).catch((e: unknown) => e)
    expect((loanWithoutEnd as ValidationError).fields).toEqual([{ name: 'neededUntil', message: 'Enter the date you would give it back' }])
    await expect(services.sharing.request(w.manchester.actor, idle.id, { kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-02-10', purpose: 'Trips' })).resolves.toMatchObject({ offerId: null, kind: 'loan' })

    const busy = await newAsset(services, 'trafford', DESKS)
    await expect(services.sharing.request(w.manchester.actor, busy.id, { kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-02-10', purpose: 'Trips' })).rejects.toThrow('Trafford Metropolitan Borough Council has not offered this asset, and it is recorded as in use')
  })

  it('during the window only the owner’s own departments can ask, and their requests are allowed', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford', DESKS)
    await services.sharing.offer(w.trafford.actor, asset.id, { kind: 'transfer', availableFrom: todayInUk() })
    await expect(services.sharing.request(w.manchester.actor, asset.id, { neededFrom: todayInUk(), purpose: 'New office' })).rejects.toThrow(/offering this asset to its own departments first/)
    const colleague = await services.sharing.request(w.traffordColleague.actor, asset.id, { neededFrom: todayInUk(), purpose: 'Moving the housing team' })
    expect(colleague).toMatchObject({ owner: { slug: 'trafford' }, requester: { slug: 'trafford' } })
    await services.sharing.step(w.trafford.actor, colleague.id, 'approve', { version: 1 })
    await services.sharing.step(w.trafford.actor, colleague.id, 'hand-over', { version: 2 })
    // Within one body nothing changes hands, but the move is on the record and the offer has closed.
    const after = await services.assets.find(asset.id)
    expect(after.organisationId).toBe(asset.organisationId)
    expect(after.availableToShare).toBe(false)
    expect((await services.sharing.assetSharing(w.trafford.actor, after)).custody.map((c) => c.event)).toEqual(['transfer'])
  })

  it('records that a “check before you buy” search led to the request, for the searching body only', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const [manchester, leeds] = await Promise.all([services.organisations.getBySlug('manchester'), services.organisations.getBySlug('leeds')])
    const search = { user_id: w.manchester.userId, actor_label: 'Mo Manchester', cpv_code: '34114400', words: null, asset_class: null, lat: null, lon: null, radius_km: null, needed_from: null, kind: 'loan', result_count: 1, outcome: null, outcome_at: null, estimated_cost_pence: null, created_at: new Date().toISOString() }
    await services.db.kysely
      .insertInto('purchase_searches')
      .values([
        { ...search, id: 'search-mine', organisation_id: manchester.id },
        { ...search, id: 'search-leeds', organisation_id: leeds.id },
      ])
      .execute()
    const request = await services.sharing.request(w.manchester.actor, asset.id, { kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-02-10', purpose: 'Trips', search: 'search-mine' })
    expect(request.searchId).toBe('search-mine')
    const other = await newAsset(services, 'trafford')
    const notMine = await services.sharing.request(w.manchester.actor, other.id, { kind: 'loan', neededFrom: '2026-02-01', neededUntil: '2026-02-10', purpose: 'Trips', search: 'search-leeds' })
    expect(notMine.searchId).toBeNull()
    const outcomes = await services.db.kysely.selectFrom('purchase_searches').select(['id', 'outcome']).orderBy('id').execute()
    expect(outcomes).toEqual([
      { id: 'search-leeds', outcome: null },
      { id: 'search-mine', outcome: 'requested' },
    ])
  })
})
