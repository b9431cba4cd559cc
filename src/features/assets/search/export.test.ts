import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { LEEDS_ROWS, MANCHESTER_ROWS, TRAFFORD_ROWS } from '../../../../test/fixtures/asset-search/examples.js'
import { importRegister, streetOfAssets } from '../../../../test/fixtures/asset-search/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils, system } from '../../../../test/support/fixtures.js'
import { appWith } from '../../../../test/support/web.js'
import { TRAFFORD_REGISTER } from '../demo.js'
import { TRANSPARENCY_CODE_COLUMNS } from './export.js'

interface Feature {
  type: string
  id: number
  geometry: { type: string; coordinates: number[] } | null
  properties: Record<string, unknown>
}

describeEachEngine('exporting the asset register', (ctx) => {
  let app: FastifyInstance
  const csvOf = async (url: string) => {
    const response = await app.inject({ url })
    expect(response.statusCode, url).toBe(200)
    return { response, rows: parse(response.body) as string[][] }
  }

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    await importRegister(services, 'trafford', [
      ...TRAFFORD_ROWS,
      { asset_code: 'TRF-F1', name: '=HYPERLINK("http://evil.example","Click")', status: 'in use' },
      { asset_code: '+44 TRF', name: '@SUM(1+1)', description: 'x', status: 'in use', street_name: '-1 Minus Street' },
    ])
    await importRegister(services, 'manchester', [...MANCHESTER_ROWS, ...streetOfAssets('MAN', 1100, 53.47, -2.25)])
    await importRegister(services, 'leeds', LEEDS_ROWS)
    app = await appWith(ctx())
  })
  afterAll(async () => app?.close())

  it('writes CSV in the Transparency Code’s 20 columns, in its order', async () => {
    const published = readFileSync(TRAFFORD_REGISTER, 'utf8').split(/\r?\n/)[0]!.replace(/^\uFEFF/, '')
    expect(TRANSPARENCY_CODE_COLUMNS.join(',')).toBe(published)
    const { response, rows } = await csvOf('/assets.csv?body=trafford')
    expect(response.headers['content-type']).toMatch(/^text\/csv/)
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="assets.csv"/)
    expect(rows[0]).toEqual([...TRANSPARENCY_CODE_COLUMNS])
    expect(rows).toHaveLength(1 + 8)
    const library = rows.find((r) => r[4] === 'TRF0001')!
    const cell = (name: (typeof TRANSPARENCY_CODE_COLUMNS)[number]) => library[TRANSPARENCY_CODE_COLUMNS.indexOf(name)]
    expect(cell('OrganisationLabel')).toBe('Trafford Metropolitan Borough Council')
    expect(cell('OrganisationURI')).toBe('http://statistics.data.gov.uk/id/statistical-geography/E08000009')
    expect(cell('UPRN')).toBe('100012797623')
    expect(cell('PropertyName')).toBe('Altrincham Library')
    expect(cell('PostCode')).toBe('WA14 1PF')
    expect(cell('CoordinateReferenceSystem')).toBe('WGS84')
    // A negative longitude is a number, not a formula: it goes out as it is.
    expect(Number(cell('GeoX'))).toBeCloseTo(-2.3520922, 6)
    expect(Number(cell('GeoY'))).toBeCloseTo(53.3879587, 6)
  })

  it('escapes cells a spreadsheet would run as formulas', async () => {
    const { response, rows } = await csvOf('/assets.csv?body=trafford')
    const hyperlink = rows.find((r) => r[4] === 'TRF-F1')!
    expect(hyperlink[5]).toBe(`'=HYPERLINK("http://evil.example","Click")`)
    const plus = rows.find((r) => r[4] === `'+44 TRF`)!
    expect(plus[5]).toBe(`'@SUM(1+1)`)
    expect(plus[7]).toBe(`'-1 Minus Street`)
    for (const row of rows) for (const cell of row) expect(cell, cell).not.toMatch(/^[=+@]/)
    expect(response.body).not.toMatch(/(^|,)=HYPERLINK/m)
  })

  it('filters the CSV like the search page, and streams a register bigger than one batch', async () => {
    const vacant = await csvOf('/assets.csv?status=vacant')
    expect(vacant.rows.slice(1).map((r) => r[4])).toEqual(['LDS0001'])
    const words = await csvOf('/assets.csv?q=library&body=trafford')
    expect(words.rows.slice(1).map((r) => r[4]).sort()).toEqual(['TRF0001', 'TRF0002', 'TRF0004'])
    const everything = await csvOf('/assets.csv')
    expect(everything.rows).toHaveLength(1 + 8 + 1102 + 1)
    expect(new Set(everything.rows.slice(1).map((r) => `${r[0]}|${r[4]}`)).size).toBe(1111)
    const filtered = await csvOf('/assets.csv?body=manchester&class=infrastructure')
    expect(filtered.rows).toHaveLength(1 + 1100)
  })

  it('imports back: a register exported from one body is read by the import as it wrote it', async () => {
    const { services } = ctx()
    const { response } = await csvOf('/assets.csv?body=trafford&q=library')
    const report = await services.assetImport.importCsv(system, 'leeds', Buffer.from(response.body), {})
    expect(report).toMatchObject({ format: 'transparency-code', created: 3, rejectedRows: 0, saved: true })
    const copy = await services.assets.list({ body: 'leeds' }, { page: 1, pageSize: 100 })
    const library = copy.items.find((a) => a.assetCode === 'TRF0001')!
    expect(library).toMatchObject({ name: 'Altrincham Library', uprn: '100012797623', postcode: 'WA14 1PF' })
    expect(library.lat).toBeCloseTo(53.3879587, 6)
  })

  it('writes RFC 7946 GeoJSON: a FeatureCollection of points in longitude, latitude order, unmapped assets without geometry', async () => {
    const response = await app.inject({ url: '/assets.geojson?body=trafford' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/geo\+json/)
    const collection = response.json<{ type: string; features: Feature[] }>()
    expect(Object.keys(collection).sort()).toEqual(['features', 'type'])
    expect(collection.type).toBe('FeatureCollection')
    expect(collection.features).toHaveLength(8)
    for (const feature of collection.features) {
      expect(feature.type).toBe('Feature')
      expect(typeof feature.properties).toBe('object')
      if (feature.geometry === null) continue
      expect(feature.geometry.type).toBe('Point')
      const [lon, lat] = feature.geometry.coordinates
      expect(feature.geometry.coordinates).toHaveLength(2)
      expect(lon).toBeGreaterThanOrEqual(-180)
      expect(lon).toBeLessThanOrEqual(180)
      expect(lat).toBeGreaterThanOrEqual(-90)
      expect(lat).toBeLessThanOrEqual(90)
    }
    const library = collection.features.find((f) => f.properties.assetCode === 'TRF0001')!
    expect(library.geometry!.coordinates[0]).toBeCloseTo(-2.3520922, 6)
    expect(library.geometry!.coordinates[1]).toBeCloseTo(53.3879587, 6)
    expect(library.properties).toMatchObject({ name: 'Altrincham Library', owner: 'Trafford Metropolitan Borough Council', cpvCode: '70130000', url: `http://lgds.test/assets/${library.id}` })
    expect(collection.features.find((f) => f.properties.assetCode === 'TRF0004')!.geometry).toBeNull()
  })

  it('filters the GeoJSON like the search page', async () => {
    const shared = (await app.inject({ url: '/assets.geojson?available=yes' })).json<{ features: Feature[] }>()
    expect(shared.features.map((f) => f.properties.assetCode).sort()).toEqual(['TRF0002', 'TRF0003'])
    const none = (await app.inject({ url: '/assets.geojson?q=no+such+words' })).json<{ features: Feature[] }>()
    expect(none.features).toEqual([])
    const many = (await app.inject({ url: '/assets.geojson?body=manchester' })).json<{ features: Feature[] }>()
    expect(many.features).toHaveLength(1102)
  })
})
