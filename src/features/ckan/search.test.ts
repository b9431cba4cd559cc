import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { PUBLIC_TITLES, seedCkanFixture } from '../../../test/fixtures/ckan/catalogue.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { buildTestApp } from '../../../test/support/web.js'

interface SearchResult {
  count: number
  results: { id: string; name: string; title: string; state: string; metadata_modified: string }[]
  facets: Record<string, Record<string, number>>
  search_facets: Record<string, { title: string; items: { name: string; display_name: string; count: number }[] }>
}

describeEachEngine('CKAN package_search over the inventory', (ctx) => {
  let app: FastifyInstance
  let ids: Map<string, string>
  const search = async (params: Record<string, string>): Promise<SearchResult> => {
    const response = await app.inject({ method: 'GET', url: `/api/3/action/package_search?${new URLSearchParams({ rows: '100', ...params })}` })
    expect(response.statusCode, response.body).toBe(200)
    return JSON.parse(response.body).result
  }
  const titles = async (params: Record<string, string>) => (await search(params)).results.map((r) => r.title).sort()

  beforeAll(async () => {
    ids = await seedCkanFixture(ctx().services)
    app = await buildTestApp(ctx())
  }, 60_000)
  afterAll(async () => {
    await app?.close()
  })

  it('filters on each field CKAN clients use', async () => {
    expect(await titles({ fq: 'organization:leeds' })).toEqual(['Cycle route network', 'Libraries and opening hours', 'Recycling rates by ward'])
    expect(await titles({ fq: 'tags:transport' })).toEqual(['Bus route changes', 'Cycle route network'])
    expect(await titles({ fq: 'tags:"air quality"' })).toEqual(['Air quality monitoring'])
    // A keyword matches whole: "air" is not "air quality".
    expect(await titles({ fq: 'tags:air' })).toEqual([])
    expect(await titles({ fq: 'res_format:CSV' })).toEqual(['Gritting routes', 'Recycling rates by ward', 'Spending over £500'])
    expect(await titles({ fq: 'res_format:geojson' })).toEqual(['Cycle route network'])
    expect(await titles({ fq: 'license_id:CC-BY-4.0' })).toEqual(['Bus route changes', 'Libraries and opening hours'])
    expect(await titles({ fq: 'groups:envi' })).toEqual(['Air quality monitoring', 'Cycle route network', 'Recycling rates by ward'])
    // Wildcard characters are plain characters: they match no theme, not every theme.
    expect(await titles({ fq: 'groups:%' })).toEqual([])
    expect(await titles({ fq: `id:${ids.get('Gritting routes')}` })).toEqual(['Gritting routes'])
    const bus = (await search({ fq: 'tags:buses' })).results[0]!
    expect(await titles({ fq: `name:${bus.name}` })).toEqual(['Bus route changes'])
    expect(await titles({ fq: 'num_resources:[2 TO *]' })).toEqual(['Recycling rates by ward', 'Spending over £500'])
    expect(await titles({ fq: 'num_resources:0' })).toEqual(['Air quality monitoring'])
    expect(await titles({ fq: 'title:route' })).toEqual(['Bus route changes', 'Cycle route network', 'Gritting routes'])
  })

  it('combines filters with AND, spaces, OR, NOT and brackets', async () => {
    expect(await titles({ fq: 'organization:leeds AND res_format:CSV' })).toEqual(['Recycling rates by ward'])
    expect(await titles({ fq: 'organization:leeds res_format:CSV' })).toEqual(['Recycling rates by ward'])
    expect(await titles({ fq: '+organization:leeds +res_format:JSON' })).toEqual(['Libraries and opening hours'])
    expect(await titles({ fq: 'organization:leeds OR organization:manchester' })).toEqual(['Bus route changes', 'Cycle route network', 'Libraries and opening hours', 'Recycling rates by ward'])
    expect(await titles({ fq: 'organization:(leeds OR manchester) tags:transport' })).toEqual(['Bus route changes', 'Cycle route network'])
    expect(await titles({ fq: '-organization:trafford' })).toEqual(['Bus route changes', 'Cycle route network', 'Libraries and opening hours', 'Recycling rates by ward'])
    expect(await titles({ fq: 'groups:tran NOT organization:trafford' })).toEqual(['Bus route changes', 'Cycle route network'])
    expect(await titles({ fq: 'organization:leeds', fq_list: JSON.stringify(['license_id:OGL-UK-3.0']) })).toEqual(['Cycle route network'])
    // What CKAN itself and its clients add to every query.
    expect(await titles({ fq: '+capacity:public +dataset_type:dataset +site_id:"default" +state:active' })).toEqual(PUBLIC_TITLES)
    expect(await titles({ fq: '*:*' })).toEqual(PUBLIC_TITLES)
    // A field the index does not hold matches nothing, as in Solr.
    expect(await titles({ fq: 'no_such_field:x' })).toEqual([])
  })

  it('reads q as words, or as a Solr query when it names a field', async () => {
    expect(await titles({ q: 'recycling waste' })).toEqual(['Recycling rates by ward'])
    expect(await titles({ q: 'ROUTES' })).toEqual(['Bus route changes', 'Cycle route network', 'Gritting routes'])
    expect(await titles({ q: 'Leeds' })).toEqual(['Cycle route network', 'Libraries and opening hours', 'Recycling rates by ward'])
    expect(await titles({ q: 'the' })).toEqual(PUBLIC_TITLES)
    expect(await titles({ q: 'tags:transport' })).toEqual(['Bus route changes', 'Cycle route network'])
    expect(await titles({ q: 'organization:trafford routes' })).toEqual(['Gritting routes'])
    // Non-public datasets cannot be found by their words either.
    expect(await titles({ q: 'leisure' })).toEqual([])
    expect(await titles({ q: 'lighting' })).toEqual([])
  })

  it('shows withdrawn datasets only when asked for deleted ones', async () => {
    expect(await titles({ fq: 'state:deleted' })).toEqual(['Street lighting inventory'])
    const withDeleted = await search({ include_deleted: 'true', fq: 'organization:manchester' })
    expect(withDeleted.results.map((r) => [r.title, r.state]).sort()).toEqual([
      ['Bus route changes', 'active'],
      ['Street lighting inventory', 'deleted'],
    ])
  })

  it('filters on when a dataset changed, with Solr dates and NOW', async () => {
    const all = (await search({ sort: 'metadata_modified asc' })).results.map((r) => r.metadata_modified)
    const middle = all[3]!
    const since = `${middle}Z`
    const howMany = (test: (m: string) => boolean) => all.filter(test).length
    expect(howMany((m) => m > middle)).toBeGreaterThan(0)
    expect((await search({ fq: `metadata_modified:[${since} TO *]` })).count).toBe(howMany((m) => m >= middle))
    expect((await search({ fq: `metadata_modified:{${since} TO *]` })).count).toBe(howMany((m) => m > middle))
    expect((await search({ fq: `metadata_modified:[* TO ${since}]` })).count).toBe(howMany((m) => m <= middle))
    expect((await search({ fq: `metadata_modified:[* TO ${since}}` })).count).toBe(howMany((m) => m < middle))
    expect((await search({ fq: 'metadata_modified:[NOW-1DAY TO NOW]' })).count).toBe(7)
    expect((await search({ fq: 'metadata_modified:[NOW+1DAY TO *]' })).count).toBe(0)
    expect((await search({ fq: 'metadata_created:[* TO NOW/YEAR-10YEARS]' })).count).toBe(0)
  })

  it('counts facets over what matched, in CKAN’s two shapes', async () => {
    const result = await search({ rows: '0', 'facet.field': JSON.stringify(['organization', 'tags', 'res_format', 'license_id', 'groups']) })
    expect(result.results).toEqual([])
    expect(result.facets).toEqual({
      organization: { leeds: 3, trafford: 3, manchester: 1 },
      tags: { transport: 2, 'air quality': 1, buses: 1, culture: 1, cycling: 1, libraries: 1, pollution: 1, recycling: 1, roads: 1, spending: 1, transparency: 1, waste: 1, winter: 1 },
      res_format: { CSV: 3, JSON: 3, GEOJSON: 1, XLSX: 1 },
      license_id: { 'OGL-UK-3.0': 4, 'CC-BY-4.0': 2, 'CC0-1.0': 1 },
      groups: { envi: 3, tran: 3, econ: 1, educ: 1, gove: 1, heal: 1 },
    })
    // Most first, then by value, as Solr orders them.
    expect(Object.keys(result.facets.tags!).slice(0, 3)).toEqual(['transport', 'air quality', 'buses'])
    expect(result.search_facets.organization).toEqual({
      title: 'organization',
      items: [
        { name: 'trafford', display_name: 'Trafford Metropolitan Borough Council', count: 3 },
        { name: 'manchester', display_name: 'Manchester City Council', count: 1 },
        { name: 'leeds', display_name: 'Leeds City Council', count: 3 },
      ],
    })
    expect(result.search_facets.license_id!.items[0]).toEqual({ name: 'OGL-UK-3.0', display_name: 'Open Government Licence v3.0', count: 4 })
    expect(result.search_facets.groups!.items.find((i) => i.name === 'envi')).toEqual({ name: 'envi', display_name: 'Environment', count: 3 })

    const narrowed = await search({ fq: 'organization:leeds', 'facet.field': '["res_format","organization","no_such_field"]' })
    expect(narrowed.facets).toEqual({ res_format: { CSV: 1, GEOJSON: 1, JSON: 1, XLSX: 1 }, organization: { leeds: 3 }, no_such_field: {} })
    const limited = await search({ 'facet.field': '["tags"]', 'facet.limit': '2' })
    expect(limited.facets.tags).toEqual({ transport: 2, 'air quality': 1 })
    const common = await search({ 'facet.field': '["tags","groups"]', 'facet.mincount': '2' })
    expect(common.facets).toEqual({ tags: { transport: 2 }, groups: { envi: 3, tran: 3 } })
    expect((await search({ 'facet.field': '["tags"]', facet: 'false' })).facets).toEqual({})
  })

  it('sorts as asked, and pages without overlap', async () => {
    expect((await search({ sort: 'title_string asc' })).results.map((r) => r.title)).toEqual(PUBLIC_TITLES)
    expect((await search({ sort: 'title_string desc' })).results.map((r) => r.title)).toEqual([...PUBLIC_TITLES].reverse())
    const byId = (await search({ sort: 'id asc' })).results.map((r) => r.id)
    expect(byId).toEqual([...byId].sort())
    expect((await search({ sort: 'id desc' })).results.map((r) => r.id)).toEqual([...byId].reverse())
    const modified = (await search({ sort: 'metadata_modified asc' })).results.map((r) => r.metadata_modified)
    expect(modified).toEqual([...modified].sort())
    const ranked = await search({ q: 'routes', sort: 'score desc, metadata_modified desc' })
    expect(ranked.results.map((r) => r.title).sort()).toEqual(['Bus route changes', 'Cycle route network', 'Gritting routes'])
    const pages = []
    for (let start = 0; start < 8; start += 3) pages.push(...(await search({ sort: 'title_string asc', rows: '3', start: String(start) })).results.map((r) => r.title))
    expect(pages).toEqual(PUBLIC_TITLES)
    const beyond = await search({ start: '50' })
    expect(beyond).toMatchObject({ count: 7, results: [] })
  })
})
