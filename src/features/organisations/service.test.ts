import { describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../test/support/fixtures.js'
import { anonymous } from '../../platform/actor.js'
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../platform/errors.js'
import { auditHistory } from '../../platform/audit.js'
import { readLocalAuthorityRegister } from './register.js'

describe('the local authority register file', () => {
  const entries = readLocalAuthorityRegister()

  it('holds every current UK local authority, each with a unique slug and GSS code', () => {
    expect(entries).toHaveLength(397)
    expect(new Set(entries.map((e) => e.slug)).size).toBe(397)
    expect(new Set(entries.map((e) => e.gssCode)).size).toBe(397)
  })

  it('uses GOV.UK slugs, and makes one from the name where the register has none', () => {
    expect(entries.find((e) => e.gssCode === 'E08000009')).toMatchObject({ slug: 'trafford', shortName: 'Trafford', nation: 'England', region: 'North West', type: 'MD' })
    expect(entries.find((e) => e.name === 'Cumberland Council')?.slug).toBe('cumberland')
  })
})

describeEachEngine('organisations', (ctx) => {
  it('imports the whole register once, and a second import changes nothing', async () => {
    const { services, db } = ctx()
    const first = await services.organisations.importRegister(system, readLocalAuthorityRegister())
    expect(first).toEqual({ created: 397, updated: 0, unchanged: 0 })
    const second = await services.organisations.importRegister(system, readLocalAuthorityRegister())
    expect(second).toEqual({ created: 0, updated: 0, unchanged: 397 })
    expect(await services.organisations.count()).toBe(397)
    const trafford = await services.organisations.getBySlug('trafford')
    expect(trafford).toMatchObject({ name: 'Trafford Metropolitan Borough Council', identifier: 'E08000009', typeLabel: 'Metropolitan district' })
    const history = await auditHistory(db.kysely, 'organisation', trafford.id, { page: 1, pageSize: 10 })
    expect(history.items.map((e) => e.action)).toEqual(['organisation.create'])
  })

  it('searches by words in any order, case-insensitively, and filters by type, nation and region', async () => {
    const { services } = ctx()
    const byName = await services.organisations.list({ q: 'TRAFF' }, { page: 1, pageSize: 20 })
    expect(byName.items.map((o) => o.slug)).toEqual(['trafford'])
    const byCode = await services.organisations.list({ q: 'e08000009' }, { page: 1, pageSize: 20 })
    expect(byCode.items.map((o) => o.slug)).toEqual(['trafford'])
    const welsh = await services.organisations.list({ nation: 'Wales' }, { page: 1, pageSize: 100 })
    expect(welsh.total).toBe(22)
    const londonBoroughs = await services.organisations.list({ type: 'LBO', region: 'London' }, { page: 1, pageSize: 10 })
    expect(londonBoroughs.total).toBe(32)
    expect(londonBoroughs.items).toHaveLength(10)
    const page4 = await services.organisations.list({ type: 'LBO' }, { page: 4, pageSize: 10 })
    expect(page4.items).toHaveLength(2)
    const percent = await services.organisations.list({ q: '100%_' }, { page: 1, pageSize: 10 })
    expect(percent.total).toBe(0)
  })

  it('lets a platform admin add another kind of body, with a parent, and records it', async () => {
    const { services, db } = ctx()
    const admin = await makeUser(services, { platformAdmin: true })
    const police = await services.organisations.create(admin.actor, {
      name: 'Greater Manchester Police',
      type: 'police',
      identifier: 'GB-GOR-PF123',
      nation: 'England',
      parentSlug: 'trafford',
      website: 'https://www.gmp.police.uk/',
    })
    expect(police).toMatchObject({ slug: 'greater-manchester-police', shortName: 'Greater Manchester Police', source: 'admin' })
    const history = await auditHistory(db.kysely, 'organisation', police.id, { page: 1, pageSize: 10 })
    expect(history.items[0]).toMatchObject({ action: 'organisation.create', actor: expect.stringContaining('Person') })
  })

  it('reports every invalid field at once', async () => {
    const { services } = ctx()
    const admin = await makeUser(services, { platformAdmin: true })
    const error = await services.organisations
      .create(admin.actor, { name: '', type: 'castle', identifier: 'nonsense', website: 'javascript:alert(1)', slug: 'Bad Slug', parentSlug: 'nowhere' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields.map((f) => f.name).sort()).toEqual(['identifier', 'name', 'parentSlug', 'slug', 'type', 'website'])
  })

  it('refuses a duplicate slug or identifier', async () => {
    const { services } = ctx()
    const admin = await makeUser(services, { platformAdmin: true })
    const error = await services.organisations.create(admin.actor, { name: 'Trafford', slug: 'trafford', type: 'other', identifier: 'E08000009' }).catch((e: unknown) => e)
    expect((error as ValidationError).fields.map((f) => f.name).sort()).toEqual(['identifier', 'slug'])
  })

  it('lets only platform admins add bodies, and only a body’s admins change it', async () => {
    const { services } = ctx()
    const councilAdmin = await makeUser(services, { org: 'trafford', role: 'admin' })
    const editor = await makeUser(services, { org: 'trafford', role: 'editor' })
    const plain = await makeUser(services)
    const otherAdmin = await makeUser(services, { org: 'manchester', role: 'admin' })
    const before = await services.organisations.count()
    await expect(services.organisations.create(anonymous, { name: 'X', type: 'other' })).rejects.toBeInstanceOf(UnauthenticatedError)
    for (const who of [councilAdmin, plain]) {
      await expect(services.organisations.create(who.actor, { name: 'X', type: 'other' })).rejects.toBeInstanceOf(ForbiddenError)
    }
    expect(await services.organisations.count()).toBe(before)

    const original = await services.organisations.getBySlug('trafford')
    for (const who of [editor, plain, otherAdmin]) {
      await expect(services.organisations.update(who.actor, 'trafford', { website: 'https://evil.example/' })).rejects.toBeInstanceOf(ForbiddenError)
    }
    await expect(services.organisations.update(anonymous, 'trafford', { website: 'https://evil.example/' })).rejects.toBeInstanceOf(UnauthenticatedError)
    expect(await services.organisations.getBySlug('trafford')).toEqual(original)

    const updated = await services.organisations.update(councilAdmin.actor, 'trafford', { website: 'https://www.trafford.gov.uk/' })
    expect(updated.website).toBe('https://www.trafford.gov.uk/')
  })
})

describeEachEngine('organisation fixtures', (ctx) => {
  it('loads a handful of councils for other tests', async () => {
    const councils = await seedCouncils(ctx().services)
    expect(Object.keys(councils).sort()).toEqual(['leeds', 'manchester', 'trafford'])
  })
})
