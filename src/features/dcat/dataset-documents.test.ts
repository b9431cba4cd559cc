import type { FastifyInstance } from 'fastify'
import type { Quad } from 'n3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import { canonicalFromJsonLd, canonicalFromQuads, dcatValidator, describeResults, parseTurtle, validateQuads } from '../../../test/fixtures/dcat/shacl.js'
import { FREQUENCIES } from '../datasets/vocabularies.js'

const BASE = 'http://lgds.test'
const DCAT = 'http://www.w3.org/ns/dcat#'
const DCT = 'http://purl.org/dc/terms/'
const XSD = 'http://www.w3.org/2001/XMLSchema#'

/** Objects of (subject, predicate) in a graph. */
function objects(quads: Quad[], subject: string, predicate: string) {
  return quads.filter((q) => q.subject.value === subject && q.predicate.value === predicate).map((q) => q.object)
}
function only(quads: Quad[], subject: string, predicate: string) {
  const found = objects(quads, subject, predicate)
  expect(found, `${subject} ${predicate}`).toHaveLength(1)
  return found[0]!
}

describeEachEngine('DCAT-AP documents of single datasets', (ctx) => {
  let app: FastifyInstance
  const ids: Record<string, string> = {}
  const everyFrequency: string[] = []

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    const trafford = await makeUser(services, { org: 'trafford' })
    const leeds = await makeUser(services, { org: 'leeds' })
    const open = await services.datasets.declare(
      trafford.actor,
      'trafford',
      {
        title: 'Gritting routes', description: 'Roads the council grits in winter.', keywords: 'roads, winter', themes: ['TRAN', 'ENVI'],
        frequency: 'annual', temporalStart: '2024-04-01', temporalEnd: '2025-03-31', spatial: 'E08000009',
        contactName: 'Highways data team', contactEmail: 'highways@trafford.gov.uk', licence: 'CC-BY-4.0',
      },
      [
        { title: 'Routes as CSV', downloadUrl: 'https://data.trafford.gov.uk/gritting routes.csv', format: 'csv', mediaType: 'text/csv', byteSize: 20480 },
        { title: 'Map service', accessUrl: 'https://maps.trafford.gov.uk/gritting', format: 'Esri-REST' },
      ],
    )
    await services.datasets.addRelease(trafford.actor, open.id, { plannedDate: '2027-06', state: 'confirmed' })
    ids.open = open.id
    ids.restricted = (await services.datasets.declare(leeds.actor, 'leeds', {
      title: 'Tenancy arrears', description: 'Arrears by estate.', themes: ['SOCI'], frequency: 'quarterly',
      accessLevel: 'restricted', accessReason: 'personal-data', accessExplanation: 'Small numbers identify tenants', contactEmail: 'data@leeds.gov.uk',
    })).id
    ids.nonPublic = (await services.datasets.declare(leeds.actor, 'leeds', {
      title: 'Informants', description: 'Names of informants.', themes: ['JUST'], frequency: 'never',
      accessLevel: 'non-public', accessReason: 'national-security', accessExplanation: 'Safety of people',
    })).id
    ids.noContact = (await services.datasets.declare(trafford.actor, 'trafford', { title: 'Bins', description: 'Bin rounds.', themes: ['ENVI'], frequency: 'weekly' })).id
    for (const frequency of FREQUENCIES) {
      const d = await services.datasets.declare(trafford.actor, 'trafford', { title: `Every ${frequency.code}`, description: 'd', themes: ['GOVE'], frequency: frequency.code })
      everyFrequency.push(d.id)
    }
    app = await buildTestApp(ctx())
  })
  afterAll(async () => {
    await app?.close()
  })

  const turtleOf = async (id: string) => {
    const response = await app.inject(`/datasets/${id}.ttl`)
    expect(response.statusCode, response.body).toBe(200)
    return { response, quads: parseTurtle(response.body) }
  }

  it('describes an open dataset with every DCAT-AP property the inventory holds', async () => {
    const { response, quads } = await turtleOf(ids.open!)
    expect(response.headers['content-type']).toBe('text/turtle; charset=utf-8')
    expect(response.body).toMatch(/^@prefix dcat: <http:\/\/www\.w3\.org\/ns\/dcat#>\./m)
    const d = `${BASE}/datasets/${ids.open}`
    expect(only(quads, d, `${DCT}title`)).toMatchObject({ value: 'Gritting routes', language: 'en' })
    expect(only(quads, d, `${DCT}description`)).toMatchObject({ language: 'en' })
    expect(objects(quads, d, `${DCAT}keyword`).map((k) => k.value).sort()).toEqual(['roads', 'winter'])
    expect(objects(quads, d, `${DCAT}theme`).map((t) => t.value).sort()).toEqual([
      'http://publications.europa.eu/resource/authority/data-theme/ENVI',
      'http://publications.europa.eu/resource/authority/data-theme/TRAN',
    ])
    expect(only(quads, d, `${DCT}accessRights`).value).toBe('http://publications.europa.eu/resource/authority/access-right/PUBLIC')
    expect(only(quads, d, `${DCT}accrualPeriodicity`).value).toBe('http://publications.europa.eu/resource/authority/frequency/ANNUAL')
    expect(only(quads, d, `${DCT}spatial`).value).toBe('http://statistics.data.gov.uk/id/statistical-geography/E08000009')
    expect(only(quads, d, `${DCAT}landingPage`).value).toBe(d)
    expect(only(quads, d, `${DCT}modified`)).toMatchObject({ datatype: { value: `${XSD}dateTime` } })
    expect(only(quads, d, `${DCT}issued`)).toMatchObject({ datatype: { value: `${XSD}dateTime` } })

    const publisher = only(quads, d, `${DCT}publisher`).value
    expect(publisher).toBe(`${BASE}/organisations/trafford`)
    expect(only(quads, publisher, 'http://xmlns.com/foaf/0.1/name').value).toBe('Trafford Metropolitan Borough Council')
    expect(only(quads, publisher, `${DCT}identifier`).value).toBe('E08000009')

    const contact = only(quads, d, `${DCAT}contactPoint`).value
    expect(only(quads, contact, 'http://www.w3.org/2006/vcard/ns#hasEmail').value).toBe('mailto:highways@trafford.gov.uk')
    expect(only(quads, contact, 'http://www.w3.org/2006/vcard/ns#fn').value).toBe('Highways data team')
    const period = only(quads, d, `${DCT}temporal`).value
    expect(only(quads, period, `${DCAT}startDate`)).toMatchObject({ value: '2024-04-01', datatype: { value: `${XSD}date` } })
    expect(only(quads, period, `${DCAT}endDate`)).toMatchObject({ value: '2025-03-31', datatype: { value: `${XSD}date` } })

    const release = only(quads, d, `${BASE}/ns#plannedRelease`).value
    expect(only(quads, release, `${BASE}/ns#plannedDate`)).toMatchObject({ value: '2027-06-01', datatype: { value: `${XSD}date` } })
    expect(only(quads, release, `${BASE}/ns#datePrecision`).value).toBe('month')
    expect(only(quads, release, `${BASE}/ns#releaseState`).value).toBe('confirmed')

    const distributions = objects(quads, d, `${DCAT}distribution`).map((o) => o.value)
    expect(distributions).toHaveLength(2)
    const csv = distributions.find((x) => objects(quads, x, `${DCAT}downloadURL`).length === 1)!
    // The download URL stands in for the missing access URL; the space is percent-encoded.
    expect(only(quads, csv, `${DCAT}accessURL`).value).toBe('https://data.trafford.gov.uk/gritting%20routes.csv')
    expect(only(quads, csv, `${DCT}format`).value).toBe('http://publications.europa.eu/resource/authority/file-type/CSV')
    expect(only(quads, csv, `${DCAT}mediaType`).value).toBe('https://www.iana.org/assignments/media-types/text/csv')
    expect(only(quads, csv, `${DCAT}byteSize`)).toMatchObject({ value: '20480', datatype: { value: `${XSD}nonNegativeInteger` } })
    expect(only(quads, csv, `${DCT}license`).value).toBe('https://creativecommons.org/licenses/by/4.0/')
    const service = distributions.find((x) => x !== csv)!
    expect(only(quads, service, `${DCAT}accessURL`).value).toBe('https://maps.trafford.gov.uk/gritting')
    expect(objects(quads, service, `${DCAT}downloadURL`)).toHaveLength(0)
  })

  it('describes datasets that are not open with their access rights and no distributions', async () => {
    for (const [key, code] of [['restricted', 'RESTRICTED'], ['nonPublic', 'NON_PUBLIC']] as const) {
      const { quads } = await turtleOf(ids[key]!)
      const d = `${BASE}/datasets/${ids[key]}`
      expect(only(quads, d, `${DCT}accessRights`).value).toBe(`http://publications.europa.eu/resource/authority/access-right/${code}`)
      expect(objects(quads, d, `${DCAT}distribution`)).toHaveLength(0)
    }
  })

  it('conforms to the DCAT-AP 3.0.1 shapes and class ranges with no result at all', async () => {
    const documents = [ids.open!, ids.restricted!, ids.nonPublic!, ids.noContact!, ...everyFrequency]
    for (const id of documents) {
      const { quads } = await turtleOf(id)
      const report = await validateQuads(quads, ['shapes.ttl', 'range.ttl'])
      expect(report.conforms, `${id}:\n${describeResults(report).join('\n')}`).toBe(true)
      expect(report.results).toHaveLength(0)
    }
    const frequencies = await Promise.all(everyFrequency.map(async (id) => only((await turtleOf(id)).quads, `${BASE}/datasets/${id}`, `${DCT}accrualPeriodicity`).value))
    expect(frequencies.map((f) => f.split('/').pop()).sort()).toEqual(FREQUENCIES.map((f) => f.euCode).sort())
  })

  it('fails the shapes when a required property is missing (the check can fail)', async () => {
    const { quads } = await turtleOf(ids.noContact!)
    const withoutTitle = quads.filter((q) => !(q.subject.value === `${BASE}/datasets/${ids.noContact}` && q.predicate.value === `${DCT}title`))
    const report = await validateQuads(withoutTitle, ['shapes.ttl', 'range.ttl'])
    expect(report.conforms).toBe(false)
    expect(describeResults(report).join('\n')).toContain(`${DCT}title`)

    // range.ttl is loaded too: a licence that is not typed dct:LicenseDocument is a violation.
    const open = (await turtleOf(ids.open!)).quads
    const untypedLicence = open.filter((q) => !(q.object.value === `${DCT}LicenseDocument`))
    const rangeReport = await validateQuads(untypedLicence, ['shapes.ttl', 'range.ttl'])
    expect(rangeReport.conforms).toBe(false)
    expect(describeResults(rangeReport).join('\n')).toContain(`${DCT}license`)
  })

  it('reports what the recommended shapes would add, as warnings', async () => {
    const { shapeCount } = dcatValidator(['shapes_recommended.ttl'])
    expect(shapeCount).toBeGreaterThan(0)
    for (const id of [ids.open!, ids.nonPublic!]) {
      const report = await validateQuads((await turtleOf(id)).quads, ['shapes_recommended.ttl'])
      expect(report).toHaveProperty('conforms')
      for (const line of describeResults(report)) console.warn(`DCAT-AP recommended (${id}): ${line}`)
    }
  })

  it('serves the same graph as JSON-LD as it does as Turtle', async () => {
    for (const id of [ids.open!, ids.restricted!]) {
      const response = await app.inject(`/datasets/${id}.jsonld`)
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toMatch(/^application\/ld\+json/)
      const document = JSON.parse(response.body) as { '@context': Record<string, string>; '@graph': { '@id': string; '@type': unknown }[] }
      expect(document['@context'].dcat).toBe(DCAT)
      expect(document['@graph'].find((n) => n['@id'] === `${BASE}/datasets/${id}`)?.['@type']).toContain('dcat:Dataset')
      const fromTurtle = await canonicalFromQuads((await turtleOf(id)).quads)
      expect(fromTurtle.split('\n').length).toBeGreaterThan(20)
      expect(await canonicalFromJsonLd(document)).toBe(fromTurtle)
    }
  })

  it('answers 404 for an unknown dataset and leaves the dataset page alone', async () => {
    for (const suffix of ['ttl', 'jsonld']) {
      const response = await app.inject(`/datasets/no-such-dataset.${suffix}`)
      expect(response.statusCode).toBe(404)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    const page = await app.inject(`/datasets/${ids.open}`)
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
  })

  it('points to its DCAT-AP documents from the dataset page', async () => {
    const page = await app.inject(`/datasets/${ids.open}`)
    const alternates = [...page.body.matchAll(/<link rel="alternate" type="([^"]+)" href="([^"]+)"/g)].map((m) => [m[1], m[2]])
    expect(alternates).toEqual([
      ['text/turtle', `/datasets/${ids.open}.ttl`],
      ['application/ld+json', `/datasets/${ids.open}.jsonld`],
      ['application/json', `/datasets/${ids.open}/data.json`],
    ])
    for (const [type, href] of alternates.slice(0, 2)) {
      const response = await app.inject(href!)
      expect(response.statusCode, href).toBe(200)
      expect(response.headers['content-type']).toContain(type!)
    }
  })

  it('documents the lgds: extension terms at /ns', async () => {
    const response = await app.inject('/ns')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/turtle; charset=utf-8')
    const quads = parseTurtle(response.body)
    for (const term of ['plannedRelease', 'PlannedRelease', 'plannedDate', 'datePrecision', 'releaseState']) {
      expect(objects(quads, `${BASE}/ns#${term}`, 'http://www.w3.org/2000/01/rdf-schema#comment'), term).toHaveLength(1)
    }
  })
})
