import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import type { Services } from '../../services.js'
import { toDataset, type Dataset } from '../datasets/model.js'
import type { NewDeclaration } from '../datasets/service.js'
import { validateDeclaration, type DeclarationInput } from '../datasets/validation.js'

interface Package {
  id: string
  state: string
  organization: { name: string }
  metadata_modified: string
}

const BODIES = ['trafford', 'manchester', 'leeds']

/** Declares `count` datasets for a body in one go; every 7th is restricted and every 11th not public. */
async function declareMany(services: Services, slug: string, count: number, from = 0): Promise<Dataset[]> {
  const organisation = await services.organisations.getBySlug(slug)
  const items: NewDeclaration[] = Array.from({ length: count }, (_, k) => {
    const i = from + k
    const access: DeclarationInput =
      i % 7 === 0 ? { accessLevel: 'restricted', accessReason: 'commercial-confidentiality', accessExplanation: 'Contract terms.' } : i % 11 === 0 ? { accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'About people.' } : {}
    const { values } = validateDeclaration({ title: `${slug} dataset ${i}`, description: `Dataset number ${i}.`, keywords: ['harvest', `k${i % 5}`], themes: 'GOVE', frequency: 'annual', ...access })
    return { values: values!, distributions: i % 3 === 0 ? [{ downloadUrl: `https://data.example.gov.uk/${slug}/${i}.csv`, format: 'CSV' }] : [] }
  })
  const rows = await services.db.kysely.transaction().execute((trx) => services.datasets.insertDeclarations(trx, system, organisation, items))
  return rows.map(toDataset)
}

function declarationOf(d: Dataset, changes: DeclarationInput = {}): DeclarationInput {
  return {
    title: d.title,
    description: d.description,
    keywords: d.keywords,
    themes: d.themes,
    accessLevel: d.accessLevel,
    accessReason: d.accessReason ?? undefined,
    accessExplanation: d.accessExplanation ?? undefined,
    licence: d.licence,
    frequency: d.frequency,
    ...changes,
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describeEachEngine('harvesting the catalogue as ckanext-harvest’s CKAN harvester does', (ctx) => {
  let app: FastifyInstance
  let datasets: Dataset[] = []
  const publicIds = () => new Set(datasets.filter((d) => d.accessLevel === 'open' && d.status !== 'withdrawn').map((d) => d.id))
  const refresh = async (id: string) => {
    const current = (await ctx().services.datasets.get(id)).dataset
    datasets = datasets.map((d) => (d.id === id ? current : d))
    return current
  }

  /** ckanext-harvest's `_search_for_datasets`: 100 at a time in id order, until a page is empty. */
  async function harvest(target: FastifyInstance, fq?: string) {
    const params: Record<string, string> = { rows: '100', start: '0', sort: 'id asc', ...(fq ? { fq } : {}) }
    const found: Package[] = []
    const seen = new Set<string>()
    let duplicates = 0
    let requests = 0
    let previous = ''
    for (;;) {
      const response = await target.inject({ method: 'GET', url: `/api/3/action/package_search?${new URLSearchParams(params)}` })
      requests++
      expect(response.statusCode, response.body).toBe(200)
      expect(response.body, 'the paging does not seem to work').not.toBe(previous)
      previous = response.body
      const page = JSON.parse(response.body).result.results as Package[]
      for (const p of page) {
        if (seen.has(p.id)) duplicates++
        else found.push(p)
        seen.add(p.id)
      }
      if (page.length === 0) break
      params.start = String(Number(params.start) + Number(params.rows))
    }
    return { found, ids: new Set(found.map((p) => p.id)), duplicates, requests }
  }

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    for (const [i, slug] of BODIES.entries()) datasets.push(...(await declareMany(services, slug, i === 0 ? 84 : 83)))
    // Withdrawn datasets are CKAN's deleted ones: a default harvest leaves them out.
    for (const d of datasets.filter((d) => d.accessLevel === 'open').slice(0, 3)) {
      await services.datasets.withdraw(system, d.id, 'Superseded', d.version)
      await refresh(d.id)
    }
    app = await buildTestApp(ctx())
  }, 120_000)
  afterAll(async () => {
    await app?.close()
  })

  it('gets every public dataset exactly once and nothing else', async () => {
    expect(datasets).toHaveLength(250)
    const expected = publicIds()
    expect(expected.size).toBeGreaterThan(150)
    expect(expected.size).toBeLessThan(250)
    const run = await harvest(app)
    expect(run.duplicates).toBe(0)
    expect(run.ids).toEqual(expected)
    expect(run.requests).toBe(Math.ceil(expected.size / 100) + 1)
    expect(new Set(run.found.map((p) => p.organization.name))).toEqual(new Set(BODIES))
    expect(run.found.every((p) => p.state === 'active')).toBe(true)
    const first = await app.inject({ method: 'GET', url: '/api/3/action/package_search?rows=0' })
    expect(JSON.parse(first.body).result.count).toBe(expected.size)

    // Later pages came from where the previous page ended; a server that has seen no earlier
    // page counts its way there instead, and must give the same page.
    const fresh = await buildTestApp(ctx())
    const ids = async (target: FastifyInstance, query: string) =>
      JSON.parse((await target.inject({ method: 'GET', url: `/api/3/action/package_search?sort=id%20asc&${query}` })).body).result.results.map((p: Package) => p.id)
    expect(await ids(fresh, 'rows=100&start=100')).toEqual(run.found.slice(100, 200).map((p) => p.id))
    // Between two page ends, the server starts from the nearer one and counts the rest.
    expect(await ids(app, 'rows=20&start=130')).toEqual(await ids(fresh, 'rows=20&start=130'))
    expect(await ids(app, 'rows=20&start=130')).toEqual(run.found.slice(130, 150).map((p) => p.id))
    await fresh.close()
  })

  it('picks up exactly what changed since the last run, as its incremental runs ask', async () => {
    const { services } = ctx()
    await pause(5)
    const lastRun = new Date().toISOString()
    await pause(5)
    const open = datasets.filter((d) => d.accessLevel === 'open' && d.status !== 'withdrawn')
    const restricted = datasets.find((d) => d.accessLevel === 'restricted')!
    const [retitled1, retitled2, withFile, madeSecret, withdrawn] = open.slice(10, 15) as [Dataset, Dataset, Dataset, Dataset, Dataset]
    await services.datasets.update(system, retitled1.id, declarationOf(retitled1, { title: 'A new title' }), retitled1.version)
    await services.datasets.update(system, retitled2.id, declarationOf(retitled2, { keywords: ['changed'] }), retitled2.version)
    await services.datasets.addDistribution(system, withFile.id, { downloadUrl: 'https://data.example.gov.uk/new.csv', format: 'CSV' })
    await services.datasets.update(system, madeSecret.id, declarationOf(madeSecret, { accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'About people after all.' }), madeSecret.version)
    await services.datasets.update(system, restricted.id, declarationOf(restricted, { accessLevel: 'open' }), restricted.version)
    await services.datasets.withdraw(system, withdrawn.id, 'Superseded', withdrawn.version)
    for (const d of [retitled1, retitled2, withFile, madeSecret, restricted, withdrawn]) await refresh(d.id)

    // What the harvester sends: Python's isoformat of its last run, with microseconds, and Z.
    const since = `${lastRun.slice(0, 23)}000Z`
    const incremental = await harvest(app, `metadata_modified:[${since} TO *]`)
    expect(incremental.ids).toEqual(new Set([retitled1.id, retitled2.id, withFile.id, restricted.id]))
    const deleted = await app.inject({ method: 'GET', url: `/api/3/action/package_search?${new URLSearchParams({ fq: `metadata_modified:[${since} TO *]`, include_deleted: 'true', rows: '100' })}` })
    const withDeleted = JSON.parse(deleted.body).result.results as Package[]
    expect(withDeleted.find((p) => p.id === withdrawn.id)?.state).toBe('deleted')

    const full = await harvest(app)
    expect(full.duplicates).toBe(0)
    expect(full.ids).toEqual(publicIds())
    expect(full.ids.has(madeSecret.id)).toBe(false)
  })

  it('cuts rows to 1,000 as CKAN 2.10 does, and pages on past them', async () => {
    const { services } = ctx()
    datasets.push(...(await declareMany(services, 'leeds', 1100, 1000)))
    const expected = publicIds()
    expect(expected.size).toBeGreaterThan(1000)
    const first = JSON.parse((await app.inject({ method: 'GET', url: '/api/3/action/package_search?rows=5000&sort=id%20asc' })).body).result
    expect(first.count).toBe(expected.size)
    expect(first.results).toHaveLength(1000)
    const rest = JSON.parse((await app.inject({ method: 'GET', url: '/api/3/action/package_search?rows=1000&start=1000&sort=id%20asc' })).body).result
    const ids = [...first.results, ...rest.results].map((p: Package) => p.id)
    expect(new Set(ids)).toEqual(expected)
    expect(ids).toHaveLength(expected.size)
  }, 120_000)
})
