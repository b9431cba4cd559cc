import { beforeAll, expect, it } from 'vitest'
import { anonymous, type Actor } from '../../platform/actor.js'
import { ForbiddenError, UnauthenticatedError } from '../../platform/errors.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { system } from '../../../test/support/fixtures.js'
import { newAsset, sharingWorld, type SharingWorld } from '../../../test/fixtures/sharing/world.js'
import type { Offer, ShareRequest, ShareStep } from './model.js'

/*
 * No body can change another's sharing: every write refuses the other body's members, a token of
 * the wrong body or scope, and anyone not signed in, whichever state the request is in.
 */
describeEachEngine('who may do what with offers and share requests', (ctx) => {
  let w: SharingWorld
  let traffordWrite: Actor
  let traffordRead: Actor
  let manchesterWrite: Actor

  async function tokenFor(slug: string, scope: 'read' | 'write'): Promise<Actor> {
    const { secret } = await ctx().services.accounts.createToken(system, slug, { name: `${slug} ${scope}`, scope })
    return (await ctx().services.accounts.actorForToken(secret))!
  }

  beforeAll(async () => {
    w = await sharingWorld(ctx().services)
    traffordWrite = await tokenFor('trafford', 'write')
    traffordRead = await tokenFor('trafford', 'read')
    manchesterWrite = await tokenFor('manchester', 'write')
  })

  async function offered(): Promise<Offer> {
    const asset = await newAsset(ctx().services, 'trafford')
    return ctx().services.sharing.offer(w.trafford.actor, asset.id, { kind: 'loan', availableFrom: '2026-01-01', windowWorkingDays: 0 })
  }

  /** A Trafford loan asked for by Manchester, taken as far as the state given. */
  async function requestAt(state: 'requested' | 'approved' | 'handed-over'): Promise<ShareRequest> {
    const { services } = ctx()
    const offer = await offered()
    let request = await services.sharing.request(w.manchester.actor, offer.asset.id, { neededFrom: '2026-02-01', neededUntil: '2026-03-01', purpose: 'Trips' })
    if (state !== 'requested') request = await services.sharing.step(w.trafford.actor, request.id, 'approve', { version: request.version })
    if (state === 'handed-over') request = await services.sharing.step(w.trafford.actor, request.id, 'hand-over', { version: request.version })
    return request
  }

  it('only the owner’s editors and write tokens offer an asset', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford')
    const input = { kind: 'loan', availableFrom: '2026-01-01' }
    await expect(services.sharing.offer(anonymous, asset.id, input)).rejects.toThrow(UnauthenticatedError)
    await expect(services.sharing.offer(w.manchester.actor, asset.id, input)).rejects.toThrow(ForbiddenError)
    await expect(services.sharing.offer(manchesterWrite, asset.id, input)).rejects.toThrow(ForbiddenError)
    await expect(services.sharing.offer(traffordRead, asset.id, input)).rejects.toThrow(ForbiddenError)
    await expect(services.sharing.offer(traffordWrite, asset.id, input)).resolves.toMatchObject({ kind: 'loan' })
    expect((await services.assets.find(asset.id)).availableToShare).toBe(true)
  })

  it('only the owner’s editors and write tokens withdraw an offer', async () => {
    const { services } = ctx()
    const offer = await offered()
    await expect(services.sharing.withdrawOffer(anonymous, offer.id)).rejects.toThrow(UnauthenticatedError)
    await expect(services.sharing.withdrawOffer(w.manchester.actor, offer.id)).rejects.toThrow(ForbiddenError)
    await expect(services.sharing.withdrawOffer(manchesterWrite, offer.id)).rejects.toThrow(ForbiddenError)
    expect((await services.sharing.listOffers(anonymous, {}, { page: 1, pageSize: 100 })).items.map((o) => o.id)).toContain(offer.id)
    await expect(services.sharing.withdrawOffer(traffordWrite, offer.id)).resolves.toMatchObject({ state: 'withdrawn' })
  })

  it('a request is made only for a body the person or token acts for, never anonymously', async () => {
    const { services } = ctx()
    const offer = await offered()
    const input = { neededFrom: '2026-02-01', neededUntil: '2026-03-01', purpose: 'Trips' }
    await expect(services.sharing.request(anonymous, offer.asset.id, input)).rejects.toThrow(UnauthenticatedError)
    await expect(services.sharing.request(w.manchester.actor, offer.asset.id, { ...input, organisation: 'leeds' })).rejects.toThrow(ForbiddenError)
    await expect(services.sharing.request(manchesterWrite, offer.asset.id, { ...input, organisation: 'leeds' })).rejects.toThrow(ForbiddenError)
    await expect(services.sharing.requestOptions(anonymous, offer.asset.id)).rejects.toThrow(UnauthenticatedError)
    await expect(services.sharing.requestOptions(w.admin.actor, offer.asset.id)).rejects.toThrow(ForbiddenError)
    // Someone in two bodies must say which; then it is theirs.
    await expect(services.sharing.request(w.both.actor, offer.asset.id, input)).rejects.toMatchObject({ fields: [{ name: 'organisation' }] })
    await expect(services.sharing.request(w.both.actor, offer.asset.id, { ...input, organisation: 'leeds' })).resolves.toMatchObject({ requester: { slug: 'leeds' } })
    await expect(services.sharing.request(manchesterWrite, offer.asset.id, input)).resolves.toMatchObject({ requester: { slug: 'manchester' }, requestedBy: 'API token “manchester write”' })
  })

  const ownerSteps: { step: ShareStep; from: 'requested' | 'approved' | 'handed-over' }[] = [
    { step: 'approve', from: 'requested' },
    { step: 'decline', from: 'requested' },
    { step: 'hand-over', from: 'approved' },
    { step: 'return', from: 'handed-over' },
  ]
  for (const { step, from } of ownerSteps) {
    it(`only the owner’s editors ${step === 'return' ? 'record a return' : step.replace('-', ' ')}: not the requester, another body, a read token or anyone signed out`, async () => {
      const { services } = ctx()
      const request = await requestAt(from)
      const input = { version: request.version, reason: 'Not available after all' }
      for (const [who, error] of [
        [anonymous, UnauthenticatedError],
        [w.manchester.actor, ForbiddenError],
        [manchesterWrite, ForbiddenError],
        [w.leeds.actor, ForbiddenError],
        [traffordRead, ForbiddenError],
      ] as const) {
        await expect(services.sharing.step(who, request.id, step, input), `${step} by ${'kind' in who ? who.kind : ''}`).rejects.toThrow(error)
      }
      expect((await services.sharing.getRequest(w.trafford.actor, request.id)).state).toBe(from)
      await expect(services.sharing.step(traffordWrite, request.id, step, input)).resolves.toMatchObject({ version: request.version + 1 })
    })
  }

  it('only the requesting body withdraws its request', async () => {
    const { services } = ctx()
    const request = await requestAt('approved')
    for (const who of [w.trafford.actor, traffordWrite, w.leeds.actor]) {
      await expect(services.sharing.step(who, request.id, 'withdraw', { version: request.version })).rejects.toThrow(ForbiddenError)
    }
    await expect(services.sharing.step(anonymous, request.id, 'withdraw', { version: request.version })).rejects.toThrow(UnauthenticatedError)
    await expect(services.sharing.step(manchesterWrite, request.id, 'withdraw', { version: request.version })).resolves.toMatchObject({ state: 'withdrawn' })
  })

  it('shows a request to the two bodies and platform administrators only', async () => {
    const { services } = ctx()
    const request = await requestAt('requested')
    await expect(services.sharing.getRequest(anonymous, request.id)).rejects.toThrow(UnauthenticatedError)
    await expect(services.sharing.getRequest(w.leeds.actor, request.id)).rejects.toThrow(ForbiddenError)
    for (const who of [w.trafford.actor, w.manchester.actor, w.admin.actor, traffordRead]) await expect(services.sharing.getRequest(who, request.id)).resolves.toMatchObject({ id: request.id })
    expect(services.sharing.stepsFor(w.trafford.actor, request)).toEqual(['approve', 'decline'])
    expect(services.sharing.stepsFor(w.manchester.actor, request)).toEqual(['withdraw'])
    expect(services.sharing.stepsFor(w.leeds.actor, request)).toEqual([])
    expect(services.sharing.stepsFor(anonymous, request)).toEqual([])
    await expect(services.sharing.forOrganisation(w.leeds.actor, 'trafford')).rejects.toThrow(ForbiddenError)
    await expect(services.sharing.forOrganisation(anonymous, 'trafford')).rejects.toThrow(UnauthenticatedError)
    const trafford = await services.sharing.forOrganisation(w.trafford.actor, 'trafford')
    expect(trafford.incoming.map((r) => r.id)).toContain(request.id)
    expect((await services.sharing.forOrganisation(w.admin.actor, 'manchester')).outgoing.map((r) => r.id)).toContain(request.id)
  })
})
