import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../test/support/fixtures.js'
import { anonymous } from '../../platform/actor.js'
import { auditHistory } from '../../platform/audit.js'
import { ConflictError, ValidationError } from '../../platform/errors.js'
import { LAPTOPS } from '../../../test/fixtures/assets/examples.js'

const fieldsOf = (error: unknown) => (error as ValidationError).fields.map((f) => f.name).sort()

describeEachEngine('the asset register', (ctx) => {
  it('records an asset: pence, the CPV code without its check digit, both coordinate pairs, version 1 and an audit record', async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    const editor = await makeUser(services, { org: 'trafford' })
    const asset = await services.assets.create(editor.actor, 'trafford', LAPTOPS)
    expect(asset).toMatchObject({
      assetCode: 'IT-0001',
      cpvCode: '30213100',
      cpvLabel: 'Portable computers',
      assetClassLabel: 'Vehicles, plant, furniture and equipment',
      acquisitionCostPence: 240_000,
      valuePence: 240_000,
      status: 'in-use',
      sourceCrs: 'EPSG:4326',
      lat: 53.3879587,
      mustBeCategorised: true,
      categorised: true,
      mapped: true,
      version: 1,
    })
    expect(asset.easting).toBeCloseTo(376680, -1)
    expect(asset.northing).toBeCloseTo(387960, -1)
    // Four years' straight line from April 2022: long since written down to nothing.
    expect(asset.bookValuePence).toBeLessThan(240_000)
    const history = await auditHistory(db.kysely, 'asset', String(asset.id), { page: 1, pageSize: 5 })
    expect(history.items.map((e) => e.action)).toEqual(['asset.create'])
    expect(history.items[0]!.after).toMatchObject({ asset_code: 'IT-0001', acquisition_cost_pence: 240_000 })
  })

  it('refuses an asset worth £1,000 or more without a class and a CPV code, but not a cheaper one', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const refused = await services.assets.create(editor.actor, 'trafford', { assetCode: 'IT-0002', name: 'Projector', currentValuePence: '1000', valuationDate: '2025-01-01' }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ValidationError)
    expect(fieldsOf(refused)).toEqual(['assetClass', 'cpvCode'])
    const cheap = await services.assets.create(editor.actor, 'trafford', { assetCode: 'IT-0003', name: 'Kettle', acquisitionCostPence: '999.99' })
    expect(cheap).toMatchObject({ mustBeCategorised: false, categorised: false, valuePence: 99_999 })
  })

  it('names every bad field at once', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const error = await services.assets
      .create(editor.actor, 'trafford', {
        assetCode: '',
        name: '',
        cpvCode: '30200000-7',
        assetClass: 'spaceships',
        acquisitionCostPence: 'lots',
        acquisitionDate: '2099-01-01',
        condition: 'E',
        uprn: '1.00012E+11',
        postcode: 'NOT A POSTCODE',
        lat: '40.7',
        lon: '-74',
        utilisationPercent: '0.5',
        depreciationMethod: 'straight-line',
      })
      .catch((e: unknown) => e)
    expect(fieldsOf(error), JSON.stringify((error as ValidationError).fields)).toEqual(['acquisitionCostPence', 'acquisitionDate', 'assetClass', 'assetCode', 'condition', 'cpvCode', 'lat', 'name', 'postcode', 'uprn', 'usefulLifeYears', 'utilisationPercent'])
  })

  it('keeps asset codes unique within a body, not across bodies', async () => {
    const { services } = ctx()
    const trafford = await makeUser(services, { org: 'trafford' })
    const leeds = await makeUser(services, { org: 'leeds' })
    await services.assets.create(trafford.actor, 'trafford', { assetCode: 'SHARED-1', name: 'Depot' })
    const again = await services.assets.create(trafford.actor, 'trafford', { assetCode: 'SHARED-1', name: 'Another depot' }).catch((e: unknown) => e)
    expect(fieldsOf(again)).toEqual(['assetCode'])
    await expect(services.assets.create(leeds.actor, 'leeds', { assetCode: 'SHARED-1', name: 'Leeds depot' })).resolves.toMatchObject({ assetCode: 'SHARED-1' })
  })

  it('changes only the fields given, moves the whole location, and audits before and after', async () => {
    const { services, db } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const asset = await services.assets.create(editor.actor, 'trafford', { ...LAPTOPS, assetCode: 'IT-0010' })
    const moved = await services.assets.update(editor.actor, asset.id, { name: 'Library laptops (12)', easting: 378950, northing: 391530 }, asset.version)
    expect(moved).toMatchObject({ name: 'Library laptops (12)', cpvCode: '30213100', acquisitionCostPence: 240_000, sourceCrs: 'EPSG:27700', easting: 378950, northing: 391530, version: 2 })
    expect(moved.lat).toBeCloseTo(53.4201, 3)
    const history = await auditHistory(db.kysely, 'asset', String(asset.id), { page: 1, pageSize: 5 })
    expect(history.items.map((e) => e.action)).toEqual(['asset.update', 'asset.create'])
    expect(history.items[0]).toMatchObject({ before: { name: 'Library laptops', version: 1 }, after: { name: 'Library laptops (12)', version: 2 } })

    // Saying what is already stored changes nothing: no new version, no audit record.
    const same = await services.assets.update(editor.actor, asset.id, { name: 'Library laptops (12)' }, moved.version)
    expect(same.version).toBe(2)
    expect((await auditHistory(db.kysely, 'asset', String(asset.id), { page: 1, pageSize: 5 })).total).toBe(2)
    // Null clears a field.
    expect(await services.assets.update(editor.actor, asset.id, { uprn: '010012345678' }, 2)).toMatchObject({ uprn: '010012345678', version: 3 })
    expect(await services.assets.update(editor.actor, asset.id, { uprn: null }, 3)).toMatchObject({ uprn: null, version: 4 })
  })

  it('refuses a stale change with a conflict, saving nothing', async () => {
    const { services } = ctx()
    const first = await makeUser(services, { org: 'trafford' })
    const second = await makeUser(services, { org: 'trafford' })
    const asset = await services.assets.create(first.actor, 'trafford', { assetCode: 'DESK-1', name: 'Desk' })
    await services.assets.update(first.actor, asset.id, { name: 'Standing desk' }, 1)
    const stale = await services.assets.update(second.actor, asset.id, { name: 'Old desk' }, 1).catch((e: unknown) => e)
    expect(stale).toBeInstanceOf(ConflictError)
    expect((stale as ConflictError).message).toMatch(/Someone else changed this asset/)
    expect((await services.assets.find(asset.id)).name).toBe('Standing desk')
  })

  it('disposes of an asset with its date and method, keeping it with its history', async () => {
    const { services, db } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const asset = await services.assets.create(editor.actor, 'trafford', { ...LAPTOPS, assetCode: 'IT-0020' })
    const missing = await services.assets.dispose(editor.actor, asset.id, {}, asset.version).catch((e: unknown) => e)
    expect(fieldsOf(missing)).toEqual(['disposalDate', 'disposalMethod'])
    const disposed = await services.assets.dispose(editor.actor, asset.id, { disposalDate: '2025-06-30', disposalMethod: 'auction', disposalProceedsPence: '£310' }, asset.version)
    expect(disposed).toMatchObject({ status: 'disposed', disposalDate: '2025-06-30', disposalMethod: 'auction', disposalProceedsPence: 31_000, mustBeCategorised: false })
    await expect(services.assets.dispose(editor.actor, asset.id, { disposalDate: '2025-07-01', disposalMethod: 'sale' }, disposed.version)).rejects.toBeInstanceOf(ConflictError)
    expect((await services.assets.get(asset.id)).asset.status).toBe('disposed')
    const history = await auditHistory(db.kysely, 'asset', String(asset.id), { page: 1, pageSize: 5 })
    expect(history.items.map((e) => e.action)).toEqual(['asset.dispose', 'asset.create'])
    // Disposal details belong to disposed assets only.
    const live = await services.assets.create(editor.actor, 'trafford', { assetCode: 'IT-0021', name: 'Printer', disposalDate: '2025-01-01' }).catch((e: unknown) => e)
    expect(fieldsOf(live)).toEqual(['disposalDate'])
  })

  it('links parts to their site within the body, refusing unknown parents and loops', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const leeds = await makeUser(services, { org: 'leeds' })
    await services.assets.create(leeds.actor, 'leeds', { assetCode: 'LEEDS-SITE', name: 'Leeds site' })
    const site = await services.assets.create(editor.actor, 'trafford', { assetCode: 'SITE-1', name: 'Town hall' })
    const room = await services.assets.create(editor.actor, 'trafford', { assetCode: 'ROOM-1', name: 'Council chamber', parentAssetCode: 'SITE-1' })
    expect(room.parentId).toBe(site.id)
    const detail = await services.assets.get(site.id)
    expect(detail.children).toEqual([{ id: room.id, assetCode: 'ROOM-1', name: 'Council chamber' }])
    expect((await services.assets.get(room.id)).parent).toEqual({ id: site.id, assetCode: 'SITE-1', name: 'Town hall' })
    const foreign = await services.assets.create(editor.actor, 'trafford', { assetCode: 'ROOM-2', name: 'Room', parentAssetCode: 'LEEDS-SITE' }).catch((e: unknown) => e)
    expect((foreign as ValidationError).fields).toEqual([{ name: 'parentAssetCode', message: expect.stringMatching(/has no asset with the code “LEEDS-SITE”/) }])
    const loop = await services.assets.update(editor.actor, site.id, { parentAssetCode: 'ROOM-1' }, site.version).catch((e: unknown) => e)
    expect((loop as ValidationError).fields[0]!.message).toMatch(/part of itself or of one of its own parts/)
  })

  it('lets nobody but the owning body change its assets: every write, by every kind of outsider', async () => {
    const { services, db } = ctx()
    const owner = await makeUser(services, { org: 'trafford', role: 'admin' })
    const asset = await services.assets.create(owner.actor, 'trafford', { assetCode: 'GUARDED-1', name: 'Guarded asset' })
    const outsider = await makeUser(services, { org: 'manchester', role: 'admin' })
    const nobody = await makeUser(services)
    const { secret: foreignWrite } = await services.accounts.createToken(system, 'manchester', { name: 'Manchester assets', scope: 'write' })
    const { secret: ownRead } = await services.accounts.createToken(system, 'trafford', { name: 'Trafford reader', scope: 'read' })
    const intruders = [
      { who: 'a member of another body', actor: outsider.actor, status: 403 },
      { who: 'a signed-in person of no body', actor: nobody.actor, status: 403 },
      { who: 'another body’s write token', actor: (await services.accounts.actorForToken(foreignWrite))!, status: 403 },
      { who: 'the body’s own read token', actor: (await services.accounts.actorForToken(ownRead))!, status: 403 },
      { who: 'someone not signed in', actor: anonymous, status: 401 },
    ]
    const file = Buffer.from('asset_code,name\nGUARDED-1,Renamed by an intruder\nINTRUDER-1,Planted asset\n')
    for (const { who, actor, status } of intruders) {
      const attempts = {
        create: () => services.assets.create(actor, 'trafford', { assetCode: 'INTRUDER-1', name: 'Planted asset' }),
        update: () => services.assets.update(actor, asset.id, { name: 'Renamed' }, asset.version),
        dispose: () => services.assets.dispose(actor, asset.id, { disposalDate: '2025-01-01', disposalMethod: 'sale' }, asset.version),
        import: () => services.assetImport.importCsv(actor, 'trafford', file),
      }
      for (const [write, attempt] of Object.entries(attempts)) {
        const error = await attempt().then(() => undefined, (e: unknown) => e)
        expect((error as { status?: number })?.status, `${write} by ${who}`).toBe(status)
      }
    }
    expect(await services.assets.find(asset.id)).toMatchObject({ name: 'Guarded asset', status: 'in-use', version: 1 })
    expect((await services.assets.list({ body: 'trafford' }, { page: 1, pageSize: 100 })).items.map((a) => a.assetCode)).not.toContain('INTRUDER-1')
    expect((await auditHistory(db.kysely, 'asset', String(asset.id), { page: 1, pageSize: 5 })).total).toBe(1)
    // A platform administrator may act for any body.
    const admin = await makeUser(services, { platformAdmin: true })
    await expect(services.assets.update(admin.actor, asset.id, { name: 'Renamed by the platform' }, 1)).resolves.toMatchObject({ version: 2 })
  })
})
