import { parse } from 'csv-parse/sync'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { UNDERUSED_REGISTERS, importRows } from '../../../../test/fixtures/asset-reports/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils } from '../../../../test/support/fixtures.js'
import { appWith, errorSummary } from '../../../../test/support/web.js'
import { readLocalAuthorityRegister } from '../../organisations/register.js'

const decode = (html: string) => html.replace(/&amp;/g, '&')
/** The text of a page with its tags and runs of white space taken out. */
const text = (html: string) => decode(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

describeEachEngine('the underused-capital pages, downloads and API', (ctx) => {
  let app: FastifyInstance

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services, ['trafford', 'manchester', 'leeds', 'camden', 'stockport'])
    for (const [slug, rows] of Object.entries(UNDERUSED_REGISTERS)) await importRows(services, slug, rows)
    app = await appWith(ctx())
  })
  afterAll(async () => app?.close())

  it('shows the totals, the tables by reason, body, class and region, a map and the list, linked to each other', async () => {
    const page = await app.inject({ url: '/assets/underused' })
    expect(page.statusCode).toBe(200)
    const html = decode(page.body)
    const words = text(page.body)
    expect(words).toContain('7 underused assets')
    expect(words).toContain('Their book value £580,000')
    expect(words).toContain('24.1% of £2,405,000')
    expect(words).toMatch(/Utilisation below the threshold \(40%\) 2 £120,000 0/)
    // By body, most book value first, each linked to the report narrowed to it.
    expect(words).toMatch(/By body .* Manchester City Council 2 £400,000 0 Trafford Metropolitan Borough Council 4 £170,000 1 Leeds City Council 1 £10,000 0/)
    expect(html).toContain('href="/assets/underused?body=trafford"')
    expect(html).toContain('href="/assets/underused?class=community"')
    expect(html).toContain('href="/assets/underused?region=Yorkshire+and+The+Humber"')
    expect(words).toMatch(/By region of the owning body .* North West 6 £570,000 1 Yorkshire and The Humber 1 £10,000 0/)
    // The list, by book value, the unvalued last.
    expect(words).toMatch(/Asset M1 Manchester City Council Operational land and buildings Vacant Not measured £300,000/)
    expect(words).toMatch(/Asset M2 .* 39\.5% £100,000/)
    expect(words).toMatch(/Asset T7 Trafford Metropolitan Borough Council Not classified Surplus Not measured Not valued/)
    // The map is fed by its own clusters, starting around the assets; without JavaScript the list stands in.
    expect(html).toContain('data-features="/api/v1/assets/underused.geojson"')
    expect(html).toContain('data-bbox="-2.43173,53.38456,-1.46897,53.83744"')
    expect(html).toContain('The map needs JavaScript. <a class="govuk-link" href="#assets-heading">See the list of these assets</a>')
    expect(html).toContain('href="/assets/underused.csv"')
    expect(html).toContain('href="/assets/underused-totals.csv"')
    expect(html).toContain('href="/assets/joint-procurement"')
    expect(html).toContain('href="/assets"')
  })

  it('narrows with the GET form’s filters, keeping them in every link', async () => {
    const page = await app.inject({ url: '/assets/underused?threshold=39&region=North+West' })
    const html = decode(page.body)
    expect(text(page.body)).toContain('5 underused assets')
    expect(html).toMatch(/<input[^>]*id="threshold"[^>]*value="39"/)
    expect(html).toMatch(/<option value="North West" selected>North West<\/option>/)
    expect(html).toContain('href="/assets/underused.csv?threshold=39&region=North+West"')
    expect(html).toContain('href="/assets/underused?threshold=39&body=trafford&region=North+West"')
    expect(html).toContain('data-features="/api/v1/assets/underused.geojson?threshold=39&region=North+West"')
  })

  it('shows what is wrong with a filter in the error summary, and the report without it', async () => {
    const page = await app.inject({ url: '/assets/underused?threshold=lots&body=atlantis&class=community' })
    expect(page.statusCode).toBe(400)
    const summary = errorSummary(page.body)
    expect(summary).toContain('href="#threshold"')
    expect(summary).toContain('Utilisation threshold must be a number, like 40')
    expect(summary).toContain('href="#body"')
    expect(page.body).toContain('value="lots"')
    // Still narrowed by the class, which was fine.
    expect(text(page.body)).toContain('2 underused assets')
  })

  it('downloads the assets as CSV, most book value first, with owner, class, status, utilisation, book value and place', async () => {
    const csv = await app.inject({ url: '/assets/underused.csv?region=North+West' })
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.headers['content-disposition']).toContain('underused-assets.csv')
    const [header, ...rows] = parse(csv.body) as string[][]
    expect(header).toEqual(['asset_id', 'asset_code', 'name', 'owner', 'owner_slug', 'region', 'asset_class', 'status', 'utilisation_percent', 'book_value_gbp', 'latitude', 'longitude', 'address', 'url'])
    expect(rows.map((r) => [r[1], r[4], r[7], r[8], r[9]])).toEqual([
      ['M1', 'manchester', 'Vacant', '', '300000.00'],
      ['M2', 'manchester', 'In use', '39.5', '100000.00'],
      ['T1', 'trafford', 'Underused', '', '100000.00'],
      ['T2', 'trafford', 'Vacant', '', '50000.00'],
      ['T3', 'trafford', 'In use', '30', '20000.00'],
      ['T7', 'trafford', 'Surplus', '', ''],
    ])
    expect(rows[0]!.slice(5, 7)).toEqual(['North West', 'Operational land and buildings'])
    expect(rows[0]!.slice(10, 12)).toEqual(['53.4794', '-2.2453'])
    expect(rows[0]![13]).toMatch(/^http:\/\/lgds\.test\/assets\/\d+$/)
  })

  it('downloads the totals as CSV, each table adding up to the total', async () => {
    const csv = await app.inject({ url: '/assets/underused-totals.csv?body=trafford' })
    const [header, ...rows] = parse(csv.body) as string[][]
    expect(header).toEqual(['table', 'code', 'name', 'assets', 'book_value_gbp', 'not_valued', 'register_book_value_gbp', 'share_percent'])
    expect(rows[0]).toEqual(['total', '', 'All public bodies', '4', '170000.00', '1', '400000.00', '42.5'])
    expect(rows[1]).toEqual(['body', 'trafford', 'Trafford Metropolitan Borough Council', '4', '170000.00', '1', '400000.00', '42.5'])
    for (const table of ['body', 'class', 'region', 'reason']) {
      const of = rows.filter((r) => r[0] === table)
      expect(of.reduce((n, r) => n + Number(r[3]), 0), table).toBe(4)
      expect(of.reduce((n, r) => n + Number(r[4]), 0), table).toBe(170000)
    }
  })

  it('answers the totals as JSON with the same filters, refusing ones that are not', async () => {
    const json = await app.inject({ url: '/api/v1/assets/underused?threshold=39' })
    expect(json.statusCode).toBe(200)
    const body = json.json()
    expect(body.filters).toEqual({ threshold: 39, body: null, class: null, region: null })
    expect(body.total).toMatchObject({ count: 6, unvalued: 1 })
    expect(body.byBody[0]).toMatchObject({ slug: 'manchester', count: 1, bookValuePence: 30_000_000, sharePercent: 30 })
    expect(body.positions).toBeUndefined()

    const bad = await app.inject({ url: '/api/v1/assets/underused?threshold=140' })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/)
    const unknown = await app.inject({ url: '/api/v1/assets/underused?body=atlantis' })
    expect(unknown.statusCode).toBe(422)
    expect(unknown.json().errors).toEqual([{ name: 'body', message: 'Choose a body from the list' }])
  })

  it('clusters the underused assets for the map, as the register’s map does', async () => {
    const all = await app.inject({ url: '/api/v1/assets/underused.geojson?bbox=-3,53,-1,54&zoom=8' })
    expect(all.statusCode).toBe(200)
    expect(all.headers['content-type']).toMatch(/^application\/geo\+json/)
    const map = all.json()
    // T1, T2, M1 and L1 are the mapped ones.
    expect(map.total).toBe(4)
    expect(map.features.reduce((n: number, f: { properties: { count?: number } }) => n + (f.properties.count ?? 1), 0)).toBe(4)
    const trafford = (await app.inject({ url: '/api/v1/assets/underused.geojson?body=trafford&bbox=-3,53,-1,54&zoom=14' })).json()
    expect(trafford.features.map((f: { properties: { name: string } }) => f.properties.name).sort()).toEqual(['Asset T1', 'Asset T2'])
    expect((await app.inject({ url: '/api/v1/assets/underused.geojson?bbox=1,2,3' })).statusCode).toBe(400)

    // A new vacant site is on the map as soon as it is recorded (Camden's, placed in the box).
    await importRows(ctx().services, 'camden', [{ asset_code: 'C2', name: 'Asset C2', status: 'vacant', current_value: '1000', valuation_date: '2025-03-31', latitude: '53.5', longitude: '-2.2' }])
    expect((await app.inject({ url: '/api/v1/assets/underused.geojson?bbox=-3,53,-1,54&zoom=8' })).json().total).toBe(5)
  })

  // Camden (a London borough) now has an underused asset; Trafford's peers are metropolitan districts.
  it('shows a body its figure and how it compares with bodies of its type, only when it has assets', async () => {
    const trafford = text((await app.inject({ url: '/organisations/trafford' })).body)
    expect(trafford).toContain('Underused capital')
    expect(trafford).toContain('4 assets, £170,000 book value (1 not valued)')
    expect(trafford).toContain('42.5% of £400,000')
    expect(trafford).toMatch(/The median among the 3 bodies of its type \(metropolitan district\) with assets valued is 40%: this body is above it, 1st of 3 from the largest share\./)
    expect(decode((await app.inject({ url: '/organisations/trafford' })).body)).toContain('href="/assets/underused?body=trafford"')
    const stockport = await app.inject({ url: '/organisations/stockport' })
    expect(stockport.statusCode).toBe(200)
    expect(stockport.body).not.toContain('Underused capital')
  })

  it('describes its endpoints in the OpenAPI document', async () => {
    const paths = Object.keys((await app.inject({ url: '/api/v1/openapi.json' })).json().paths)
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/assets/underused', '/api/v1/assets/underused.geojson']))
  })
  // Last: it adds bodies and assets the other tests do not expect.
  it('shows the 20 bodies with most underused book value and a link to all of them, and pages the list', async () => {
    const { services } = ctx()
    const more = readLocalAuthorityRegister()
      .map((e) => e.slug)
      .filter((slug) => !['trafford', 'manchester', 'leeds', 'camden', 'stockport'].includes(slug))
      .slice(0, 20)
    await seedCouncils(services, more)
    for (const slug of more) await importRows(services, slug, [{ asset_code: 'V1', name: 'A vacant shop', status: 'vacant', current_value: '500', valuation_date: '2025-03-31' }])
    const all = decode((await app.inject({ url: '/assets/underused' })).body)
    expect(all).toContain('href="/assets/underused?bodies=all#by-body">Show all 24 bodies</a>')
    expect(all).not.toContain(`>${(await services.organisations.getBySlug(more[19]!)).name}</a></th>`)
    const everyBody = text((await app.inject({ url: '/assets/underused?bodies=all' })).body)
    expect(everyBody).not.toContain('Show all')
    expect(everyBody).toContain((await services.organisations.getBySlug(more[19]!)).name)

    const rows = Array.from({ length: 23 }, (_, i) => ({ asset_code: `B${i}`, name: `Bolton depot ${i}`, status: 'vacant', current_value: String(1000 + i), valuation_date: '2025-03-31' }))
    await seedCouncils(services, ['bolton'])
    await importRows(services, 'bolton', rows)
    const first = decode((await app.inject({ url: '/assets/underused?body=bolton' })).body)
    expect(first).toContain('The underused assets, 1 to 20 of 23')
    expect(first).toContain('href="/assets/underused?body=bolton&page=2"')
    const second = text((await app.inject({ url: '/assets/underused?body=bolton&page=2' })).body)
    expect(second).toContain('The underused assets, 21 to 23 of 23')
    expect(second).toContain('Bolton depot 0')
  })
})
