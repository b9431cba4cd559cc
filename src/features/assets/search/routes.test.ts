import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEEDS_ROWS, MANCHESTER_ROWS, TRAFFORD_ROWS } from '../../../../test/fixtures/asset-search/examples.js'
import { importRegister } from '../../../../test/fixtures/asset-search/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils } from '../../../../test/support/fixtures.js'
import { appWith } from '../../../../test/support/web.js'
import { ConfigError, loadConfig } from '../../../config.js'
import { createViewEnvironment } from '../../../platform/views.js'

const decode = (html: string) => html.replace(/&amp;/g, '&')

describeEachEngine('the asset search pages', (ctx) => {
  let app: FastifyInstance

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    await importRegister(services, 'trafford', TRAFFORD_ROWS)
    await importRegister(services, 'manchester', MANCHESTER_ROWS)
    await importRegister(services, 'leeds', LEEDS_ROWS)
    app = await appWith(ctx(), { MAP_TILE_URL: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: 'Tiles by Example' })
  })
  afterAll(async () => app?.close())

  it('shows the search with facet counts, the chosen filters ticked, and every state in its address', async () => {
    const page = await app.inject({ url: '/assets?q=library&status=underused&sort=name' })
    expect(page.statusCode).toBe(200)
    const html = decode(page.body)
    expect(html).toMatch(/1 asset\s+matching “library”/)
    expect(html).toContain('Sale Library')
    expect(html).not.toContain('Altrincham Library</a>')
    expect(html).toMatch(/<input class="govuk-checkboxes__input" id="status[^"]*" name="status" type="checkbox" value="underused" checked>/)
    expect(html).toContain('Underused (1)')
    // The other statuses still count what choosing them would give.
    expect(html).toContain('In use (3)')
    expect(html).toContain('href="/assets/map?q=library&status=underused"')
    expect(html).toContain('href="/assets.csv?q=library&status=underused"')
    expect(html).toContain('href="/assets.geojson?q=library&status=underused"')
    expect(html).toContain('href="/assets?q=library"')
  })

  it('pages with links that keep the search, and offers a body’s own editors nothing to visitors', async () => {
    const page = decode((await app.inject({ url: '/assets?pageSize=4&sort=value' })).body)
    expect(page).toContain('href="/assets?sort=value&pageSize=4&page=2"')
    const body = await app.inject({ url: '/assets?body=trafford' })
    expect(body.body).toContain('About Trafford Metropolitan Borough Council')
    expect(body.body).not.toContain('/organisations/trafford/assets/new')
  })

  it('offers the map as an enhancement of the same list, which works without JavaScript', async () => {
    const page = await app.inject({ url: '/assets/map?class=community&bbox=-3,53,-1,54' })
    expect(page.statusCode).toBe(200)
    const html = decode(page.body)
    expect(html).toContain('data-features="/api/v1/assets.geojson?class=community"')
    expect(html).toContain('data-bbox="-3,53,-1,54"')
    expect(html).toContain('data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"')
    expect(html).toContain('The map needs JavaScript.')
    expect(html).toContain('href="/assets?class=community&bbox=-3,53,-1,54"')
    expect(html).toContain('<script src="/vendor/leaflet/leaflet.js"></script>')
    expect(html).toContain('<script type="module" src="/public/asset-map.js"></script>')
    // Without a place chosen, the map starts on the whole UK.
    expect((await app.inject({ url: '/assets/map' })).body).toContain('data-bbox="-8.7,49.8,1.9,60.9"')
  })

  it('lets pages load the configured tiles and nothing else from elsewhere', async () => {
    const page = await app.inject({ url: '/assets/map' })
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toMatch(/img-src 'self' data: https:\/\/\*\.tiles\.example\.org;/)
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+';/)
    const tiles = await app.inject({ url: '/assets/map/tiles.json' })
    expect(tiles.json()).toEqual({ url: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png', attribution: 'Tiles by Example' })
  })

  it('serves Leaflet from the project, and only its script, styles and images', async () => {
    expect((await app.inject({ url: '/vendor/leaflet/leaflet.js' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/vendor/leaflet/leaflet.css' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/vendor/leaflet/images/marker-icon.png' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/vendor/leaflet/leaflet-src.js.map' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/vendor/leaflet/../package.json' })).statusCode).toBe(404)
  })

  it('answers the same search as JSON, and refuses values no facet holds', async () => {
    const response = await app.inject({ url: '/api/v1/assets/search?q=library&status=in-use&pageSize=2' })
    expect(response.statusCode).toBe(200)
    const body = response.json<{ total: number; items: { assetCode: string; owner: { slug: string } }[]; facets: Record<string, { value: string; count: number }[]> }>()
    expect(body.total).toBe(3)
    expect(body.items).toHaveLength(2)
    expect(body.items[0]).toMatchObject({ owner: { slug: expect.any(String) } })
    expect(body.facets.status!.find((v) => v.value === 'underused')!.count).toBe(1)
    for (const query of ['class=spaceships', 'status=lost', 'pageSize=1000', 'sort=sideways', 'bbox=1,2']) {
      const refused = await app.inject({ url: `/api/v1/assets/search?${query}` })
      expect(refused.statusCode, query).toBe(400)
      expect(refused.headers['content-type'], query).toMatch(/^application\/problem\+json/)
    }
  })
})

describe('the small map on an asset’s page', () => {
  const render = (asset: object) => createViewEnvironment().render('assets/search/templates/location.njk', { asset })

  it('places a mapped asset, with a link to the assets around it', () => {
    const html = render({ mapped: true, lat: 53.3879587, lon: -2.3520922, name: 'Altrincham <Town> Hall' })
    expect(html).toContain('data-lat="53.3879587" data-lon="-2.3520922" data-name="Altrincham &lt;Town&gt; Hall"')
    expect(html).toContain('href="/assets/map?bbox=-2.36209,53.38196,-2.34209,53.39396"')
    expect(html).toContain('<script src="/vendor/leaflet/leaflet.js"></script>')
  })

  it('shows nothing for an asset not yet mapped: the page says so in words', () => {
    expect(render({ mapped: false, lat: null, lon: null, name: 'Kettle' }).trim()).toBe('')
  })
})

describe('the map tile setting', () => {
  const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', LGDS_DATA_DIR: '/tmp/lgds-test-unused', ...env })

  it('defaults to OpenStreetMap with its attribution', () => {
    expect(load({}).map).toEqual({ tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: expect.stringContaining('OpenStreetMap'), tileSource: 'https://tile.openstreetmap.org' })
  })

  it('takes another tile server, allowing its host (any of its {s} subdomains) for images', () => {
    expect(load({ MAP_TILE_URL: 'https://tiles.example.org:8443/osm/{z}/{x}/{y}.png' }).map.tileSource).toBe('https://tiles.example.org:8443')
    expect(load({ MAP_TILE_URL: 'https://{s}.tile.example.org/{z}/{x}/{y}{r}.png' }).map.tileSource).toBe('https://*.tile.example.org')
  })

  it('refuses an address that is not a tile template, naming the setting', () => {
    for (const url of ['ftp://tiles.example.org/{z}/{x}/{y}.png', 'https://tiles.example.org/tiles.png', "https://tiles.example.org/{z}/{x}/{y}.png' 'unsafe-inline", 'https://tiles.{q}.org/{z}/{x}/{y}.png', 'https://a.{s}.org/{z}/{x}/{y}.png']) {
      expect(() => load({ MAP_TILE_URL: url }), url).toThrow(ConfigError)
      expect(() => load({ MAP_TILE_URL: url }), url).toThrow(/MAP_TILE_URL/)
    }
  })
})
