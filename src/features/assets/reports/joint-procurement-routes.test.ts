import { todayInUk } from '../../../platform/uk-date.js'
import { parse } from 'csv-parse/sync'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { importRows, type Row } from '../../../../test/fixtures/asset-reports/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils } from '../../../../test/support/fixtures.js'
import { appWith, errorSummary } from '../../../../test/support/web.js'

const decode = (html: string) => html.replace(/&amp;/g, '&')
const text = (html: string) => decode(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

/** An asset of `life` years whose life ends `days` from today (the pages work from the real today). */
function ending(code: string, cpv: string, days: number, cost: string | null, life = 10): Row {
  const end = new Date(Date.parse(todayInUk()) + days * 86_400_000)
  const acquired = `${end.getUTCFullYear() - life}-${String(end.getUTCMonth() + 1).padStart(2, '0')}-${String(Math.min(end.getUTCDate(), 28)).padStart(2, '0')}`
  return { asset_code: code, name: `Kit ${code}`, status: 'in use', cpv_code: cpv, acquisition_date: acquired, useful_life_years: String(life), ...(cost ? { acquisition_cost: cost } : {}) }
}

/*
 * Gritters (34144430, class 34140000 heavy-duty motor vehicles) in the North West: Trafford's in about 3 months, Manchester's
 * in about 18; Leeds' in Yorkshire in about 6. Laptops (30213100) at Trafford alone, in about 4
 * years.
 */
describeEachEngine('the joint-procurement page, download and API', (ctx) => {
  let app: FastifyInstance

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services, ['trafford', 'manchester', 'leeds'])
    await importRows(services, 'trafford', [ending('G1', '34144430', 90, '120000'), ending('P1', '30213100', 4 * 365, '800', 4)])
    await importRows(services, 'manchester', [ending('G2', '34144430', 540, '95000'), ending('G3', '34144430', 560, null)])
    await importRows(services, 'leeds', [ending('G4', '34144430', 180, '110000')])
    app = await appWith(ctx())
  })
  afterAll(async () => app?.close())

  it('shows groups two or more bodies share in the next two years by CPV class, with the bodies linked', async () => {
    const page = await app.inject({ url: '/assets/joint-procurement' })
    expect(page.statusCode).toBe(200)
    const words = text(page.body)
    expect(words).toMatch(/Groups shown 1 Assets in them 3 Their replacement value £215,000 Assets in them with no replacement value 1 Bodies involved 2/)
    expect(words).toContain('All assets due in the window 4 in 2 groups, however many bodies')
    expect(words).toMatch(/Heavy-duty motor vehicles \(34140000\) North West 3 £215,000 \(1 not valued\) 2: Manchester City Council , Trafford Metropolitan Borough Council/)
    const html = decode(page.body)
    expect(html).toContain('<a class="govuk-link" href="/organisations/manchester">Manchester City Council</a>')
    expect(html).toMatch(/<input class="govuk-radios__input" id="years-2" name="years" type="radio" value="2" checked>/)
    expect(html).toContain('href="/assets/joint-procurement.csv"')
    expect(html).toContain('href="/assets/underused"')
  })

  it('takes its choices from the GET form, keeping them in the downloads’ links', async () => {
    const page = await app.inject({ url: '/assets/joint-procurement?years=5&level=code&minBodies=1' })
    const words = text(page.body)
    expect(words).toContain('Groups shown 3')
    // The laptops are due in four years: one body, full code.
    expect(words).toMatch(/Portable computers \(30213100\) North West 1 £800 1: Trafford Metropolitan Borough Council/)
    expect(decode(page.body)).toContain('href="/assets/joint-procurement.csv?years=5&level=code&minBodies=1"')
    expect(text((await app.inject({ url: '/assets/joint-procurement?years=1&minBodies=1' })).body)).toContain('Groups shown 2')
  })

  it('shows a choice it does not offer in the error summary, and the defaults instead', async () => {
    const page = await app.inject({ url: '/assets/joint-procurement?years=3&level=family' })
    expect(page.statusCode).toBe(400)
    const summary = errorSummary(page.body)
    expect(summary).toContain('href="#years"')
    expect(summary).toContain('href="#level"')
    expect(text(page.body)).toContain('Groups shown 1')
  })

  it('downloads the groups as CSV with every body', async () => {
    const csv = await app.inject({ url: '/assets/joint-procurement.csv?minBodies=1' })
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(parse(csv.body)).toEqual([
      ['cpv_code', 'cpv_label', 'region', 'assets', 'replacement_value_gbp', 'not_valued', 'bodies', 'body_names', 'body_slugs', 'earliest_end_of_life'],
      ['34140000', 'Heavy-duty motor vehicles', 'North West', '3', '215000.00', '1', '2', 'Manchester City Council; Trafford Metropolitan Borough Council', 'manchester trafford', expect.stringMatching(/^\d{4}-\d\d-\d\d$/)],
      ['34140000', 'Heavy-duty motor vehicles', 'Yorkshire and The Humber', '1', '110000.00', '0', '1', 'Leeds City Council', 'leeds', expect.stringMatching(/^\d{4}-\d\d-\d\d$/)],
    ])
  })

  it('answers as JSON, paged, the totals covering every page; refuses choices it does not offer', async () => {
    const json = await app.inject({ url: '/api/v1/assets/replacement-demand?years=2&level=class&minBodies=1&pageSize=1' })
    expect(json.statusCode).toBe(200)
    const body = json.json()
    expect(body.filters).toMatchObject({ years: 2, level: 'class', minBodies: 1, from: todayInUk() })
    expect(body.total).toEqual({ groups: 2, count: 4, replacementCostPence: 32_500_000, unvalued: 1, bodies: 3 })
    expect(body.groups).toHaveLength(1)
    expect(body.groups[0]).toMatchObject({ cpvCode: '34140000', region: 'North West', count: 3, replacementCostPence: 21_500_000, bodies: [{ slug: 'manchester' }, { slug: 'trafford' }] })
    expect((await app.inject({ url: '/api/v1/assets/replacement-demand?minBodies=1&pageSize=1&page=2' })).json().groups[0]).toMatchObject({ region: 'Yorkshire and The Humber' })

    for (const bad of ['years=3', 'level=family', 'minBodies=0']) {
      const refused = await app.inject({ url: `/api/v1/assets/replacement-demand?${bad}` })
      expect(refused.statusCode, bad).toBe(400)
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    const paths = Object.keys((await app.inject({ url: '/api/v1/openapi.json' })).json().paths)
    expect(paths).toContain('/api/v1/assets/replacement-demand')
  })
})
