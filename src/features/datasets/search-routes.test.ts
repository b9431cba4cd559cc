import { todayInUk } from '../../platform/uk-date.js'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp, WebClient } from '../../../test/support/web.js'
import { addMonths, formatPlannedDate } from './dates.js'

const today = todayInUk()
const csv = (name: string) => ({ downloadUrl: `https://data.example.gov.uk/${name}.csv`, format: 'CSV' })

/** Nine declarations across three councils: enough for every facet and a second page. */
const DATASETS = [
  { org: 'trafford', title: 'Gritting routes', description: 'The roads the council grits in winter.', keywords: 'roads, winter', themes: 'TRAN', distributions: [csv('gritting')], release: addMonths(today, 2) },
  { org: 'trafford', title: 'Air quality monitoring', description: 'Nitrogen dioxide readings.', keywords: 'pollution', themes: 'ENVI, HEAL', release: '2020-Q1' },
  { org: 'trafford', title: 'Car parks', description: 'Council car parks and charges.', keywords: 'parking', themes: 'TRAN', release: addMonths(today, 14) },
  { org: 'manchester', title: 'Bus route changes', description: 'Changes to bus routes.', keywords: 'buses', themes: 'TRAN', release: addMonths(today, 1).slice(0, 7) },
  { org: 'manchester', title: 'Household waste collection', description: 'Bin days for every property.', keywords: 'waste, bins', themes: 'ENVI', distributions: [csv('waste')] },
  { org: 'manchester', title: 'Street lighting', description: 'Every street light column.', keywords: 'energy', themes: 'ENER', withdraw: true },
  { org: 'leeds', title: 'Cycle route network', description: 'Cycle lanes and routes.', keywords: 'cycling', themes: 'TRAN, ENVI', distributions: [{ downloadUrl: 'https://data.leeds.gov.uk/cycle.geojson', format: 'GeoJSON' }] },
  { org: 'leeds', title: 'Recycling rates', description: 'Tonnage recycled by ward.', keywords: 'recycling, waste', themes: 'ENVI', licence: 'CC-BY-4.0' },
  { org: 'leeds', title: 'CCTV camera locations', description: 'Public-space cameras.', keywords: 'CCTV', themes: 'JUST', accessLevel: 'non-public', accessReason: 'national-security', accessExplanation: 'It would help people avoid them.' },
]

/** The number in the results heading: "3 datasets". */
function shownTotal(html: string): number {
  const match = /id="results-heading">\s*([\d,]+) datasets?/.exec(html)
  if (!match) throw new Error('no results heading')
  return Number(match[1]!.replace(/,/g, ''))
}

function resultTitles(html: string): string[] {
  return [...html.matchAll(/<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="\/datasets\/[^"]+">([^<]+)<\/a><\/h3>/g)].map((m) => m[1]!)
}

function checked(html: string, name: string, value: string): boolean {
  const input = new RegExp(`<input[^>]*name="${name}" type="(?:checkbox|radio)" value="${value}"[^>]*>`).exec(html)?.[0]
  if (!input) throw new Error(`no ${name}=${value} control`)
  return / checked/.test(input)
}

function facetLabel(html: string, name: string, value: string): string {
  const id = new RegExp(`id="([^"]+)" name="${name}" type="(?:checkbox|radio)" value="${value}"`).exec(html)?.[1]
  if (!id) throw new Error(`no ${name}=${value} control`)
  return new RegExp(`<label[^>]*for="${id}">\\s*([^<]*?)\\s*</label>`).exec(html)![1]!
}

describeEachEngine('finding data: pages and API', (ctx) => {
  let app: FastifyInstance
  let web: WebClient
  const ids = new Map<string, string>()

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    for (const { org, distributions, release, withdraw, ...declaration } of DATASETS) {
      const dataset = await services.datasets.declare(system, org, { frequency: 'annual', ...declaration }, distributions ?? [])
      if (release) await services.datasets.addRelease(system, dataset.id, { plannedDate: release, state: release.startsWith('2020') ? 'confirmed' : 'provisional' })
      if (withdraw) await services.datasets.withdraw(system, dataset.id, 'No longer collected', (await services.datasets.get(dataset.id)).dataset.version)
      ids.set(declaration.title, dataset.id)
    }
    app = await buildTestApp(ctx())
    web = new WebClient(app)
  }, 60_000)

  afterAll(async () => {
    await app?.close()
  })

  it('shows every dataset with its publisher, status, themes and link, and the facets with counts', async () => {
    const response = await web.get('/datasets')
    expect(response.statusCode).toBe(200)
    const html = response.body
    expect(shownTotal(html)).toBe(9)
    expect(resultTitles(html)).toHaveLength(9)
    expect(html).toContain(`<a class="govuk-link" href="/datasets/${ids.get('Gritting routes')}">Gritting routes</a>`)
    expect(html).toContain('Trafford Metropolitan Borough Council')
    expect(html).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Withdrawn\s*<\/strong>/)
    expect(html).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Release overdue\s*<\/strong>/)
    expect(html).toContain('Transport, Environment')
    expect(facetLabel(html, 'theme', 'TRAN')).toBe('Transport (4)')
    expect(facetLabel(html, 'theme', 'ENVI')).toBe('Environment (4)')
    expect(facetLabel(html, 'publisher', 'leeds')).toBe('Leeds City Council (3)')
    expect(facetLabel(html, 'status', 'withdrawn')).toBe('Withdrawn (1)')
    expect(facetLabel(html, 'access', 'non-public')).toBe('Not public (1)')
    expect(facetLabel(html, 'format', 'CSV')).toBe('CSV (2)')
    expect(facetLabel(html, 'licence', 'CC-BY-4.0')).toBe('Creative Commons Attribution 4.0 (1)')
    expect(facetLabel(html, 'due', 'quarter')).toBe('Next 3 months (2)')
    expect(checked(html, 'due', '')).toBe(true)
    // The page is one GET form, so every state is an address.
    expect(html).toContain('<form method="get" action="/datasets"')
    expect(html).toContain('<a class="govuk-service-navigation__link" href="/datasets" aria-current="true">')
  })

  it('combines search words and filters, ticking what was chosen', async () => {
    const response = await web.get('/datasets?q=routes&theme=ENVI&theme=TRAN&publisher=leeds')
    expect(response.statusCode).toBe(200)
    expect(resultTitles(response.body)).toEqual(['Cycle route network'])
    expect(shownTotal(response.body)).toBe(1)
    expect(checked(response.body, 'theme', 'ENVI')).toBe(true)
    expect(checked(response.body, 'theme', 'TRAN')).toBe(true)
    expect(checked(response.body, 'publisher', 'leeds')).toBe(true)
    expect(checked(response.body, 'publisher', 'manchester')).toBe(false)
    // Other publishers still show what choosing them would add.
    expect(facetLabel(response.body, 'publisher', 'manchester')).toBe('Manchester City Council (1)')
    expect(response.body).toContain('value="routes"')

    const overdue = await web.get('/datasets?status=scheduled&status=published&due=year&sort=next-release')
    expect(resultTitles(overdue.body)).toEqual(['Bus route changes', 'Gritting routes'])
    expect(checked(overdue.body, 'due', 'year')).toBe(true)
    expect(overdue.body).toMatch(/<option value="next-release" selected>/)
  })

  it('pages through results, keeping every parameter in the links', async () => {
    const response = await web.get('/datasets?theme=TRAN&theme=ENVI&sort=title&pageSize=2')
    expect(response.statusCode).toBe(200)
    expect(shownTotal(response.body)).toBe(7)
    expect(resultTitles(response.body)).toEqual(['Air quality monitoring', 'Bus route changes'])
    const next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/.exec(response.body)?.[1]?.replace(/&amp;/g, '&')
    expect(next).toBeDefined()
    const params = new URL(next!, 'http://x').searchParams
    expect(params.getAll('theme')).toEqual(['TRAN', 'ENVI'])
    expect(params.get('sort')).toBe('title')
    expect(params.get('pageSize')).toBe('2')
    expect(params.get('page')).toBe('2')
    const page2 = await web.get(next!)
    expect(resultTitles(page2.body)).toEqual(['Car parks', 'Cycle route network'])
  })

  it('sorts in a form of its own, so new words rank by relevance unless an order was chosen', async () => {
    const ranked = await web.get('/datasets?q=routes&theme=TRAN')
    const sortForm = /<form method="get" action="\/datasets" id="sort-form">([\s\S]*?)<\/form>/.exec(ranked.body)?.[1]
    expect(sortForm).toContain('<input type="hidden" name="q" value="routes">')
    expect(sortForm).toContain('<input type="hidden" name="theme" value="TRAN">')
    expect(ranked.body).toMatch(/<select class="govuk-select" id="sort" name="sort"\s+form="sort-form">/)
    expect(ranked.body).toMatch(/<option value="relevance" selected>/)
    expect(ranked.body).not.toContain('type="hidden" name="sort"')
    // Without words, newest first, and "best match" is not offered.
    const plain = await web.get('/datasets')
    expect(plain.body).toMatch(/<option value="updated" selected>/)
    expect(plain.body).not.toContain('value="relevance"')
    const titled = await web.get('/datasets?q=routes&sort=title')
    expect(titled.body).toContain('<input type="hidden" name="sort" value="title">')
    expect(resultTitles(titled.body)).toEqual(['Bus route changes', 'Cycle route network', 'Gritting routes'])
  })

  it('escapes and survives hostile search words', async () => {
    for (const q of ['<script>alert(1)</script>', '"', "' OR 1=1 --", 'AND(', '-', '*', 'NEAR(a b)']) {
      const response = await web.get(`/datasets?q=${encodeURIComponent(q)}`)
      expect(response.statusCode, q).toBe(200)
      expect(response.body).not.toContain('<script>alert(1)</script>')
    }
    const script = await web.get(`/datasets?q=${encodeURIComponent('<script>alert(1)</script>')}`)
    expect(script.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(shownTotal(script.body)).toBe(0)
    // Nothing left to search for: everything is shown.
    expect(shownTotal((await web.get(`/datasets?q=${encodeURIComponent('"')}`)).body)).toBe(9)
    // Unknown values and bad paging are ignored rather than failing the page.
    const odd = await web.get('/datasets?theme=MOON&due=decade&sort=sideways&page=-3&pageSize=abc')
    expect(odd.statusCode).toBe(200)
    expect(shownTotal(odd.body)).toBe(9)
  })

  it('answers the API with the same totals and facets as the page', async () => {
    for (const query of ['', 'q=routes', 'theme=ENVI&publisher=leeds', 'q=waste&format=CSV', 'status=withdrawn', 'due=quarter', 'access=non-public&access=open&licence=CC-BY-4.0']) {
      const [page, api] = await Promise.all([web.get(`/datasets?${query}`), app.inject({ method: 'GET', url: `/api/v1/datasets?${query}` })])
      expect(api.statusCode, query).toBe(200)
      expect(api.json().total, query).toBe(shownTotal(page.body))
    }
    const body = (await app.inject({ method: 'GET', url: '/api/v1/datasets?q=routes&pageSize=2' })).json()
    expect(body).toMatchObject({ total: 3, page: 1, pageSize: 2, sort: 'relevance' })
    expect(body.items).toHaveLength(2)
    expect(body.items[0]).toMatchObject({ publisher: { slug: expect.any(String), name: expect.any(String) }, overdue: false, status: expect.any(String) })
    expect(body.items[0].search_rowid).toBeUndefined()
    expect(body.facets.theme).toContainEqual({ value: 'TRAN', label: 'Transport', count: 3, selected: false })
    expect(body.facets.publisher.map((p: { slug: string }) => p.slug).sort()).toEqual(['leeds', 'manchester', 'trafford'])

    const single = (await app.inject({ method: 'GET', url: '/api/v1/datasets?theme=ENER' })).json()
    expect(single.items.map((d: { title: string }) => d.title)).toEqual(['Street lighting'])
  })

  it('refuses API filter values that do not exist, as problem+json', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/datasets?theme=MOON' })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect((await app.inject({ method: 'GET', url: '/api/v1/datasets?sort=sideways' })).statusCode).toBe(400)
    expect((await app.inject({ method: 'GET', url: '/api/v1/datasets?pageSize=500' })).statusCode).toBe(400)
    const spec = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    expect(spec.paths['/api/v1/datasets'].get.summary).toMatch(/Search/)
    expect(spec.paths['/api/v1/releases'].get.summary).toMatch(/calendar/)
  })

  it('shows the release calendar: overdue first, then by month, filterable', async () => {
    const response = await web.get('/datasets/releases')
    expect(response.statusCode).toBe(200)
    const html = response.body
    const overdueAt = html.indexOf('>Overdue</h2>')
    expect(overdueAt).toBeGreaterThan(0)
    const air = html.indexOf(`href="/datasets/${ids.get('Air quality monitoring')}"`)
    const bus = html.indexOf(`href="/datasets/${ids.get('Bus route changes')}"`)
    const gritting = html.indexOf(`href="/datasets/${ids.get('Gritting routes')}"`)
    expect(overdueAt).toBeLessThan(air)
    expect(air).toBeLessThan(bus)
    expect(bus).toBeLessThan(gritting)
    expect(html).toContain('January to March 2020')
    expect(html).toContain(`>${formatPlannedDate({ date: `${addMonths(today, 1).slice(0, 7)}-01`, precision: 'month' })}</h3>`)
    expect(html).not.toContain(ids.get('Car parks'))
    expect(html).not.toContain(ids.get('Street lighting'))
    const later = /<a class="govuk-link" href="(\/datasets\/releases\?from=[^"]+)">Releases planned later<\/a>/.exec(html)?.[1]
    expect(later).toBeDefined()

    const laterPage = await web.get(later!)
    expect(laterPage.body).toContain(`href="/datasets/${ids.get('Car parks')}"`)
    expect(laterPage.body).not.toContain('>Overdue</h2>')
    expect(laterPage.body).toContain('Earlier months')

    const manchester = await web.get('/datasets/releases?publisher=manchester')
    expect(manchester.body).toContain(`href="/datasets/${ids.get('Bus route changes')}"`)
    expect(manchester.body).not.toContain(`href="/datasets/${ids.get('Gritting routes')}"`)
    expect(manchester.body).toContain('No releases are overdue.')
    expect(manchester.body).toMatch(/<option value="manchester" selected>/)
    const envi = await web.get('/datasets/releases?theme=ENVI')
    expect(envi.body).toContain(`href="/datasets/${ids.get('Air quality monitoring')}"`)
    expect(envi.body).not.toContain(`href="/datasets/${ids.get('Bus route changes')}"`)

    const odd = await web.get(`/datasets/releases?from=${encodeURIComponent('<b>')}&theme=MOON&publisher=${encodeURIComponent('"><script>')}`)
    expect(odd.statusCode).toBe(200)
    expect(odd.body).not.toContain('"><script>')
  })

  it('answers the release calendar through the API', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/releases?publisher=trafford' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.overdue.map((e: { dataset: { title: string } }) => e.dataset.title)).toEqual(['Air quality monitoring'])
    expect(body.overdue[0].release).toMatchObject({ overdue: true, label: 'January to March 2020' })
    expect(body.items.map((e: { dataset: { title: string } }) => e.dataset.title)).toEqual(['Gritting routes'])
    expect(body).toMatchObject({ total: 1, overdueTotal: 1, from: today.slice(0, 7), later: expect.any(String) })
    expect((await app.inject({ method: 'GET', url: '/api/v1/releases?from=2027-13' })).statusCode).toBe(400)
  })
})
