import { readFileSync } from 'node:fs'
import AjvDraft04 from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import type { CatalogueEntry } from '../datasets/catalogue.js'
import { dataJsonChunks, type PodDataset } from './pod.js'

// The POD v1.1 non-federal schema as its README says to load it: draft-04, `unicodeRegExp: false`.
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../test/fixtures/datajson/${name}`, import.meta.url), 'utf8')) as object
// The schema puts minItems inside `items`: harmless, but Ajv's strict types would warn of it.
// Both are CommonJS modules whose default export is under `default` once imported from ESM.
const Ajv = AjvDraft04.default
const addFormats = ajvFormats.default
const ajv = new Ajv({ unicodeRegExp: false, allErrors: true, strictTypes: false })
addFormats(ajv)
ajv.addSchema(fixture('dataset-non-federal.json'))
const validateCatalog = ajv.compile(fixture('catalog.json'))
const validateDataset = ajv.getSchema('https://project-open-data.cio.gov/v1.1/schema/dataset-non-federal.json')!

function expectValid(validate: ((data: unknown) => boolean | Promise<unknown>) & { errors?: unknown }, data: unknown) {
  const ok = validate(data)
  expect(validate.errors ?? null, JSON.stringify(validate.errors, null, 2)).toBeNull()
  expect(ok).toBe(true)
}

const LONG_EXPLANATION = `The register names the people who reported concerns. ${'Publishing any part of it would identify them. '.repeat(8)}`

describeEachEngine('data.json (Project Open Data v1.1)', (ctx) => {
  let app: FastifyInstance
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    const declare = async (key: string, org: string, input: Record<string, string>, distributions: Record<string, string>[] = []) => {
      ids[key] = (await services.datasets.declare(system, org, { themes: 'GOVE', frequency: 'annual', ...input }, distributions)).id
    }
    await declare('bins', 'trafford', {
      title: 'Bin collection days <&> “rounds”',
      description: 'Every property’s bin day.\nUpdated weekly.',
      keywords: 'waste, bins',
      themes: 'ENVI, SOCI',
      frequency: 'weekly',
      contactName: 'Waste data team',
      contactEmail: 'waste.data@trafford.gov.uk',
      spatial: 'E08000009',
      temporalStart: '2024-04-01',
      temporalEnd: '2025-03-31',
      licence: 'CC-BY-4.0',
    }, [
      { title: 'Bin days (CSV)', downloadUrl: 'https://data.trafford.gov.uk/bins.csv', format: 'CSV' },
      { title: 'Rounds map', downloadUrl: 'https://data.trafford.gov.uk/rounds.geojson', format: 'GeoJSON', mediaType: 'application/geo+json' },
      { title: 'Shapefile', downloadUrl: 'https://data.trafford.gov.uk/rounds.shp.zip.unknown', format: 'SHP' },
      { title: 'Portal page', accessUrl: 'https://portal.trafford.gov.uk/bins' },
    ])
    await declare('cctv', 'trafford', {
      title: 'CCTV camera locations',
      description: 'Public-space cameras.',
      themes: 'JUST',
      accessLevel: 'non-public',
      accessReason: 'national-security',
      accessExplanation: 'It would help people avoid them.',
      frequency: 'never',
      temporalStart: '2020-01-01',
    })
    await declare('concerns', 'trafford', {
      title: 'Safeguarding concerns register',
      description: 'Concerns reported to the council.',
      themes: 'SOCI, HEAL',
      accessLevel: 'restricted',
      accessReason: 'personal-data',
      accessExplanation: LONG_EXPLANATION,
      frequency: 'irregular',
      contactEmail: 'safeguarding@trafford.gov.uk',
    })
    await declare('lights', 'leeds', { title: 'Street lighting', description: 'Every street light column.', themes: 'ENER', frequency: 'continuous' }, [
      { title: 'CSV', downloadUrl: 'https://data.leeds.gov.uk/lights.csv' },
    ])
    await services.datasets.withdraw(system, ids.lights!, 'No longer collected', (await services.datasets.get(ids.lights!)).dataset.version)
    await declare('parks', 'leeds', { title: 'Parks', description: 'Parks and open spaces.', themes: 'ENVI', frequency: 'monthly' })
    await services.datasets.addRelease(system, ids.parks!, { plannedDate: '2031-06', state: 'confirmed' })
    app = await buildTestApp(ctx())
  }, 60_000)

  afterAll(async () => {
    await app?.close()
  })

  async function catalog(url = '/data.json') {
    const response = await app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(200)
    return { response, body: response.json() as { '@id': string; dataset: PodDataset[] } }
  }
  const byTitle = (datasets: PodDataset[], title: string) => datasets.find((d) => d.title === title)!

  it('lists every declaration, open or not, valid against the POD v1.1 non-federal schema', async () => {
    const { response, body } = await catalog()
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['cache-control']).toBe('public, max-age=300')
    expectValid(validateCatalog, body)
    for (const dataset of body.dataset) expectValid(validateDataset, dataset)
    expect(body).toMatchObject({ '@type': 'dcat:Catalog', '@id': 'http://lgds.test/data.json', conformsTo: 'https://project-open-data.cio.gov/v1.1/schema' })
    expect(body.dataset.map((d) => d.title).sort()).toEqual(['Bin collection days <&> “rounds”', 'CCTV camera locations', 'Parks', 'Safeguarding concerns register', 'Street lighting'])
    expect(body.dataset.map((d) => d.accessLevel).sort()).toEqual(['non-public', 'public', 'public', 'public', 'restricted public'])

    const head = await app.inject({ method: 'HEAD', url: '/data.json' })
    expect(head.statusCode).toBe(200)
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(head.body).toBe('')
  })

  it('maps an open, published dataset with its contact, coverage, cadence and downloads', async () => {
    const bins = byTitle((await catalog()).body.dataset, 'Bin collection days <&> “rounds”')
    expect(bins).toMatchObject({
      description: 'Every property’s bin day.\nUpdated weekly.',
      keyword: ['waste', 'bins'],
      theme: ['Environment', 'Population and society'],
      accessLevel: 'public',
      accrualPeriodicity: 'R/P1W',
      license: 'https://creativecommons.org/licenses/by/4.0/',
      spatial: 'http://statistics.data.gov.uk/id/statistical-geography/E08000009',
      temporal: '2024-04-01/2025-03-31',
      publisher: { '@type': 'org:Organization', name: 'Trafford Metropolitan Borough Council' },
      contactPoint: { '@type': 'vcard:Contact', fn: 'Waste data team', hasEmail: 'mailto:waste.data@trafford.gov.uk' },
      identifier: `http://lgds.test/datasets/${ids.bins}`,
      landingPage: `http://lgds.test/datasets/${ids.bins}`,
    })
    expect(bins.rights).toBeUndefined()
    expect(bins.issued).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(bins.modified).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(bins.distribution).toEqual([
      // A format is enough to know the media type a download needs.
      { '@type': 'dcat:Distribution', title: 'Bin days (CSV)', downloadURL: 'https://data.trafford.gov.uk/bins.csv', mediaType: 'text/csv', format: 'CSV' },
      { '@type': 'dcat:Distribution', title: 'Rounds map', downloadURL: 'https://data.trafford.gov.uk/rounds.geojson', mediaType: 'application/geo+json', format: 'GEOJSON' },
      // No known media type: offered as where to get the data instead.
      { '@type': 'dcat:Distribution', title: 'Shapefile', accessURL: 'https://data.trafford.gov.uk/rounds.shp.zip.unknown', format: 'SHP' },
      { '@type': 'dcat:Distribution', title: 'Portal page', accessURL: 'https://portal.trafford.gov.uk/bins' },
    ])
  })

  it('says why data is not public, falls back for keywords and contacts, and offers nothing unpublished', async () => {
    const { dataset } = (await catalog()).body
    const cctv = byTitle(dataset, 'CCTV camera locations')
    expect(cctv).toMatchObject({
      accessLevel: 'non-public',
      rights: 'National security or public safety: It would help people avoid them.',
      keyword: ['Justice, legal system and public safety'],
      contactPoint: { '@type': 'vcard:Contact', fn: 'Trafford Metropolitan Borough Council' },
    })
    expect(cctv.contactPoint.hasEmail).toBeUndefined()
    // "never" has no ISO 8601 cadence, and a period with no end cannot be written.
    expect(cctv).not.toHaveProperty('accrualPeriodicity')
    expect(cctv).not.toHaveProperty('temporal')
    expect(cctv).not.toHaveProperty('distribution')

    const concerns = byTitle(dataset, 'Safeguarding concerns register')
    expect(concerns.accessLevel).toBe('restricted public')
    expect(concerns.accrualPeriodicity).toBe('irregular')
    expect(concerns.contactPoint).toEqual({ '@type': 'vcard:Contact', fn: 'safeguarding@trafford.gov.uk', hasEmail: 'mailto:safeguarding@trafford.gov.uk' })
    expect(concerns.rights!.startsWith('Personal data: The register names the people')).toBe(true)
    expect([...concerns.rights!].length).toBe(255)
    expect(concerns.rights!.endsWith('…')).toBe(true)

    // Withdrawn: still declared, but its files are no longer offered.
    const lights = byTitle(dataset, 'Street lighting')
    expect(lights.accrualPeriodicity).toBe('R/PT1S')
    expect(lights).not.toHaveProperty('distribution')
    expect(byTitle(dataset, 'Parks')).not.toHaveProperty('distribution')
  })

  it('narrows to one publisher, and names an unknown one in a 404 problem', async () => {
    const { body } = await catalog('/data.json?publisher=Leeds')
    expectValid(validateCatalog, body)
    expect(body['@id']).toBe('http://lgds.test/data.json?publisher=leeds')
    expect(body.dataset.map((d) => d.title).sort()).toEqual(['Parks', 'Street lighting'])
    expect(new Set(body.dataset.map((d) => d.publisher.name))).toEqual(new Set(['Leeds City Council']))

    const missing = await app.inject({ method: 'GET', url: '/data.json?publisher=atlantis' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(missing.json()).toMatchObject({ status: 404, title: 'Not found', instance: '/data.json' })
    expect(missing.json().detail).toContain('“atlantis”')
  })

  it('gives one dataset’s entry at /datasets/{id}/data.json, the same as in the catalogue', async () => {
    const response = await app.inject({ method: 'GET', url: `/datasets/${ids.cctv}/data.json` })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expectValid(validateDataset, response.json())
    expect(response.json()).toEqual(byTitle((await catalog()).body.dataset, 'CCTV camera locations'))

    const missing = await app.inject({ method: 'GET', url: '/datasets/no-such-dataset/data.json' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  })
})

describeEachEngine('data.json of an empty inventory', (ctx) => {
  it('is a valid catalogue with no datasets', async () => {
    const app = await buildTestApp(ctx())
    try {
      const response = await app.inject({ method: 'GET', url: '/data.json' })
      expect(response.statusCode).toBe(200)
      const body = response.json()
      expect(body.dataset).toEqual([])
      expectValid(validateCatalog, body)
    } finally {
      await app.close()
    }
  })
})

describe('writing data.json', () => {
  it('writes each piece as the catalogue is read, never holding the whole', async () => {
    let read = 0
    const total = 5000
    async function* entries(): AsyncGenerator<CatalogueEntry> {
      for (let i = 0; i < total; i++) {
        read++
        yield fakeEntry(i)
      }
    }
    const chunks = dataJsonChunks(entries(), 'http://lgds.test', 'http://lgds.test/data.json', 16 * 1024)
    const first = await chunks.next()
    // The first piece leaves before most of the catalogue has been read.
    expect(read).toBeLessThan(total / 10)
    const pieces = [first.value as string]
    for await (const piece of chunks) {
      expect(piece.length).toBeLessThan(32 * 1024)
      pieces.push(piece)
    }
    expect(pieces.length).toBeGreaterThan(20)
    const body = JSON.parse(pieces.join(''))
    expect(body.dataset).toHaveLength(total)
    expect(body.dataset[4999].title).toBe('Dataset 4999')
    expectValid(validateCatalog, body)
  })
})

function fakeEntry(i: number): CatalogueEntry {
  const now = '2026-01-02T03:04:05.678Z'
  return {
    dataset: {
      id: `d${i}`, identifier: `http://lgds.test/datasets/d${i}`, organisationId: 'o', reference: null, title: `Dataset ${i}`, description: 'A dataset.',
      keywords: [], themes: ['GOVE'], accessLevel: 'open', accessReason: null, accessExplanation: null, licence: 'OGL-UK-3.0', frequency: 'annual',
      temporalStart: null, temporalEnd: null, spatial: null, contactName: null, contactEmail: null, status: 'declared', withdrawnReason: null,
      nextReleaseDate: null, version: 1, createdAt: now, updatedAt: now, publishedAt: null,
    },
    publisher: { id: 'o', slug: 'somewhere', name: 'Somewhere Council' } as CatalogueEntry['publisher'],
    distributions: [],
    nextRelease: null,
  }
}
