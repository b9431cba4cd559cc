import { describe, expect, it } from 'vitest'
import { describeResults, parseTurtle, validateQuads } from '../../../test/fixtures/dcat/shacl.js'
import type { CatalogueEntry } from '../datasets/catalogue.js'
import type { Dataset, Distribution } from '../datasets/model.js'
import type { Organisation } from '../organisations/service.js'
import { describeSingleDataset } from './describe-catalog.js'
import { prefixesFor } from './namespaces.js'

/*
 * The mapping of records the forms would not let through but other ways in (harvests, old
 * imports) may hold: an identifier that is not an IRI, a body with no code, a format with no EU
 * file type, a distribution with no address.
 */

const BASE = 'http://lgds.test'
const DCT = 'http://purl.org/dc/terms/'
const DCAT = 'http://www.w3.org/ns/dcat#'

const publisher: Organisation = {
  id: 'org-1', slug: 'parish-of-nowhere', name: 'Nowhere Parish Council', shortName: 'Nowhere', identifier: null, type: 'parish', typeLabel: 'Parish',
  nation: 'England', region: null, parentId: null, website: null, lat: null, lon: null, source: 'admin', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
}

const dataset: Dataset = {
  id: 'ds-1', identifier: 'NOWHERE/ALLOTMENTS-7', organisationId: 'org-1', reference: null, title: 'Allotments', description: 'Plots and\nwaiting list.',
  keywords: [], themes: ['AGRI'], accessLevel: 'open', accessReason: null, accessExplanation: null, licence: 'OGL-UK-3.0', frequency: 'irregular',
  temporalStart: null, temporalEnd: '2025-12-31', spatial: null, contactName: 'Clerk', contactEmail: null, status: 'published', withdrawnReason: null,
  nextReleaseDate: null, version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z', publishedAt: null,
}

const distribution = (overrides: Partial<Distribution>): Distribution => ({
  id: 'dist-1', datasetId: 'ds-1', title: 'Plots', accessUrl: null, downloadUrl: null, format: null, mediaType: null, byteSize: null, releaseId: null, createdAt: '2026-01-01T00:00:00.000Z', ...overrides,
})

describe('the DCAT-AP description of unusual records', () => {
  it('stays valid DCAT-AP and keeps what it can', async () => {
    const entry: CatalogueEntry = {
      dataset,
      publisher,
      distributions: [distribution({ id: 'a', format: 'LOTUS-123', mediaType: 'not a media type' }), distribution({ id: 'b', accessUrl: 'https://x.example/plots', byteSize: 0 })],
      nextRelease: null,
    }
    const quads = parseTurtle(describeSingleDataset(entry, BASE).toTurtle(prefixesFor(BASE)))
    const value = (s: string, p: string) => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value)

    // An identifier that is not an IRI names the dataset by its page and is kept as dct:identifier.
    const subject = `${BASE}/datasets/ds-1`
    expect(value(subject, `${DCT}identifier`)).toEqual(['NOWHERE/ALLOTMENTS-7'])
    // A body with no code of its own is identified by its address here.
    expect(value(`${BASE}/organisations/parish-of-nowhere`, `${DCT}identifier`)).toEqual([`${BASE}/organisations/parish-of-nowhere`])
    expect(value(`${BASE}/organisations/parish-of-nowhere`, `${DCT}type`)).toEqual(['http://purl.org/adms/publishertype/LocalAuthority'])
    // A distribution without any address is reached through the dataset's page.
    expect(value(`${subject}#distribution-a`, `${DCAT}accessURL`)).toEqual([subject])
    expect(value(`${subject}#distribution-a`, `${DCAT}mediaType`)).toEqual([])
    const format = value(`${subject}#distribution-a`, `${DCT}format`)[0]!
    expect(value(format, 'http://www.w3.org/2000/01/rdf-schema#label')).toEqual(['LOTUS-123'])
    expect(value(`${subject}#distribution-b`, `${DCAT}byteSize`)).toEqual(['0'])

    const report = await validateQuads(quads, ['shapes.ttl', 'range.ttl'])
    expect(report.conforms, describeResults(report).join('\n')).toBe(true)
  })

  it('gives a dataset that is not open no distributions even if rows remain', () => {
    const entry: CatalogueEntry = { dataset: { ...dataset, accessLevel: 'restricted' }, publisher, distributions: [distribution({ downloadUrl: 'https://x.example/a.csv' })], nextRelease: null }
    const turtle = describeSingleDataset(entry, BASE).toTurtle(prefixesFor(BASE))
    expect(turtle).toContain('access-right/RESTRICTED')
    expect(turtle).not.toContain('dcat:distribution')
  })
})
