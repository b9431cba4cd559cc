import type { Kysely } from 'kysely'
import { beforeAll, expect, it } from 'vitest'
import type { Database } from '../../db/schema.js'
import { ConflictError, ForbiddenError } from '../../platform/errors.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../test/support/fixtures.js'
import type { Actor } from '../../platform/actor.js'
import type { Organisation } from '../organisations/service.js'
import { assetSearchFor } from './search/search.js'
import { LAPTOPS } from '../../../test/fixtures/assets/examples.js'

/* The changes sharing makes to an asset: each by the owner's editors only, versioned, audited and indexed. */
describeEachEngine('asset changes made by sharing', (ctx) => {
  let trafford: Actor
  let manchester: Actor
  let bodies: Record<string, Organisation>

  beforeAll(async () => {
    const { services } = ctx()
    bodies = await seedCouncils(services)
    trafford = (await makeUser(services, { org: 'trafford' })).actor
    manchester = (await makeUser(services, { org: 'manchester' })).actor
  })

  const inTransaction = <T>(work: (k: Kysely<Database>) => Promise<T>) => ctx().db.kysely.transaction().execute(work)

  it('flags an asset available, lends it and takes it back, bumping its version each time and keeping the index up to date', async () => {
    const { services, db } = ctx()
    const asset = await services.assets.create(system, 'trafford', { ...LAPTOPS, assetCode: 'SHARE-1' })
    const flagged = await inTransaction((k) => services.assets.setAvailableToShare(k, trafford, asset.id, true))
    expect(flagged).toMatchObject({ availableToShare: true, version: asset.version + 1 })
    const unchanged = await inTransaction((k) => services.assets.setAvailableToShare(k, trafford, asset.id, true))
    expect(unchanged.version).toBe(flagged.version)
    const lent = await inTransaction((k) => services.assets.setHolder(k, trafford, asset.id, { expected: null, holder: bodies.manchester!.id }))
    expect(lent).toMatchObject({ holderOrganisationId: bodies.manchester!.id, organisationId: bodies.trafford!.id })
    const index = assetSearchFor(db).index
    await index.catchUp()
    expect(index.organisations[index.holder[index.positionOf(asset.id)!]!]!.slug).toBe('manchester')
    await expect(inTransaction((k) => services.assets.setHolder(k, trafford, asset.id, { expected: null, holder: bodies.leeds!.id }))).rejects.toThrow(ConflictError)
    const back = await inTransaction((k) => services.assets.setHolder(k, trafford, asset.id, { expected: bodies.manchester!.id, holder: null }))
    expect(back.holderOrganisationId).toBeNull()
    await index.catchUp()
    expect(index.holder[index.positionOf(asset.id)!]).toBe(-1)
    const actions = (await services.audit.history('asset', String(asset.id), { page: 1, pageSize: 20 })).items.map((e) => e.action)
    expect(actions).toEqual(['asset.return', 'asset.lend', 'asset.share-availability', 'asset.create'])
  })

  it('refuses another body’s editors every one of these changes', async () => {
    const { services } = ctx()
    const asset = await services.assets.create(system, 'trafford', { ...LAPTOPS, assetCode: 'SHARE-2' })
    await expect(inTransaction((k) => services.assets.setAvailableToShare(k, manchester, asset.id, true))).rejects.toThrow(ForbiddenError)
    await expect(inTransaction((k) => services.assets.setHolder(k, manchester, asset.id, { expected: null, holder: bodies.manchester!.id }))).rejects.toThrow(ForbiddenError)
    await expect(inTransaction((k) => services.assets.changeOwner(k, manchester, asset.id, { from: bodies.trafford!.id, to: bodies.manchester!.id }))).rejects.toThrow(ForbiddenError)
    expect(await services.assets.find(asset.id)).toMatchObject({ version: asset.version, organisationId: bodies.trafford!.id })
  })

  it('changes the owner, keeping the id and history, renaming a clashing code, and refusing an asset with parts', async () => {
    const { services, db } = ctx()
    const asset = await services.assets.create(system, 'trafford', { ...LAPTOPS, assetCode: 'SHARE-3' })
    await services.assets.create(system, 'manchester', { ...LAPTOPS, assetCode: 'SHARE-3' })
    const moved = await inTransaction((k) => services.assets.changeOwner(k, trafford, asset.id, { from: bodies.trafford!.id, to: bodies.manchester!.id }))
    expect(moved).toMatchObject({ id: asset.id, organisationId: bodies.manchester!.id, assetCode: 'SHARE-3-trafford', version: asset.version + 1 })
    const index = assetSearchFor(db).index
    await index.catchUp()
    expect(index.organisations[index.organisation[index.positionOf(asset.id)!]!]!.slug).toBe('manchester')
    // Trafford no longer owns it, so its editors can no longer move it.
    await expect(inTransaction((k) => services.assets.setAvailableToShare(k, trafford, asset.id, true))).rejects.toThrow(ForbiddenError)

    const site = await services.assets.create(system, 'trafford', { ...LAPTOPS, assetCode: 'SHARE-SITE' })
    await services.assets.create(system, 'trafford', { ...LAPTOPS, assetCode: 'SHARE-PART', parentAssetCode: 'SHARE-SITE' })
    await expect(inTransaction((k) => services.assets.changeOwner(k, trafford, site.id, { from: bodies.trafford!.id, to: bodies.manchester!.id }))).rejects.toThrow(/has parts recorded under it/)
  })
})
