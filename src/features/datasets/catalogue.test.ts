import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'

describeEachEngine('the catalogue reader', (ctx) => {
  it('streams every declaration in id order with its publisher, distributions and next release', async () => {
    const { services } = ctx()
    await seedCouncils(services)
    const trafford = await makeUser(services, { org: 'trafford' })
    const leeds = await makeUser(services, { org: 'leeds' })
    const declared: string[] = []
    for (let i = 0; i < 7; i++) {
      const d = await services.datasets.declare(trafford.actor, 'trafford', { title: `Trafford ${i}`, description: 'd', themes: ['GOVE'], frequency: 'annual' })
      declared.push(d.id)
    }
    const published = await services.datasets.declare(leeds.actor, 'leeds', { title: 'Leeds bins', description: 'd', themes: ['ENVI'], frequency: 'weekly' }, [
      { title: 'CSV', downloadUrl: 'https://example.org/bins.csv', format: 'CSV' },
    ])
    const secret = await services.datasets.declare(leeds.actor, 'leeds', {
      title: 'Leeds informants', description: 'd', themes: ['JUST'], frequency: 'never',
      accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'Names of people',
    })
    await services.datasets.addRelease(trafford.actor, declared[0]!, { plannedDate: '2031-06', state: 'confirmed' })
    declared.push(published.id, secret.id)

    const all = []
    for await (const entry of services.datasetCatalogue.stream({}, 3)) all.push(entry)
    expect(all.map((e) => e.dataset.id)).toEqual([...declared].sort())
    const bins = all.find((e) => e.dataset.id === published.id)!
    expect(bins.publisher.slug).toBe('leeds')
    expect(bins.distributions.map((d) => d.downloadUrl)).toEqual(['https://example.org/bins.csv'])
    expect(all.find((e) => e.dataset.id === declared[0])!.nextRelease).toMatchObject({ plannedDate: '2031-06-01', precision: 'month' })

    expect(await services.datasetCatalogue.count({ openOnly: true })).toBe(8)
    const leedsOnly = await services.datasetCatalogue.batch({ organisationId: bins.publisher.id }, { limit: 10 })
    expect(leedsOnly.map((e) => e.dataset.title).sort()).toEqual(['Leeds bins', 'Leeds informants'])
    const future = await services.datasetCatalogue.count({ modifiedSince: '2999-01-01T00:00:00Z' })
    expect(future).toBe(0)
    expect(await services.datasetCatalogue.entry('no-such-id')).toBeUndefined()
  })
})

describeEachEngine('deep pages of the catalogue', (ctx) => {
  it('gives the same rows from remembered page marks as the database gives from its offset, and sees new datasets', async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    const editor = await makeUser(services, { org: 'manchester' })
    const organisation = await services.organisations.getBySlug('manchester')
    // Enough rows for marks (offsets from 2,000), written in bulk as an import does.
    await db.kysely.transaction().execute((trx) =>
      services.datasets.insertDeclarations(
        trx,
        editor.actor,
        organisation,
        Array.from({ length: 2_350 }, (_, i) => ({
          values: { reference: `M-${i}`, title: `Dataset ${i}`, description: 'd', keywords: [], themes: ['GOVE'], accessLevel: 'open', accessReason: null, accessExplanation: null, licence: 'OGL-UK-3.0', frequency: 'annual', temporalStart: null, temporalEnd: null, spatial: null, contactName: null, contactEmail: null },
          distributions: [],
        })) as never,
      ),
    )
    const direct = async (offset: number, limit: number) =>
      (await db.kysely.selectFrom('datasets').select('id').orderBy('id').limit(limit).offset(offset).execute()).map((r) => r.id)
    for (const offset of [0, 1_999, 2_000, 2_137, 2_300, 2_349]) {
      const page = await services.datasetCatalogue.batch({}, { offset, limit: 100 })
      expect(page.map((e) => e.dataset.id), `offset ${offset}`).toEqual(await direct(offset, 100))
    }
    expect(await services.datasetCatalogue.batch({}, { offset: 2_400, limit: 100 })).toEqual([])
    await services.datasets.declare(editor.actor, 'manchester', { title: 'One more', description: 'd', themes: ['GOVE'], frequency: 'annual' })
    const after = await services.datasetCatalogue.batch({}, { offset: 2_300, limit: 100 })
    expect(after.map((e) => e.dataset.id)).toEqual(await direct(2_300, 100))
    expect(after).toHaveLength(51)
  })
})
