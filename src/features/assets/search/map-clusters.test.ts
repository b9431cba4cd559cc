import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { importRegister, streetOfAssets, type TemplateRow } from '../../../../test/fixtures/asset-search/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils } from '../../../../test/support/fixtures.js'
import { appWith } from '../../../../test/support/web.js'
import type { Bbox } from './filters.js'
import { mapFeatures, type MapFeatures } from './map-clusters.js'
import { AssetSearch } from './search.js'

const UK: Bbox = [-8.7, 49.8, 1.9, 60.9]
/** Half of the Manchester street grid: 0.0013° apart east to west, 15 columns. */
const WEST_MANCHESTER: Bbox = [-2.2505, 53.47, -2.2405, 53.5]

const countOf = (f: MapFeatures['features'][number]) => ('cluster' in f.properties ? f.properties.count : 1)
const sum = (m: MapFeatures) => m.features.reduce((n, f) => n + countOf(f), 0)
const inside = ([lon, lat]: number[], [w, s, e, n]: Bbox) => lon! >= w && lon! <= e && lat! >= s && lat! <= n

describeEachEngine('the asset map', (ctx) => {
  let search: AssetSearch
  let manchester: TemplateRow[]
  let app: FastifyInstance

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    manchester = streetOfAssets('MAN', 300, 53.47, -2.25)
    const leeds = streetOfAssets('LDS', 40, 53.8, -1.55, { status: 'vacant' })
    await importRegister(services, 'manchester', manchester)
    await importRegister(services, 'leeds', [...leeds, { asset_code: 'LDS-unmapped', name: 'Unmapped lamp post', status: 'vacant' }])
    search = new AssetSearch(db)
    app = await appWith(ctx())
  })
  afterAll(async () => app?.close())

  it('clusters the whole UK into a few points whose counts add up to every mapped asset', async () => {
    const map = await mapFeatures(ctx().db, search, {}, { bbox: UK, zoom: 6 })
    expect(map.total).toBe(340)
    expect(sum(map)).toBe(340)
    expect(map.features.length).toBeLessThanOrEqual(10)
    for (const feature of map.features) {
      expect(feature.type).toBe('Feature')
      expect(feature.geometry.type).toBe('Point')
      expect(inside(feature.geometry.coordinates, UK)).toBe(true)
    }
    const cluster = map.features.find((f) => 'cluster' in f.properties)!
    expect(cluster).toMatchObject({ properties: { cluster: true } })
    // The cluster's box holds its point.
    const [w, s, e, n] = (cluster as { bbox: Bbox }).bbox
    expect(inside(cluster.geometry.coordinates, [w, s, e, n])).toBe(true)
  })

  it('keeps to the box: counts only the assets inside it, and places every point inside it', async () => {
    const expected = manchester.filter((row) => inside([Number(row.longitude), Number(row.latitude)], WEST_MANCHESTER)).length
    expect(expected).toBeGreaterThan(100)
    expect(expected).toBeLessThan(300)
    // Zoomed out, the box cuts through the map index's cells; zoomed in, it is read asset by asset.
    for (const zoom of [8, 11, 14]) {
      const map = await mapFeatures(ctx().db, search, {}, { bbox: WEST_MANCHESTER, zoom })
      expect(map.total, `zoom ${zoom}`).toBe(expected)
      expect(sum(map), `zoom ${zoom}`).toBe(expected)
      for (const feature of map.features) expect(inside(feature.geometry.coordinates, WEST_MANCHESTER)).toBe(true)
    }
  })

  it('answers with at most the features asked for, however far in the view is zoomed', async () => {
    for (const zoom of [10, 14, 18, 22]) {
      const map = await mapFeatures(ctx().db, search, {}, { bbox: [-2.26, 53.46, -2.22, 53.5], zoom }, 10)
      expect(map.features.length, `zoom ${zoom}`).toBeLessThanOrEqual(10)
      expect(sum(map), `zoom ${zoom}`).toBe(300)
    }
  })

  it('shows each asset of a view holding few, with its name and page', async () => {
    const box: Bbox = [-2.2505, 53.4695, -2.2485, 53.4725]
    const map = await mapFeatures(ctx().db, search, {}, { bbox: box, zoom: 18 })
    // Two columns of the grid by three rows.
    expect(map.total).toBe(6)
    expect(map.features).toHaveLength(6)
    const codes = manchester.filter((row) => inside([Number(row.longitude), Number(row.latitude)], box)).map((row) => row.name)
    expect(map.features.map((f) => (f.properties as { name: string }).name).sort()).toEqual(codes.sort())
    for (const feature of map.features) {
      expect(feature.properties).toMatchObject({ name: expect.stringMatching(/^MAN lamp post \d+$/), href: expect.stringMatching(/^\/assets\/\d+$/) })
      expect(feature).toHaveProperty('id', (feature.properties as { id: number }).id)
    }
  })

  it('takes the search’s filters and words', async () => {
    const vacant = await mapFeatures(ctx().db, search, { status: ['vacant'] }, { bbox: UK, zoom: 6 })
    expect(vacant.total).toBe(40)
    const words = await mapFeatures(ctx().db, search, { q: 'LDS lamp' }, { bbox: UK, zoom: 8 })
    expect(words.total).toBe(40)
    expect(sum(words)).toBe(40)
    const nothing = await mapFeatures(ctx().db, search, { q: 'nothing like this' }, { bbox: UK, zoom: 6 })
    expect(nothing).toMatchObject({ total: 0, features: [] })
  })

  it('answers GET /api/v1/assets.geojson as RFC 7946 GeoJSON, and refuses a box that is not one', async () => {
    const response = await app.inject({ url: '/api/v1/assets.geojson?bbox=-8.7,49.8,1.9,60.9&zoom=6&status=vacant' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/geo\+json/)
    const body = response.json<MapFeatures>()
    expect(body).toMatchObject({ type: 'FeatureCollection', total: 40, zoom: 6 })
    expect(body).not.toHaveProperty('crs')
    for (const query of ['bbox=1,2,3', 'bbox=3,2,1,0', 'bbox=-200,0,0,10', 'bbox=a,b,c,d', '']) {
      const refused = await app.inject({ url: `/api/v1/assets.geojson?${query}` })
      expect(refused.statusCode, query).toBe(400)
      expect(refused.json<{ errors: { name: string }[] }>().errors.map((e) => e.name), query).toEqual(['bbox'])
    }
    expect((await app.inject({ url: '/api/v1/assets.geojson?bbox=0,0,1,1&zoom=30' })).statusCode).toBe(400)
    expect((await app.inject({ url: '/api/v1/assets.geojson?bbox=0,0,1,1&limit=5000' })).statusCode).toBe(400)
  })
})
