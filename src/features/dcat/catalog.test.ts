import type { FastifyInstance } from 'fastify'
import type { Quad } from 'n3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import { canonicalFromJsonLd, canonicalFromQuads, describeResults, parseTurtle, validateQuads } from '../../../test/fixtures/dcat/shacl.js'
import { validateDeclaration, type DeclarationInput } from '../datasets/validation.js'

const BASE = 'http://lgds.test'
const CATALOG = `${BASE}/catalog`
const DCAT = 'http://www.w3.org/ns/dcat#'
const HYDRA = 'http://www.w3.org/ns/hydra/core#'
const ACCESS = ['open', 'restricted', 'non-public'] as const

function objects(quads: Quad[], subject: string, predicate: string): string[] {
  return quads.filter((q) => q.subject.value === subject && q.predicate.value === predicate).map((q) => q.object.value)
}

describeEachEngine('the DCAT-AP catalogue', (ctx) => {
  let app: FastifyInstance
  let allIds: string[] = []
  let changedIds: string[] = []
  let changedSince = ''

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    const editor = await makeUser(services, { org: 'trafford' })
    const trafford = await services.organisations.getBySlug('trafford')
    // 250 declarations, a third of them not open, written the way the CSV import writes them.
    const items = Array.from({ length: 250 }, (_, i) => {
      const access = ACCESS[i % 3]!
      const input: DeclarationInput = {
        title: `Dataset ${i}`, description: `Declared dataset number ${i}.`, themes: ['GOVE'], frequency: 'monthly', accessLevel: access,
        ...(access === 'open' ? {} : { accessReason: 'personal-data', accessExplanation: 'Names people' }),
      }
      const { values, errors } = validateDeclaration(input)
      errors.throwIfAny()
      return { values: values!, distributions: access === 'open' ? [{ title: 'CSV', downloadUrl: `https://data.example.org/${i}.csv`, format: 'CSV' }] : [] }
    })
    const rows = await db.kysely.transaction().execute((trx) => services.datasets.insertDeclarations(trx, editor.actor, trafford, items))
    allIds = rows.map((r) => `${BASE}/datasets/${r.id}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
    changedSince = new Date().toISOString()
    await new Promise((resolve) => setTimeout(resolve, 20))
    for (const row of rows.slice(10, 13)) {
      await services.datasets.update(editor.actor, row.id, { title: `${row.title} (revised)`, description: row.description, themes: ['GOVE'], frequency: 'monthly', accessLevel: row.access_level, accessReason: row.access_reason ?? undefined, accessExplanation: row.access_explanation ?? undefined }, 1)
      changedIds.push(`${BASE}/datasets/${row.id}`)
    }
    app = await buildTestApp(ctx())
  })
  afterAll(async () => {
    await app?.close()
  })

  const page = async (url: string) => {
    const response = await app.inject(url)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toBe('text/turtle; charset=utf-8')
    return parseTurtle(response.body)
  }
  const viewOf = (quads: Quad[]) => objects(quads, CATALOG, `${HYDRA}view`)[0]!

  it('pages 250 declarations, open or not, 100 at a time with Hydra links', async () => {
    const seen: string[] = []
    const pages = [1, 2, 3].map((n) => `${BASE}/catalog.ttl?page=${n}`)
    for (const [index, url] of pages.entries()) {
      const quads = await page(url.slice(BASE.length))
      const view = viewOf(quads)
      expect(view).toBe(url)
      expect(objects(quads, view, `${HYDRA}totalItems`)).toEqual(['250'])
      expect(objects(quads, view, `${HYDRA}first`)).toEqual([pages[0]])
      expect(objects(quads, view, `${HYDRA}last`)).toEqual([pages[2]])
      expect(objects(quads, view, `${HYDRA}next`)).toEqual(index < 2 ? [pages[index + 1]] : [])
      expect(objects(quads, view, `${HYDRA}previous`)).toEqual(index > 0 ? [pages[index - 1]] : [])
      expect(objects(quads, view, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type')).toEqual([`${HYDRA}PartialCollectionView`, `${HYDRA}PagedCollection`])
      const datasets = objects(quads, CATALOG, `${DCAT}dataset`)
      expect(datasets).toHaveLength(index < 2 ? 100 : 50)
      seen.push(...datasets)
    }
    expect(seen.sort()).toEqual([...allIds].sort())
    expect(new Set(seen).size).toBe(250)
  })

  it('serves catalogue pages that conform to the DCAT-AP 3.0.1 shapes and class ranges', async () => {
    const quads = await page('/catalog.ttl?page=3')
    const accessRights = new Set(quads.filter((q) => q.predicate.value === 'http://purl.org/dc/terms/accessRights').map((q) => q.object.value.split('/').pop()))
    expect([...accessRights].sort()).toEqual(['NON_PUBLIC', 'PUBLIC', 'RESTRICTED'])
    const report = await validateQuads(quads, ['shapes.ttl', 'range.ttl'])
    expect(report.conforms, describeResults(report).join('\n')).toBe(true)
    expect(report.results).toHaveLength(0)
  })

  it('serves the same page as JSON-LD as it does as Turtle', async () => {
    const response = await app.inject('/catalog.jsonld?page=3')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/ld\+json/)
    expect(response.body).toContain(`"${BASE}/catalog.jsonld?page=2"`)
    // The paging links name the page in its own format; with that swapped, the graphs are the same.
    const jsonLd = JSON.parse(response.body.replaceAll('/catalog.jsonld?', '/catalog.ttl?')) as object
    const fromTurtle = await canonicalFromQuads(await page('/catalog.ttl?page=3'))
    expect(fromTurtle.split('\n').length).toBeGreaterThan(500)
    expect(await canonicalFromJsonLd(jsonLd)).toBe(fromTurtle)
  })

  it('lists only the datasets changed since modified_since, keeping the filter in its links', async () => {
    const quads = await page(`/catalog.ttl?modified_since=${encodeURIComponent(changedSince)}`)
    expect(objects(quads, CATALOG, `${DCAT}dataset`).sort()).toEqual([...changedIds].sort())
    const view = viewOf(quads)
    expect(objects(quads, view, `${HYDRA}totalItems`)).toEqual(['3'])
    expect(new URL(view).searchParams.get('modified_since')).toBe(changedSince)
    expect(objects(quads, view, `${HYDRA}next`)).toEqual([])

    // A date on its own is midnight UTC; an offset is honoured.
    expect(objects(await page('/catalog.ttl?modified_since=2999-01-01'), CATALOG, `${DCAT}dataset`)).toEqual([])
    const allSince = await page('/catalog.ttl?modified_since=2000-01-01T00:00:00%2B01:00')
    expect(objects(allSince, viewOf(allSince), `${HYDRA}totalItems`)).toEqual(['250'])
  })

  it('refuses a malformed modified_since or page with problem+json', async () => {
    for (const query of ['modified_since=yesterday', 'modified_since=2026-02-30', 'modified_since=2026-01-01T25:00:00Z', 'page=0', 'page=two', 'page=1&page=2']) {
      const response = await app.inject(`/catalog.ttl?${query}`)
      expect(response.statusCode, query).toBe(400)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      const problem = JSON.parse(response.body) as { status: number; errors: { name: string }[] }
      expect(problem.status).toBe(400)
      expect(problem.errors[0]!.name).toBe(query.split('=')[0])
    }
  })

  it('answers a page past the last with no datasets and a link back', async () => {
    const quads = await page('/catalog.ttl?page=9')
    expect(objects(quads, CATALOG, `${DCAT}dataset`)).toEqual([])
    expect(objects(quads, viewOf(quads), `${HYDRA}previous`)).toEqual([`${BASE}/catalog.ttl?page=3`])
  })

  // Last, as it adds datasets: the count is cached, but the next link follows the rows read.
  it('links to a next page as soon as there is one, even while the total is a little old', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'leeds' })
    for (let i = 0; i < 51; i++) await services.datasets.declare(editor.actor, 'leeds', { title: `Late ${i}`, description: 'd', themes: ['GOVE'], frequency: 'annual' })
    const quads = await page('/catalog.ttl?page=3')
    const view = viewOf(quads)
    expect(objects(quads, view, `${HYDRA}totalItems`)).toEqual(['250'])
    expect(objects(quads, view, `${HYDRA}next`)).toEqual([`${BASE}/catalog.ttl?page=4`])
    expect(objects(quads, view, `${HYDRA}last`)).toEqual([`${BASE}/catalog.ttl?page=4`])
    expect(objects(quads, CATALOG, `${DCAT}dataset`)).toHaveLength(100)
  })

  it('sends /catalog to the format asked for', async () => {
    const turtle = await app.inject({ url: '/catalog', headers: { accept: 'text/turtle' } })
    expect(turtle.statusCode).toBe(303)
    expect(turtle.headers.location).toBe('/catalog.ttl')
    expect((await app.inject({ url: '/catalog', headers: { accept: 'application/ld+json' } })).headers.location).toBe('/catalog.jsonld')
    expect((await app.inject({ url: '/catalog', headers: { accept: 'text/html' } })).headers.location).toBe('/datasets')
  })
})
