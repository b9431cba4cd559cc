import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { harvestFixture, startPortal, type Portal } from '../../../test/fixtures/harvest/portal.js'
import { anonymous, type Actor } from '../../platform/actor.js'
import { ForbiddenError, UnauthenticatedError } from '../../platform/errors.js'
import type { Services } from '../../services.js'
import type { HarvestSource } from './read-source.js'
import type { HarvestFormat, HarvestReport } from './report.js'
import type { HarvestCallOptions } from './service.js'

const COUNCILS = ['trafford', 'manchester', 'leeds', 'bury', 'salford', 'stockport', 'wigan', 'bolton', 'oldham']

const file = (name: string): HarvestSource => ({ fileName: name, bytes: harvestFixture(name) })

async function inventory(services: Services, slug: string) {
  const items = (await services.datasets.listForOrganisation(slug, { page: 1, pageSize: 100 })).items
  return Promise.all(items.map((d) => services.datasets.get(d.id)))
}

/** Everything a harvest could have written for a body: audit rows and the sum of dataset versions. */
async function footprint(services: Services, organisationId: string) {
  const audit = await services.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow()
  const versions = await services.db.kysely.selectFrom('datasets').select(['id', 'version']).where('organisation_id', '=', organisationId).orderBy('id').execute()
  const distributions = await services.db.kysely.selectFrom('distributions').innerJoin('datasets', 'datasets.id', 'distributions.dataset_id').select((eb) => eb.fn.countAll<number>().as('n')).where('datasets.organisation_id', '=', organisationId).executeTakeFirstOrThrow()
  return { audit: Number(audit.n), versions, distributions: Number(distributions.n) }
}

describeEachEngine('harvesting a portal into a body’s inventory', (ctx) => {
  let portal: Portal
  let editors: Record<string, Actor>
  let ids: Record<string, string>
  let names: Record<string, string>

  const harvest = (slug: string, source: HarvestSource, format: HarvestFormat, options: HarvestCallOptions = {}): Promise<HarvestReport> =>
    ctx().services.harvest.harvest(editors[slug]!, slug, source, format, { allowPrivateNetworks: true, ...options })

  /** Harvests again and proves nothing was written. */
  async function harvestAgainChangesNothing(slug: string, source: HarvestSource, format: HarvestFormat, options: HarvestCallOptions = {}) {
    const before = await footprint(ctx().services, ids[slug]!)
    const again = await harvest(slug, source, format, options)
    expect(again).toMatchObject({ created: 0, updated: 0, rejected: [], changes: [], saved: true })
    expect(again.unchanged).toBe(again.records)
    expect(await footprint(ctx().services, ids[slug]!)).toEqual(before)
  }

  beforeAll(async () => {
    const { services } = ctx()
    const councils = await seedCouncils(services, COUNCILS)
    ids = Object.fromEntries(Object.entries(councils).map(([slug, o]) => [slug, o.id]))
    names = Object.fromEntries(Object.entries(councils).map(([slug, o]) => [slug, o.name]))
    editors = {}
    for (const slug of COUNCILS) editors[slug] = (await makeUser(services, { org: slug, role: 'editor' })).actor
    portal = await startPortal()
  })
  afterAll(async () => {
    await portal?.close()
  })

  it('declares each dataset of the USDA data.json with its distributions, published, and changes nothing the second time', async () => {
    const { services } = ctx()
    const report = await harvest('trafford', file('datajson/usda.gov.data.json'), 'datajson')
    expect(report).toMatchObject({ pages: 1, records: 3, created: 3, updated: 0, unchanged: 0, rejectedRecords: 0, rejected: [], saved: true, defaults: { themes: 3, frequency: 3, licence: 0 } })
    expect(report.warnings.map((w) => [w.record, w.field, w.reason.replace(/^“[^”]*” is not a licence.*/, 'unknown licence')])).toEqual([
      [2, 'license', 'unknown licence'],
      [3, 'license', 'unknown licence'],
      // The platform's media types have no underscore: the distribution comes across without it.
      [3, 'distribution', 'Distribution 3: “application/vnd.ogc.wms_xml” is not a media type, so it was left out'],
    ])
    const datasets = await inventory(services, 'trafford')
    const byTitle = new Map(datasets.map((d) => [d.dataset.title, d]))
    const logs = byTitle.get('Department of Agriculture Congressional Logs for Fiscal Year 2014')!
    expect(logs.dataset).toMatchObject({ reference: 'USDA-DM-002', licence: 'CC0-1.0', themes: ['GOVE'], frequency: 'irregular', accessLevel: 'open', contactEmail: 'alexis.graves@ocio.usda.gov', status: 'published' })
    expect(logs.dataset.identifier).toBe(`http://lgds.test/datasets/${logs.dataset.id}`)
    expect(logs.distributions).toMatchObject([{ title: 'Congressional Logs for Fiscal Year 2014', downloadUrl: 'http://www.dm.usda.gov/foia/docs/Copy%20of%20ECM%20Congressional%20Logs%20FY14.xls', accessUrl: null, mediaType: 'application/vnd.ms-excel' }])
    const snow = byTitle.get('Percent change in snow residence time (CONUS) (Image Service)')!
    expect(snow.dataset).toMatchObject({ identifier: 'http://enterprisecontent-usfs.opendata.arcgis.com/datasets/f1879e9f6798461f8fd54719ea2231f8', reference: null, licence: 'OGL-UK-3.0', status: 'published' })
    expect(snow.distributions.map((d) => [d.format, d.mediaType])).toEqual([
      ['WEB PAGE', 'text/html'],
      ['ESRI REST', 'application/json'],
      ['OGC WMS', null],
    ])
    await harvestAgainChangesNothing('trafford', file('datajson/usda.gov.data.json'), 'datajson')
  })

  it('updates what changed at the source, adds new distributions, and keeps what the body added itself', async () => {
    const { services } = ctx()
    expect(await harvest('manchester', file('datajson/ny.data.json'), 'datajson')).toMatchObject({ created: 1, saved: true })
    const [first] = await inventory(services, 'manchester')
    expect(first!.dataset).toMatchObject({ identifier: 'https://data.ny.gov/api/views/22ew-dxez', status: 'published', spatial: null })
    expect(first!.distributions).toHaveLength(4)
    // The body adds the area covered, which data.json has no GSS code for.
    const input = { title: first!.dataset.title, description: first!.dataset.description, keywords: first!.dataset.keywords, themes: 'ECON', frequency: 'irregular', spatial: 'E08000003' }
    await services.datasets.update(editors.manchester!, first!.dataset.id, input, first!.dataset.version)

    const changed = JSON.parse(harvestFixture('datajson/ny.data.json').toString('utf8'))
    changed.dataset[0].title = 'SONYMA loans purchased since 2004'
    changed.dataset[0].distribution.push({ '@type': 'dcat:Distribution', downloadURL: 'https://data.ny.gov/api/views/22ew-dxez/rows.tsv?accessType=DOWNLOAD', mediaType: 'text/tab-separated-values' })
    const source = { fileName: 'ny-changed.json', bytes: Buffer.from(JSON.stringify(changed)) }
    const report = await harvest('manchester', source, 'datajson')
    expect(report).toMatchObject({ created: 0, updated: 1, unchanged: 0, changes: [{ record: 1, action: 'updated', title: 'SONYMA loans purchased since 2004' }] })
    const after = await services.datasets.get(first!.dataset.id)
    expect(after.dataset).toMatchObject({ title: 'SONYMA loans purchased since 2004', spatial: 'E08000003', themes: ['ECON'] })
    expect(after.distributions).toHaveLength(5)
    const actions = await services.db.kysely.selectFrom('audit_log').select('action').where('entity_id', '=', first!.dataset.id).orderBy('id').execute()
    expect(actions.map((a) => a.action)).toEqual(['dataset.create', 'dataset.update', 'dataset.update', 'distribution.create'])
    await harvestAgainChangesNothing('manchester', source, 'datajson')
  })

  it('harvests the ARM file and the parent and child collection, keyed by reference', async () => {
    const { services } = ctx()
    expect(await harvest('leeds', file('datajson/arm.data.json'), 'datajson')).toMatchObject({ created: 3, saved: true })
    expect(await harvest('leeds', file('datajson/collection-1-parent-2-children.data.json'), 'datajson')).toMatchObject({ created: 3, saved: true })
    const datasets = await inventory(services, 'leeds')
    expect(datasets.map((d) => d.dataset.reference).sort()).toEqual(['10.5439/1027266', 'OPM-ERround-0001', 'OPM-ERround-0001-AWOL', 'OPM-ERround-0001-Retire', 'avhrr12', 'ncepgfsbrwpprof'])
    const parent = datasets.find((d) => d.dataset.reference === 'OPM-ERround-0001')!
    expect(parent.dataset.status).toBe('declared')
    expect(datasets.find((d) => d.dataset.reference === 'OPM-ERround-0001-AWOL')!.dataset.status).toBe('published')
    await harvestAgainChangesNothing('leeds', file('datajson/arm.data.json'), 'datajson')
  })

  it('reports every unreadable record of the broken file, with its number and what is wrong, and saves nothing', async () => {
    const { services } = ctx()
    const before = await footprint(services, ids.bury!)
    const report = await harvest('bury', file('datajson/missing-dataset-fields.data.json'), 'datajson')
    expect(report).toMatchObject({ records: 2, created: 0, rejectedRecords: 2, saved: false })
    expect(report.rejected).toEqual([
      { record: 1, identifier: null, title: null, field: 'identifier', reason: 'The record has no identifier, so a later harvest could not find it again' },
      { record: 1, identifier: null, title: null, field: 'title', reason: 'The record has no title' },
      { record: 1, identifier: null, title: null, field: 'description', reason: 'The record has no description' },
      { record: 2, identifier: 'IDF6-OPM-0001', title: 'Employee Relations Roundtables', field: 'description', reason: 'The record has no description' },
    ])
    expect(await footprint(services, ids.bury!)).toEqual(before)
  })

  it('harvests CKAN page by page, publishing datasets with resources and leaving private packages out', async () => {
    const { services } = ctx()
    portal.requests.length = 0
    const report = await harvest('salford', { url: `${portal.url}/` }, 'ckan', { ckanPageSize: 2 })
    expect(portal.requests).toEqual(['/api/3/action/package_search?rows=2&start=0', '/api/3/action/package_search?rows=2&start=2', '/api/3/action/package_search?rows=2&start=4'])
    expect(report).toMatchObject({ pages: 3, records: 5, created: 5, saved: true, defaults: { themes: 3, frequency: 1, licence: 1 } })
    expect(report.warnings).toMatchObject([{ record: 6, title: 'Draft budget 2026/27', reason: 'The package is private on the portal, so it was not harvested' }])
    const datasets = new Map((await inventory(services, 'salford')).map((d) => [d.dataset.title, d]))
    expect([...datasets.keys()].sort()).toEqual(['Car park tariffs', "Councillors' allowances", 'Licensed premises', 'Planning applications', 'Public toilets'])
    expect(datasets.get('Car park tariffs')!.dataset).toMatchObject({ reference: 'b7e4d2a1-9c3f-4a6b-b1d2-5e6f7a8b9c02', status: 'published', themes: ['TRAN'], frequency: 'monthly', licence: 'CC-BY-4.0', spatial: 'E08000009', temporalStart: '2024-04-01', temporalEnd: '2025-03-31' })
    expect(datasets.get('Car park tariffs')!.distributions.map((d) => d.byteSize)).toEqual([10532, null])
    expect(datasets.get('Licensed premises')!.dataset).toMatchObject({ status: 'declared', accessLevel: 'restricted', accessReason: 'personal-data', accessExplanation: 'The home addresses of personal licence holders are withheld: they are personal data.' })
    await harvestAgainChangesNothing('salford', { url: `${portal.url}/` }, 'ckan', { ckanPageSize: 2 })
    // The saved answer is the same catalogue: nothing to do either.
    await harvestAgainChangesNothing('salford', file('ckan/package_search.json'), 'ckan')
  })

  it('harvests DCAT in Turtle across its hydra pages, datasets keyed by their IRI', async () => {
    const { services } = ctx()
    const report = await harvest('stockport', { url: `${portal.url}/catalog.ttl` }, 'dcat')
    expect(report).toMatchObject({ pages: 2, records: 4, created: 4, rejected: [], saved: true })
    expect(report.warnings).toMatchObject([{ record: 4, title: 'Air quality readings', field: 'dct:accrualPeriodicity' }])
    const datasets = new Map((await inventory(services, 'stockport')).map((d) => [d.dataset.identifier, d]))
    expect(datasets.get('https://data.example-council.gov.uk/dataset/street-lights')!.dataset).toMatchObject({ status: 'published', themes: ['ENER', 'TRAN'], frequency: 'quarterly', spatial: 'E08000009' })
    expect(datasets.get('https://data.example-council.gov.uk/dataset/street-lights')!.distributions).toMatchObject([{ byteSize: 48213, format: 'CSV', mediaType: 'text/csv' }])
    expect(datasets.get('https://data.example-council.gov.uk/dataset/food-hygiene-inspection-notes')!.dataset).toMatchObject({ status: 'declared', accessLevel: 'non-public', accessReason: 'personal-data' })
    expect(datasets.get('https://data.example-council.gov.uk/dataset/air-quality')!.dataset).toMatchObject({ frequency: 'daily', temporalStart: '2019-01-01', temporalEnd: null })
    await harvestAgainChangesNothing('stockport', { url: `${portal.url}/catalog.ttl` }, 'dcat')
  })

  it('harvests DCAT in JSON-LD all or nothing, or keeps the readable records when a partial harvest is allowed', async () => {
    const { services } = ctx()
    const whole = await harvest('wigan', { url: `${portal.url}/dcat/catalog.jsonld` }, 'dcat')
    expect(whole).toMatchObject({ pages: 2, records: 3, created: 2, rejectedRecords: 1, saved: false })
    expect(whole.rejected).toEqual([{ record: 2, identifier: 'https://data.example-borough.gov.uk/dataset/contracts-register', title: 'Contracts register', field: 'dct:temporal', reason: 'The end of the period covered, “2025-13-31”, is not a date' }])
    expect(await inventory(services, 'wigan')).toEqual([])

    const partial = await harvest('wigan', { url: `${portal.url}/dcat/catalog.jsonld` }, 'dcat', { allowPartial: true })
    expect(partial).toMatchObject({ created: 2, rejectedRecords: 1, saved: true })
    expect((await inventory(services, 'wigan')).map((d) => d.dataset.title).sort()).toEqual(['Bin collection days', 'Housing benefit caseload'])
  })

  it('saves nothing in a dry run, reporting what would happen', async () => {
    const { services } = ctx()
    const before = await footprint(services, ids.bolton!)
    const report = await harvest('bolton', file('ckan/package_search.json'), 'ckan', { dryRun: true })
    expect(report).toMatchObject({ dryRun: true, saved: false, created: 5, rejected: [] })
    expect(report.changes.map((c) => [c.record, c.action])).toEqual([
      [1, 'created'],
      [2, 'created'],
      [3, 'created'],
      [4, 'created'],
      [5, 'created'],
    ])
    expect(await footprint(services, ids.bolton!)).toEqual(before)
  })

  it('refuses a record whose identifier is another body’s dataset', async () => {
    const report = await harvest('bolton', file('datajson/usda.gov.data.json'), 'datajson')
    expect(report).toMatchObject({ saved: false, rejectedRecords: 2 })
    expect(report.rejected.map((p) => [p.record, p.field, p.reason])).toEqual([
      [2, 'identifier', `This identifier belongs to a dataset of another body, not ${names.bolton}`],
      [3, 'identifier', `This identifier belongs to a dataset of another body, not ${names.bolton}`],
    ])
  })

  it('leaves a withdrawn dataset withdrawn when the catalogue still lists it', async () => {
    const { services } = ctx()
    const [street] = (await inventory(services, 'stockport')).filter((d) => d.dataset.title === 'Street lights')
    await services.datasets.withdraw(editors.stockport!, street!.dataset.id, 'Moved to the highways authority', street!.dataset.version)
    await harvestAgainChangesNothing('stockport', { url: `${portal.url}/catalog.ttl` }, 'dcat')
    expect((await services.datasets.get(street!.dataset.id)).dataset.status).toBe('withdrawn')
  })

  it('lets only the body’s editors harvest: anyone else writes nothing and makes the server fetch nothing', async () => {
    const { services } = ctx()
    const before = await footprint(services, ids.oldham!)
    const requests = portal.requests.length
    const source = { url: `${portal.url}/catalog.ttl` }
    await expect(services.harvest.harvest(editors.manchester!, 'oldham', source, 'dcat', { allowPrivateNetworks: true })).rejects.toThrow(ForbiddenError)
    await expect(services.harvest.harvest(anonymous, 'oldham', source, 'dcat', { allowPrivateNetworks: true })).rejects.toThrow(UnauthenticatedError)
    expect(portal.requests.length).toBe(requests)
    expect(await footprint(services, ids.oldham!)).toEqual(before)
  })

  it('reports a catalogue that cannot be read, and refuses private addresses unless the operator allows them', async () => {
    const missing = await harvest('oldham', { url: `${portal.url}/missing.json` }, 'datajson')
    expect(missing).toMatchObject({ sourceRejected: true, saved: false, records: 0, rejected: [{ record: 0, reason: `${portal.url}/missing.json answered HTTP 404 Not Found` }] })
    const requests = portal.requests.length
    const refused = await ctx().services.harvest.harvest(editors.oldham!, 'oldham', { url: `${portal.url}/catalog.ttl` }, 'dcat')
    expect(refused.rejected[0]?.reason).toMatch(/is on this machine or a private network/)
    expect(portal.requests.length).toBe(requests)
    expect(await inventory(ctx().services, 'oldham')).toEqual([])
  })
})
