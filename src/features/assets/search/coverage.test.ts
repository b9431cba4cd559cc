import type { FastifyInstance } from 'fastify'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { importRegister, type TemplateRow } from '../../../../test/fixtures/asset-search/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils } from '../../../../test/support/fixtures.js'
import { appWith } from '../../../../test/support/web.js'
import { assetCoverage, percentOf, sortCoverage } from './coverage.js'
import { AssetSearch } from './search.js'

const categorised = { asset_class: 'operational-land-buildings', cpv_code: '70130000' }
const mapped = { latitude: '53.42', longitude: '-2.32' }
const row = (code: string, value: string, extra: Partial<TemplateRow> = {}): TemplateRow => ({ asset_code: code, name: `Asset ${code}`, current_value: value, valuation_date: '2025-03-31', status: 'in use', ...extra })

/*
 * Trafford: five assets count (worth £1,000 or more, not disposed of): A and E categorised and
 * mapped, B only categorised, C only mapped, D neither. F (£999.99), G (disposed of) and H (not
 * valued) do not count. Manchester: three count, all categorised and mapped.
 */
const TRAFFORD: TemplateRow[] = [
  row('A', '250000', { ...categorised, ...mapped }),
  row('B', '1500', categorised),
  row('C', '4000', mapped),
  row('D', '2000'),
  row('E', '1000', { ...categorised, ...mapped }),
  row('F', '999.99', { ...categorised, ...mapped }),
  row('G', '80000', { ...categorised, ...mapped, status: 'disposed', disposal_date: '2024-01-31', disposal_method: 'sale' }),
  { asset_code: 'H', name: 'Asset H', status: 'in use', ...mapped },
]
const MANCHESTER: TemplateRow[] = ['M1', 'M2', 'M3'].map((code) => row(code, '5000', { ...categorised, latitude: '53.48', longitude: '-2.24' }))

describeEachEngine('the £1,000 rule’s coverage', (ctx) => {
  let search: AssetSearch
  let app: FastifyInstance

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    await importRegister(services, 'trafford', TRAFFORD)
    await importRegister(services, 'manchester', MANCHESTER)
    search = new AssetSearch(db)
    app = await appWith(ctx())
  })
  afterAll(async () => app?.close())

  it('counts, per body and in all, the assets worth £1,000 or more and how many are categorised, mapped and both', async () => {
    const coverage = await assetCoverage(search)
    expect(coverage.rows).toEqual([
      { slug: 'manchester', name: 'Manchester City Council', recorded: 3, counted: 3, categorised: 3, mapped: 3, both: 3 },
      { slug: 'trafford', name: 'Trafford Metropolitan Borough Council', recorded: 8, counted: 5, categorised: 3, mapped: 3, both: 2 },
    ])
    expect(coverage.total).toEqual({ bodies: 2, recorded: 11, counted: 8, categorised: 6, mapped: 6, both: 5 })
  })

  it('gives percentages towards 100 % rounded down, and none when nothing counts', () => {
    expect(percentOf(2, 5)).toBe(40)
    expect(percentOf(5, 8)).toBe(62)
    expect(percentOf(199, 200)).toBe(99)
    expect(percentOf(3, 3)).toBe(100)
    expect(percentOf(0, 0)).toBeNull()
  })

  it('sorts bodies by name or by how far they have got', async () => {
    const { rows } = await assetCoverage(search)
    expect(sortCoverage(rows, 'both', 'asc').map((r) => r.slug)).toEqual(['trafford', 'manchester'])
    expect(sortCoverage(rows, 'both', 'desc').map((r) => r.slug)).toEqual(['manchester', 'trafford'])
    expect(sortCoverage(rows, 'counted', 'desc').map((r) => r.slug)).toEqual(['trafford', 'manchester'])
    expect(sortCoverage(rows, 'name', 'desc').map((r) => r.slug)).toEqual(['trafford', 'manchester'])
  })

  it('shows the table, sortable by its headings, and the same as CSV and JSON', async () => {
    const page = await app.inject({ url: '/assets/coverage?sort=both&direction=asc' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('aria-sort="ascending"')
    expect(page.body.indexOf('Trafford Metropolitan')).toBeLessThan(page.body.indexOf('Manchester City'))
    expect(page.body).toMatch(/2\s*<span class="govuk-body-s">\(40%\)<\/span>/)
    expect(page.body).toContain('href="/assets/coverage.csv?sort=both&amp;direction=asc"')

    const csv = await app.inject({ url: '/assets/coverage.csv?sort=both&direction=asc' })
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(parse(csv.body)).toEqual([
      ['body', 'slug', 'assets_recorded', 'assets_1000_or_more', 'categorised', 'mapped', 'categorised_and_mapped', 'percent_complete'],
      ['Trafford Metropolitan Borough Council', 'trafford', '8', '5', '3', '3', '2', '40'],
      ['Manchester City Council', 'manchester', '3', '3', '3', '3', '3', '100'],
      ['All public bodies', '', '11', '8', '6', '6', '5', '62'],
    ])

    const json = await app.inject({ url: '/api/v1/assets/coverage' })
    expect(json.json()).toMatchObject({ total: { counted: 8, both: 5, percentComplete: 62 }, bodies: [{ slug: 'manchester', percentComplete: 100 }, { slug: 'trafford', percentComplete: 40 }] })
    expect((await app.inject({ url: '/api/v1/assets/coverage?sort=sideways' })).statusCode).toBe(400)
  })

  it('follows the register as it changes', async () => {
    const { services, db } = ctx()
    await importRegister(services, 'trafford', [row('D', '2000', { ...categorised, ...mapped })])
    const { rows } = await assetCoverage(search)
    expect(rows.find((r) => r.slug === 'trafford')).toMatchObject({ counted: 5, categorised: 4, mapped: 4, both: 3 })
  })
})
