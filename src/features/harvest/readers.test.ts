import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { harvestFixture, startPortal, type Portal } from '../../../test/fixtures/harvest/portal.js'
import { DEFAULT_LIMITS, SourceError } from './fetch-source.js'
import { nextPageOf, parseRdf } from './read-dcat.js'
import { readSource, type HarvestSource } from './read-source.js'
import { checkRecord } from './record.js'
import type { HarvestFormat } from './report.js'

const limits = { ...DEFAULT_LIMITS, allowPrivateNetworks: true }

async function checked(source: HarvestSource, format: HarvestFormat, ckanPageSize?: number) {
  const reading = await readSource(source, format, { limits, ...(ckanPageSize ? { ckanPageSize } : {}) })
  return { reading, records: reading.records.map((r) => checkRecord(r, reading.names)) }
}

const file = (name: string): HarvestSource => ({ fileName: name, bytes: harvestFixture(name) })

describe('reading catalogues', () => {
  let portal: Portal
  beforeAll(async () => {
    portal = await startPortal()
  })
  afterAll(async () => {
    await portal?.close()
  })

  it('reads the USDA data.json: URI identifiers stay identifiers, others become references, distributions come across', async () => {
    const { records } = await checked(file('datajson/usda.gov.data.json'), 'datajson')
    expect(records.map((r) => [r.key, r.keyIsUri, r.problems])).toEqual([
      ['USDA-DM-002', false, []],
      ['http://enterprisecontent-usfs.opendata.arcgis.com/datasets/429428633a5e486289f6111d9cbe7065', true, []],
      ['http://enterprisecontent-usfs.opendata.arcgis.com/datasets/f1879e9f6798461f8fd54719ea2231f8', true, []],
    ])
    expect(records[0]!.given).toMatchObject({ reference: 'USDA-DM-002', licence: 'CC0-1.0', accessLevel: 'open', contactName: 'Alexi Graves', contactEmail: 'Alexis.Graves@ocio.usda.gov' })
    expect(records[0]!.distributions).toEqual([
      { title: 'Congressional Logs for Fiscal Year 2014', downloadUrl: 'http://www.dm.usda.gov/foia/docs/Copy%20of%20ECM%20Congressional%20Logs%20FY14.xls', mediaType: 'application/vnd.ms-excel' },
    ])
    expect(records[2]!.distributions.map((d) => d.format)).toEqual(['Web page', 'Esri REST', 'OGC WMS'])
    // The ArcGIS licence address is nobody's licence: reported, and the default applies to new datasets.
    expect(records[1]!.warnings).toEqual([{ field: 'license', reason: expect.stringMatching(/^“https:\/\/hub\.arcgis\.com\/api\/v2\/datasets\/429428633a5e486289f6111d9cbe7065\/license” is not a licence the platform knows/) }])
    expect(records[1]!.defaults).toMatchObject({ licence: 'OGL-UK-3.0', themes: ['GOVE'], frequency: 'irregular' })
  })

  it('reads the New York State and ARM data.json files and the parent/child collection', async () => {
    const ny = (await checked(file('datajson/ny.data.json'), 'datajson')).records
    expect(ny).toHaveLength(1)
    expect(ny[0]).toMatchObject({ key: 'https://data.ny.gov/api/views/22ew-dxez', keyIsUri: true, problems: [] })
    expect(ny[0]!.distributions.map((d) => d.mediaType)).toEqual(['text/csv', 'application/rdf+xml', 'application/json', 'application/xml'])

    const arm = (await checked(file('datajson/arm.data.json'), 'datajson')).records
    expect(arm.map((r) => r.given.reference)).toEqual(['ncepgfsbrwpprof', '10.5439/1027266', 'avhrr12'])
    expect(arm.every((r) => r.problems.length === 0)).toBe(true)

    const collection = (await checked(file('datajson/collection-1-parent-2-children.data.json'), 'datajson')).records
    expect(collection.map((r) => r.key)).toEqual(['OPM-ERround-0001-AWOL', 'OPM-ERround-0001', 'OPM-ERround-0001-Retire'])
    expect(collection[0]!.distributions).toEqual([
      { title: 'Addressing AWOL', downloadUrl: 'http://www.opm.gov/policy-data-oversight/employee-relations/training/presentationaddressingawol.pdf', mediaType: 'application/pdf' },
      { title: 'Addressing AWOL', accessUrl: 'https://www.youtube.com/watch?v=08bK8zHH9No', format: 'video' },
    ])
  })

  it('names what is wrong with each record of the broken data.json', async () => {
    const { records } = await checked(file('datajson/missing-dataset-fields.data.json'), 'datajson')
    expect(records.map((r) => ({ number: r.number, key: r.key, title: r.title, problems: r.problems }))).toEqual([
      {
        number: 1,
        key: null,
        title: null,
        problems: [
          { field: 'identifier', reason: 'The record has no identifier, so a later harvest could not find it again' },
          { field: 'title', reason: 'The record has no title' },
          { field: 'description', reason: 'The record has no description' },
        ],
      },
      { number: 2, key: 'IDF6-OPM-0001', title: 'Employee Relations Roundtables', problems: [{ field: 'description', reason: 'The record has no description' }] },
    ])
  })

  it('tolerates data.json 1.0: a bare list, keywords as text, the contact as a name with mbox, addresses on the dataset', async () => {
    const old = [{ title: 'Bus stops', description: 'Every stop.', identifier: 'BUS-1', keyword: 'buses, transport', contactPoint: 'Transport team', mbox: 'transport@example.gov.uk', accessURL: 'https://example.gov.uk/stops', format: 'text/csv', accrualPeriodicity: 'monthly', temporal: '2020/2021', accessLevel: 'non-public', rights: 'Stop codes are licensed from a third party.' }]
    const { records } = await checked({ fileName: 'old.json', bytes: Buffer.from(JSON.stringify(old)) }, 'datajson')
    expect(records[0]).toMatchObject({
      problems: [],
      given: { keywords: ['buses', 'transport'], contactName: 'Transport team', contactEmail: 'transport@example.gov.uk', frequency: 'monthly', temporalStart: '2020-01-01', temporalEnd: '2021-12-31', accessLevel: 'non-public', accessReason: 'third-party-rights', accessExplanation: 'Stop codes are licensed from a third party.' },
      distributions: [{ accessUrl: 'https://example.gov.uk/stops', mediaType: 'text/csv' }],
    })
  })

  it('rejects a record that is not open without a reason, or with a bad period or access level', async () => {
    const datasets = [
      { identifier: 'A', title: 'A', description: 'a', accessLevel: 'non-public' },
      { identifier: 'B', title: 'B', description: 'b', accessLevel: 'restricted public', rights: 'Not published.' },
      { identifier: 'C', title: 'C', description: 'c', temporal: '2019-13-01/2020-01-01' },
      { identifier: 'D', title: 'D', description: 'd', accessLevel: 'members only' },
    ]
    const { records } = await checked({ fileName: 'x.json', bytes: Buffer.from(JSON.stringify({ dataset: datasets })) }, 'datajson')
    expect(records.map((r) => r.problems.map((p) => `${p.field}: ${p.reason}`))).toEqual([
      ['rights: The record is “non-public” but has no rights statement saying why the data is not open'],
      [expect.stringMatching(/^rights: The rights statement “Not published\.” does not say why the data is not open in terms the platform recognises: personal data, /)],
      ['temporal: “2019-13-01/2020-01-01” is not a period of dates like 2019-04-01/2020-03-31'],
      ['accessLevel: “members only” is not an access level: use public, restricted public or non-public (or an EU access-right)'],
    ])
  })

  it('pages through CKAN’s package_search by rows and start until count is reached', async () => {
    portal.requests.length = 0
    const { reading, records } = await checked({ url: `${portal.url}/` }, 'ckan', 2)
    expect(portal.requests).toEqual(['/api/3/action/package_search?rows=2&start=0', '/api/3/action/package_search?rows=2&start=2', '/api/3/action/package_search?rows=2&start=4'])
    expect(reading.pages).toBe(3)
    expect(records.map((r) => r.title)).toEqual(['Public toilets', 'Car park tariffs', 'Planning applications', "Councillors' allowances", 'Licensed premises'])
    expect(reading.warnings).toEqual([{ record: 6, identifier: 'f6a7b8c9-4d5e-4f6a-8b9c-2d3e4f5a6b06', title: 'Draft budget 2026/27', field: '', reason: 'The package is private on the portal, so it was not harvested' }])
    expect(records[1]).toMatchObject({
      key: 'b7e4d2a1-9c3f-4a6b-b1d2-5e6f7a8b9c02',
      keyIsUri: false,
      given: { themes: ['TRAN'], licence: 'CC-BY-4.0', frequency: 'monthly', temporalStart: '2024-04-01', temporalEnd: '2025-03-31', spatial: 'E08000009', contactEmail: 'parking@example-council.gov.uk' },
    })
    expect(records[1]!.distributions).toHaveLength(2)
    // The deleted resource is not a distribution.
    expect(records[2]!.distributions.map((d) => d.format)).toEqual(['GeoJSON'])
    expect(records[4]!.given).toMatchObject({ accessLevel: 'restricted', accessReason: 'personal-data' })

    // With the API's own address (and a filter) given, the filter is kept.
    portal.requests.length = 0
    await checked({ url: `${portal.url}/api/3/action/package_search?fq=organization:example-council` }, 'ckan')
    expect(portal.requests).toEqual(['/api/3/action/package_search?fq=organization%3Aexample-council&rows=100&start=0'])
  })

  it('reads a saved package_search answer from a file', async () => {
    const { reading, records } = await checked(file('ckan/package_search.json'), 'ckan')
    expect(reading.pages).toBe(1)
    expect(records).toHaveLength(5)
  })

  it('reads DCAT in Turtle and JSON-LD, following hydra:next to the last page', async () => {
    portal.requests.length = 0
    const turtle = await checked({ url: `${portal.url}/catalog.ttl` }, 'dcat')
    expect(portal.requests).toEqual(['/catalog.ttl', '/catalog.ttl?page=2'])
    expect(turtle.reading.pages).toBe(2)
    expect(turtle.records.map((r) => [r.number, r.key])).toEqual([
      [1, 'https://data.example-council.gov.uk/dataset/street-lights'],
      [2, 'https://data.example-council.gov.uk/dataset/food-hygiene-inspection-notes'],
      [3, 'https://data.example-council.gov.uk/dataset/school-term-dates'],
      [4, 'https://data.example-council.gov.uk/dataset/air-quality'],
    ])
    expect(turtle.records[0]).toMatchObject({
      title: 'Street lights',
      given: { keywords: ['highways', 'lighting'], themes: ['ENER', 'TRAN'], licence: 'OGL-UK-3.0', frequency: 'quarterly', accessLevel: 'open', temporalStart: '2024-04-01', temporalEnd: '2025-03-31', spatial: 'E08000009', contactEmail: 'highways.data@example-council.gov.uk' },
      distributions: [{ title: 'Street lights (CSV)', accessUrl: 'https://data.example-council.gov.uk/dataset/street-lights', downloadUrl: 'https://data.example-council.gov.uk/files/street-lights.csv', format: 'CSV', mediaType: 'text/csv', byteSize: 48213 }],
    })
    expect(turtle.records[1]!.given).toMatchObject({ accessLevel: 'non-public', accessReason: 'personal-data' })
    expect(turtle.records[3]!.warnings.map((w) => w.field)).toEqual(['dct:accrualPeriodicity'])

    portal.requests.length = 0
    const jsonLd = await checked({ url: `${portal.url}/dcat/catalog.jsonld` }, 'dcat')
    expect(portal.requests).toEqual(['/dcat/catalog.jsonld', '/dcat/catalog.jsonld?page=2'])
    expect(jsonLd.records.map((r) => r.title)).toEqual(['Bin collection days', 'Contracts register', 'Housing benefit caseload'])
    expect(jsonLd.records[0]!.distributions[0]).toMatchObject({ byteSize: 1048576, format: 'CSV', mediaType: 'text/csv' })
    expect(jsonLd.records[1]!.problems).toEqual([{ field: 'dct:temporal', reason: 'The end of the period covered, “2025-13-31”, is not a date' }])
    expect(jsonLd.records[2]!.given.licence).toBe('CC0-1.0')
  })

  it('reads one page from a file, saying the rest was not followed, and stops a catalogue that pages in a circle', async () => {
    const page = await checked(file('dcat/catalog-page-1.ttl'), 'dcat')
    expect(page.records).toHaveLength(2)
    expect(page.reading.warnings).toEqual([expect.objectContaining({ field: 'hydra:next', reason: expect.stringMatching(/^The file links to a next page, catalog\.ttl\?page=2: harvest from the catalogue’s address/) })])
    const looping = await checked({ url: `${portal.url}/looping.ttl` }, 'dcat')
    expect(looping.reading.pages).toBe(1)
    expect(looping.reading.warnings[0]?.reason).toMatch(/links back to .*looping\.ttl, already read/)
  })

  it('also follows ckanext-dcat’s older hydra:nextPage', async () => {
    const page = '<https://portal.example/catalog?page=1> <http://www.w3.org/ns/hydra/core#nextPage> <https://portal.example/catalog?page=2> .'
    const store = await parseRdf(page, undefined, false, 'page', async () => ({}))
    expect(nextPageOf(store)).toBe('https://portal.example/catalog?page=2')
    expect(nextPageOf(await parseRdf('<a:b> <c:d> <e:f> .', undefined, false, 'page', async () => ({})))).toBeUndefined()
  })

  it('refuses documents that are not the format asked for', async () => {
    await expect(readSource(file('ckan/package_search.json'), 'datajson', { limits })).rejects.toThrow(new SourceError('This is not a data.json catalogue: it has no “dataset” list'))
    await expect(readSource(file('datajson/ny.data.json'), 'ckan', { limits })).rejects.toThrow(/is not a CKAN package_search answer: it has no “results” list/)
    await expect(readSource({ fileName: 'bad.ttl', bytes: Buffer.from('<a> <b> .') }, 'dcat', { limits })).rejects.toThrow(/^bad\.ttl is not valid Turtle/)
    await expect(readSource({ fileName: 'bad.jsonld', bytes: Buffer.from('{"@context": 5}') }, 'dcat', { limits })).rejects.toThrow(/^bad\.jsonld is not valid JSON-LD/)
    await expect(readSource({ url: `${portal.url}/page.html` }, 'datajson', { limits })).rejects.toThrow(/page\.html is not JSON \(it looks like a web page or XML\)/)
  })
})
