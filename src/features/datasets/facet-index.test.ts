import { describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { createServices } from '../../services.js'
import { WeightedCache } from './weighted-cache.js'

describeEachEngine('the in-memory facet index', (ctx) => {
  it('sees what another app server wrote, renamed bodies included, and pages in the order asked for', async () => {
    const { services, db, config } = ctx()
    await seedCouncils(services)
    const editor = await makeUser(services, { org: 'trafford' })
    // A second set of services over the same database stands in for another app server.
    const elsewhere = createServices(config, db)
    expect((await elsewhere.datasetSearch.search({}, { page: 1, pageSize: 10 })).total).toBe(0)

    for (const title of ['Cemeteries', 'Allotments', 'Bus stops', 'Dog bins']) {
      await services.datasets.declare(editor.actor, 'trafford', { title, description: `${title} in the borough`, themes: 'ENVI', frequency: 'annual' }, title === 'Dog bins' ? [{ downloadUrl: 'https://example.org/bins.csv', format: 'csv' }] : [])
    }
    const byTitle = await elsewhere.datasetSearch.search({}, { page: 1, pageSize: 3 }, 'title')
    expect(byTitle.total).toBe(4)
    expect(byTitle.items.map((d) => d.title)).toEqual(['Allotments', 'Bus stops', 'Cemeteries'])
    const secondPage = await elsewhere.datasetSearch.search({}, { page: 2, pageSize: 3 }, 'title')
    expect(secondPage.items.map((d) => d.title)).toEqual(['Dog bins'])
    const newest = await elsewhere.datasetSearch.search({}, { page: 1, pageSize: 1 }, 'updated')
    expect(newest.items.map((d) => d.title)).toEqual(['Dog bins'])
    expect(newest.facets.format).toEqual([{ value: 'CSV', label: 'CSV', count: 1, selected: false }])
    expect(newest.facets.status.map((s) => [s.value, s.count])).toEqual([['declared', 3], ['published', 1]])

    const trafford = await services.organisations.getBySlug('trafford')
    const admin = await makeUser(services, { platformAdmin: true })
    const renamed = 'Trafford Borough Council (renamed)'
    await services.organisations.update(admin.actor, 'trafford', { name: renamed, shortName: trafford.shortName, type: trafford.type, nation: trafford.nation ?? undefined, region: trafford.region ?? undefined, identifier: trafford.identifier ?? undefined })
    const facets = (await elsewhere.datasetSearch.search({}, { page: 1, pageSize: 1 })).facets
    expect(facets.publisher).toEqual([expect.objectContaining({ slug: 'trafford', name: renamed, count: 4 })])
  })
})

describe('the weighted cache', () => {
  it('forgets the least recently used entries once the weight is over the limit', () => {
    const cache = new WeightedCache<string>(10)
    cache.set('a', 'A', 4)
    cache.set('b', 'B', 4)
    expect(cache.get('a')).toBe('A')
    cache.set('c', 'C', 4)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe('A')
    expect(cache.get('c')).toBe('C')
    cache.set('huge', 'H', 11)
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.get('a')).toBe('A')
  })
})
