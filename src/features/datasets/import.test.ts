import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { describeEachEngine, openTestDatabase, POSTGRES_UP, testConfig } from '../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../test/support/fixtures.js'
import { projectRoot } from '../../paths.js'
import { anonymous, type Actor } from '../../platform/actor.js'
import { ConflictError, ForbiddenError, UnauthenticatedError, ValidationError } from '../../platform/errors.js'
import { createServices, type Services } from '../../services.js'
import type { ImportReport } from '../../platform/import-report.js'
import { COLUMNS, templateCsv } from './import-template.js'

const COUNCILS = ['trafford', 'manchester', 'leeds', 'bury', 'salford', 'stockport', 'wigan', 'bolton', 'oldham', 'rochdale', 'tameside', 'sefton', 'wirral', 'knowsley']

function fixture(name: string): Buffer {
  return readFileSync(path.join(projectRoot, 'test', 'fixtures', 'datasets', name))
}

const HEADER = COLUMNS.join(',')

/** A file in the template's columns from rows given as column → value. */
function csv(rows: Partial<Record<(typeof COLUMNS)[number], string>>[]): Buffer {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
  return Buffer.from([HEADER, ...rows.map((r) => COLUMNS.map((c) => cell(r[c] ?? '')).join(','))].join('\n') + '\n')
}

async function inventory(services: Services, slug: string) {
  return (await services.datasets.listForOrganisation(slug, { page: 1, pageSize: 100 })).items
}

async function byReference(services: Services, slug: string, reference: string) {
  const found = (await inventory(services, slug)).find((d) => d.reference === reference)
  if (!found) throw new Error(`no dataset ${reference} in ${slug}`)
  return services.datasets.get(found.id)
}

async function auditCount(services: Services, organisationId: string): Promise<number> {
  const row = await services.db.kysely
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

function problems(report: ImportReport) {
  return report.rejected.map((p) => [p.line, p.column])
}

describeEachEngine('importing datasets from CSV', (ctx) => {
  let editors: Record<string, Actor>
  let organisationIds: Record<string, string>

  beforeAll(async () => {
    const { services } = ctx()
    const councils = await seedCouncils(services, COUNCILS)
    organisationIds = Object.fromEntries(Object.entries(councils).map(([slug, o]) => [slug, o.id]))
    editors = {}
    for (const slug of COUNCILS) editors[slug] = (await makeUser(services, { org: slug, role: 'editor' })).actor
  })

  it('reads UTF-8 with a byte order mark, CRLF line ends and a newline inside quotes', async () => {
    const { services } = ctx()
    const report = await services.datasetImport.importCsv(editors.bury!, 'bury', fixture('utf8-bom-crlf.csv'))
    expect(report).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [], saved: true, encoding: 'utf-8', fileRejected: false })
    // The header is read case-insensitively and trimmed; the column the template lacks is named once.
    expect(report.warnings).toEqual([{ line: 1, column: 'Colour', reason: 'This column is not in the template, so it was ignored' }])

    const allotments = await byReference(services, 'bury', 'BOM-1')
    expect(allotments.dataset).toMatchObject({
      title: 'Allotment plots',
      description: 'Every allotment site and plot.\r\nRents start at £25 a year, and the "waiting list" is included.',
      keywords: ['allotments', 'food'],
      themes: ['AGRI', 'REGI'],
      licence: 'OGL-UK-3.0',
      temporalStart: '2024-04-01',
      spatial: 'E08000009',
      status: 'declared',
    })

    const carParks = await byReference(services, 'bury', 'BOM-2')
    expect(carParks.dataset).toMatchObject({ licence: 'CC-BY-4.0', status: 'published', nextReleaseDate: '2027-01-01' })
    expect(carParks.distributions).toMatchObject([{ accessUrl: 'https://data.example.gov.uk/car-parks.csv', format: 'CSV' }])
    expect(carParks.releases).toMatchObject([{ plannedDate: '2027-01-01', precision: 'quarter', state: 'provisional', label: 'January to March 2027' }])

    const cafes = await byReference(services, 'bury', 'BOM-3')
    expect(cafes.dataset).toMatchObject({ title: 'Café licences', keywords: ['licensing', 'cafés'], accessLevel: 'restricted', accessReason: 'personal-data', status: 'scheduled', nextReleaseDate: '2027-03-01' })

    const actions = await services.db.kysely.selectFrom('audit_log').select('action').where('organisation_id', '=', organisationIds.bury!).where('entity_type', 'in', ['dataset', 'release']).orderBy('id').execute()
    expect(actions.map((a) => a.action).sort()).toEqual(['dataset.create', 'dataset.create', 'dataset.create', 'release.create', 'release.create'])
    // Creations are logged without copies of the rows (each row is its own first version), and the import as a whole.
    const imports = await services.db.kysely.selectFrom('audit_log').select('after_json').where('organisation_id', '=', organisationIds.bury!).where('action', '=', 'dataset.import').execute()
    expect(imports.map((e) => JSON.parse(e.after_json!))).toEqual([{ encoding: 'utf-8', rows: 3, created: 3, updated: 0, unchanged: 0, rejected: 0 }])
  })

  it('reads Windows-1252, as Excel on Windows saves “CSV”', async () => {
    const { services } = ctx()
    const bytes = fixture('windows-1252.csv')
    expect(bytes.includes(0xa3)).toBe(true) // £ as one byte: the file really is not UTF-8
    const report = await services.datasetImport.importCsv(editors.salford!, 'salford', bytes)
    expect(report).toMatchObject({ rows: 2, created: 2, rejected: [], saved: true, encoding: 'windows-1252' })
    const cafes = await byReference(services, 'salford', 'W1252-1')
    expect(cafes.dataset.title).toBe('Café inspections')
    expect(cafes.dataset.description).toBe('Food hygiene inspections of cafés; fees from £50 – the council’s own figures, in €uros too.')
  })

  it('reads a file pasted together from several, whose lines end in CRLF, LF and CR, and counts its lines right', async () => {
    const { services } = ctx()
    const file = Buffer.from(
      'reference,title,description,themes,frequency\r\n' +
        'MIX-1,Road works,Planned road works.,TRAN,weekly\n' +
        'MIX-2,Bridges,"Every bridge,\nwith its inspection.",TRAN,annual\r' +
        'MIX-3,,No title here.,TRAN,annual\r\n' +
        'MIX-4,Ferries,Sailings on the river.,TRAN,monthly\n',
    )
    const report = await services.datasetImport.importCsv(editors.wirral!, 'wirral', file, { dryRun: true })
    expect(report).toMatchObject({ rows: 4, created: 3 })
    // MIX-3 starts on line 5: line 3 holds a break inside quotes.
    expect(problems(report)).toEqual([[5, 'title']])
  })

  it('reports every rejected row with the line it starts on, its column and the reason, and saves nothing', async () => {
    const { services } = ctx()
    const elsewhere = await services.datasets.declare(editors.trafford!, 'trafford', { title: 'Trafford gritting', description: 'Gritting routes.', themes: 'TRAN', frequency: 'annual' })
    const file = Buffer.concat([fixture('rejections.csv'), csv([{ identifier: elsewhere.identifier, title: 'Taken over', description: 'Not ours.', themes: 'TRAN', frequency: 'annual' }]).subarray(HEADER.length + 1)])
    const auditBefore = await auditCount(services, organisationIds.stockport!)

    const report = await services.datasetImport.importCsv(editors.stockport!, 'stockport', file)
    expect(problems(report)).toEqual([
      [4, 'title'],
      [5, 'licence'],
      [6, 'temporal_start'],
      [7, 'themes'],
      [8, 'distribution_url'],
      [9, 'reference'],
      [10, 'next_release'],
      [11, 'identifier'],
    ])
    const reasons = report.rejected.map((p) => p.reason)
    expect(reasons[0]).toBe('Enter a title')
    expect(reasons[1]).toMatch(/^Unknown licence “WTFPL”: use OGL-UK-3.0, /)
    expect(reasons[2]).toBe('Start of the period covered must be a real date like 2024-04-01')
    expect(reasons[3]).toMatch(/^Unknown theme MOON: use AGRI, /)
    expect(reasons[4]).toBe('Access address must start https:// or http://')
    expect(reasons[5]).toBe('The reference “REJ-OK” is already used on line 2 of this file')
    expect(reasons[6]).toMatch(/^“2027-13” is not a date/)
    expect(reasons[7]).toBe('This identifier belongs to a dataset of another body, not Stockport Metropolitan Borough Council')
    expect(report).toMatchObject({ rows: 9, created: 1, rejectedRows: 8, saved: false, fileRejected: false })

    expect(await inventory(services, 'stockport')).toEqual([])
    expect(await auditCount(services, organisationIds.stockport!)).toBe(auditBefore)
    expect((await services.datasets.get(elsewhere.id)).dataset).toMatchObject({ title: 'Trafford gritting', version: elsewhere.version })
  })

  it('keeps the valid rows when partial imports are allowed', async () => {
    const { services } = ctx()
    const report = await services.datasetImport.importCsv(editors.wigan!, 'wigan', fixture('rejections.csv'), { allowPartial: true })
    expect(report).toMatchObject({ rows: 8, created: 1, rejectedRows: 7, saved: true, allowPartial: true })
    const saved = await inventory(services, 'wigan')
    expect(saved.map((d) => [d.reference, d.title])).toEqual([['REJ-OK', 'Public toilets']])
    expect(saved[0]!.description).toBe('Locations and opening hours\nof public toilets.')
  })

  it('refuses a file without a required column, or one that is not CSV, whatever the options', async () => {
    const { services } = ctx()
    const noTitle = await services.datasetImport.importCsv(editors.leeds!, 'leeds', fixture('no-title-column.csv'), { allowPartial: true })
    expect(noTitle).toMatchObject({ fileRejected: true, saved: false, rows: 0, rejected: [{ line: 1, column: 'title', reason: 'The file has no title column: start from the template' }] })
    const workbook = await services.datasetImport.importCsv(editors.leeds!, 'leeds', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0]))
    expect(workbook).toMatchObject({ fileRejected: true, saved: false, rejectedRows: 1 })
    expect(workbook.rejected[0]!.reason).toMatch(/spreadsheet workbook/)
    const unclosed = await services.datasetImport.importCsv(editors.leeds!, 'leeds', Buffer.from(`${HEADER}\n,U-1,Fine,Fine.,,GOVE,,,,,annual,,,,,,,,,,\n,U-2,"Broken,Oops.,,GOVE,,,,,annual,,,,,,,,,,\n`), { allowPartial: true })
    expect(unclosed).toMatchObject({ fileRejected: true, saved: false, rejected: [{ line: 3, column: '' }] })
    expect(unclosed.rejected[0]!.reason).toMatch(/quoted value is never closed/)
    expect(await inventory(services, 'leeds')).toEqual([])
  })

  it('does a dry run: reports what would happen and writes nothing', async () => {
    const { services } = ctx()
    await services.datasetImport.importCsv(editors.bolton!, 'bolton', fixture('utf8-bom-crlf.csv'))
    const before = await inventory(services, 'bolton')
    const auditBefore = await auditCount(services, organisationIds.bolton!)
    const file = csv([
      { reference: 'BOM-1', title: 'Allotment plots and waiting lists', description: 'Changed.', themes: 'AGRI', frequency: 'annual' },
      { reference: 'NEW-1', title: 'Markets', description: 'Market days and pitches.', themes: 'ECON', frequency: 'annual', next_release: '2027-06-30' },
    ])
    const report = await services.datasetImport.importCsv(editors.bolton!, 'bolton', file, { dryRun: true })
    expect(report).toMatchObject({ rows: 2, created: 1, updated: 1, unchanged: 0, rejected: [], dryRun: true, saved: false })
    expect(await inventory(services, 'bolton')).toEqual(before)
    expect(await auditCount(services, organisationIds.bolton!)).toBe(auditBefore)
  })

  it('is idempotent: the same file imported again changes nothing and duplicates nothing', async () => {
    const { services } = ctx()
    const withoutReferences = csv([{ title: 'Council tax bands', description: 'Band of every property.', themes: 'ECON', frequency: 'annual', next_release: '2027-04' }])
    for (const file of [fixture('utf8-bom-crlf.csv'), fixture('windows-1252.csv'), withoutReferences]) {
      await services.datasetImport.importCsv(editors.oldham!, 'oldham', file)
    }
    const datasetsBefore = await inventory(services, 'oldham')
    const auditBefore = await auditCount(services, organisationIds.oldham!)
    expect(datasetsBefore).toHaveLength(6)

    const again = await services.datasetImport.importCsv(editors.oldham!, 'oldham', fixture('utf8-bom-crlf.csv'))
    expect(again).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3, rejected: [], saved: true })
    expect(await services.datasetImport.importCsv(editors.oldham!, 'oldham', fixture('windows-1252.csv'))).toMatchObject({ rows: 2, unchanged: 2 })
    // Without identifier or reference a row is matched by its exact title.
    expect(await services.datasetImport.importCsv(editors.oldham!, 'oldham', withoutReferences)).toMatchObject({ rows: 1, unchanged: 1, created: 0 })

    expect(await inventory(services, 'oldham')).toEqual(datasetsBefore)
    expect(await auditCount(services, organisationIds.oldham!)).toBe(auditBefore)
    const carParks = await byReference(services, 'oldham', 'BOM-2')
    expect(carParks.releases).toHaveLength(1)
    expect(carParks.distributions).toHaveLength(1)
  })

  it('updates changed rows matched by identifier or reference, adding new releases and distributions', async () => {
    const { services, db } = ctx()
    await services.datasetImport.importCsv(editors.rochdale!, 'rochdale', fixture('utf8-bom-crlf.csv'))
    const allotments = await byReference(services, 'rochdale', 'BOM-1')
    const carParks = await byReference(services, 'rochdale', 'BOM-2')
    const file = csv([
      // By identifier, changing its reference and title too.
      { identifier: allotments.dataset.identifier, reference: 'ALLOT-1', title: 'Allotments', description: allotments.dataset.description, keywords: 'allotments; food', themes: 'AGRI; REGI', frequency: 'annual', temporal_start: '2024-04-01', temporal_end: '2025-03-31', spatial: 'E08000009', contact_email: 'allotments@example.gov.uk' },
      // By reference: the same declaration, with a new distribution and a new release.
      { reference: 'BOM-2', title: 'Car park tariffs', description: 'Charges at every council car park.', keywords: 'parking', themes: 'TRAN', access_level: 'open', licence: 'CC-BY-4.0', frequency: 'quarterly', distribution_title: 'Tariffs (JSON)', distribution_url: 'https://data.example.gov.uk/car-parks.json', distribution_format: 'JSON', next_release: '2027-Q3' },
    ])
    const report = await services.datasetImport.importCsv(editors.rochdale!, 'rochdale', file)
    expect(report).toMatchObject({ rows: 2, created: 0, updated: 2, unchanged: 0, rejected: [], saved: true })

    const renamed = await services.datasets.get(allotments.dataset.id)
    expect(renamed.dataset).toMatchObject({ reference: 'ALLOT-1', title: 'Allotments', version: allotments.dataset.version + 1 })
    const moreCarParks = await services.datasets.get(carParks.dataset.id)
    expect(moreCarParks.distributions.map((d) => d.format).sort()).toEqual(['CSV', 'JSON'])
    expect(moreCarParks.releases.map((r) => r.label)).toEqual(['January to March 2027', 'July to September 2027'])
    expect(await inventory(services, 'rochdale')).toHaveLength(3)
    const updates = await db.kysely.selectFrom('audit_log').select(['action', 'actor_label']).where('entity_id', 'in', [allotments.dataset.id, carParks.dataset.id]).where('action', '!=', 'dataset.create').orderBy('id').execute()
    expect(updates.map((u) => u.action)).toEqual(['dataset.update', 'distribution.create'])

    // A file with only some columns changes only those; an empty reference keeps the dataset's.
    const few = Buffer.from('title,description,themes,frequency,reference\nCar park tariffs,Charges and opening hours.,TRAN,quarterly,BOM-2\nAllotments,Every allotment site.,AGRI,annual,\n')
    expect(await services.datasetImport.importCsv(editors.rochdale!, 'rochdale', few)).toMatchObject({ rows: 2, updated: 2, rejected: [] })
    expect((await services.datasets.get(carParks.dataset.id)).dataset).toMatchObject({ description: 'Charges and opening hours.', licence: 'CC-BY-4.0', keywords: ['parking'], accessLevel: 'open' })
    expect((await services.datasets.get(allotments.dataset.id)).dataset).toMatchObject({ reference: 'ALLOT-1', description: 'Every allotment site.', themes: ['AGRI'], spatial: 'E08000009', contactEmail: 'allotments@example.gov.uk' })
    expect(await services.datasetImport.importCsv(editors.rochdale!, 'rochdale', few)).toMatchObject({ unchanged: 2 })
  })

  it('refuses a row that repeats a title without a reference, or changes a withdrawn dataset', async () => {
    const { services } = ctx()
    const declared = await services.datasets.declare(editors.manchester!, 'manchester', { reference: 'OLD-1', title: 'Old data', description: 'No longer kept.', themes: 'GOVE', frequency: 'never' })
    await services.datasets.withdraw(editors.manchester!, declared.id, 'No longer kept', declared.version)
    const file = csv([
      { title: 'Libraries', description: 'Branches.', themes: 'EDUC', frequency: 'annual' },
      { title: 'libraries', description: 'Opening hours.', themes: 'EDUC', frequency: 'annual' },
      { reference: 'OLD-1', title: 'Old data', description: 'Revived.', themes: 'GOVE', frequency: 'never' },
      { reference: 'OLD-1', title: 'Old data again', description: 'Twice.', themes: 'GOVE', frequency: 'never' },
    ])
    const report = await services.datasetImport.importCsv(editors.manchester!, 'manchester', file, { allowPartial: true })
    expect(report.rejected).toEqual([
      { line: 3, column: 'title', reason: 'Line 2 of this file has the same title: give each dataset a reference so they can be told apart' },
      { line: 4, column: 'reference', reason: 'This dataset has been withdrawn and can no longer change' },
      { line: 5, column: 'reference', reason: 'The reference “OLD-1” is already used on line 4 of this file' },
    ])
    expect(report).toMatchObject({ created: 1, saved: true })
    expect((await services.datasets.get(declared.id)).dataset).toMatchObject({ status: 'withdrawn', description: 'No longer kept.' })
  })

  it('lets only the body’s editors import: others are refused and nothing is written', async () => {
    const { services } = ctx()
    const plain = await makeUser(services)
    const readToken: Actor = { kind: 'token', tokenId: 't', tokenName: 'read', organisationId: organisationIds.tameside!, scope: 'read' }
    const auditBefore = await auditCount(services, organisationIds.tameside!)
    for (const [who, error] of [
      [anonymous, UnauthenticatedError],
      [plain.actor, ForbiddenError],
      [editors.trafford!, ForbiddenError],
      [readToken, ForbiddenError],
    ] as const) {
      await expect(services.datasetImport.importCsv(who, 'tameside', fixture('utf8-bom-crlf.csv'))).rejects.toBeInstanceOf(error)
      await expect(services.datasetImport.importCsv(who, 'tameside', fixture('utf8-bom-crlf.csv'), { dryRun: true })).rejects.toBeInstanceOf(error)
    }
    expect(await inventory(services, 'tameside')).toEqual([])
    expect(await auditCount(services, organisationIds.tameside!)).toBe(auditBefore)
    const writeToken: Actor = { kind: 'token', tokenId: 'w', tokenName: 'write', organisationId: organisationIds.tameside!, scope: 'write' }
    expect(await services.datasetImport.importCsv(writeToken, 'tameside', fixture('windows-1252.csv'))).toMatchObject({ created: 2, saved: true })
    expect(await services.datasetImport.importCsv(system, 'tameside', fixture('windows-1252.csv'))).toMatchObject({ unchanged: 2 })
  })

  it('declares new rows in bulk, indexed for search, and stores what declaring one at a time does', async () => {
    const { services, db } = ctx()
    await services.datasetImport.importCsv(editors.sefton!, 'sefton', fixture('utf8-bom-crlf.csv'))
    const bulk = await byReference(services, 'sefton', 'BOM-2')
    const single = await services.datasets.insertDeclaration(db.kysely, system, await services.organisations.getBySlug('wirral'), { ...bulk.dataset, reference: 'BOM-2' } as never, [{ accessUrl: 'https://data.example.gov.uk/car-parks.csv', format: 'CSV' }])
    const planned = await services.datasets.insertRelease(db.kysely, system, single, { date: '2027-01-01', precision: 'quarter' })
    const same = (d: typeof bulk.dataset) => ({ ...d, id: '', identifier: '', organisationId: '', version: 0, createdAt: '', updatedAt: '', publishedAt: d.publishedAt ? 'set' : null })
    expect(same((await services.datasets.get(planned.id)).dataset)).toEqual(same(bulk.dataset))
    const indexed = await db.kysely.selectFrom('datasets_fts' as never).select('dataset_id' as never).where('dataset_id' as never, '=', bulk.dataset.id as never).execute()
    expect(indexed).toHaveLength(1)
    // Changing a bulk-declared dataset updates its own index entry, not a new or another one.
    const page = { page: 1, pageSize: 50 }
    const renamed = await services.datasets.update(editors.sefton!, bulk.dataset.id, { ...bulk.dataset, title: 'Zanzibar parking quotas', keywords: bulk.dataset.keywords.join(', '), themes: bulk.dataset.themes } as never, bulk.dataset.version)
    expect((await services.datasetSearch.search({ q: 'zanzibar' }, page)).items.map((d) => d.id)).toEqual([renamed.id])
    const entries = await db.kysely.selectFrom('datasets_fts' as never).select('dataset_id' as never).where('dataset_id' as never, '=', bulk.dataset.id as never).execute()
    expect(entries).toHaveLength(1)
  })

  it('declares rows one at a time when the bulk declaration fails, naming the rows at fault', async () => {
    const { services } = ctx()
    const bulk = vi.spyOn(services.datasets, 'insertDeclarations').mockRejectedValueOnce(new ConflictError('A dataset with that identifier or reference already exists'))
    const single = services.datasets.insertDeclaration.bind(services.datasets)
    const one = vi.spyOn(services.datasets, 'insertDeclaration').mockImplementation(async (trx, actor, organisation, values, distributions) => {
      if (values.title === 'Car park tariffs') throw new ValidationError([{ name: 'reference', message: 'Another dataset already has the reference “BOM-2”' }])
      return single(trx, actor, organisation, values, distributions)
    })
    try {
      const report = await services.datasetImport.importCsv(editors.knowsley!, 'knowsley', fixture('utf8-bom-crlf.csv'), { allowPartial: true })
      expect(report).toMatchObject({ created: 2, rejected: [{ line: 4, column: 'reference', reason: 'Another dataset already has the reference “BOM-2”' }], saved: true })
    } finally {
      bulk.mockRestore()
      one.mockRestore()
    }
    const titles = (await inventory(services, 'knowsley')).map((d) => d.title).sort()
    expect(titles).toEqual(['Allotment plots', 'Café licences'])
  })

  it('publishes a template whose example row imports cleanly', async () => {
    const { services } = ctx()
    const template = templateCsv()
    expect(template.split('\r\n')[0]).toBe(HEADER)
    const report = await services.datasetImport.importCsv(editors.leeds!, 'leeds', Buffer.from(template), { dryRun: true })
    expect(report).toMatchObject({ rows: 1, created: 1, rejected: [], warnings: [], saved: false })
  })
})

// Only PostgreSQL lets another writer in while an import runs: SQLite has one writer at a time.
describe.skipIf(!POSTGRES_UP)('importing datasets on PostgreSQL, the writes on their way while the file is read', () => {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined
  let services: Services
  let editor: Actor
  beforeAll(async () => {
    opened = await openTestDatabase('postgres')
    services = createServices(testConfig(), opened.db)
    await seedCouncils(services, ['halton'])
    editor = (await makeUser(services, { org: 'halton', role: 'editor' })).actor
  })
  afterAll(async () => {
    await opened?.drop()
  })

  it('saves nothing, and says why, when someone declares a reference of the file meanwhile', async () => {
    const declare = services.datasets.insertDeclarations.bind(services.datasets)
    let otherImport: ImportReport | undefined
    const meanwhile = vi.spyOn(services.datasets, 'insertDeclarations').mockImplementationOnce(async (trx, actor, organisation, items, options) => {
      // Another editor's import, on a connection of its own, commits BOM-2 first.
      otherImport = await services.datasetImport.importCsv(editor, 'halton', csv([{ reference: 'BOM-2', title: 'Parking charges', description: 'Declared meanwhile.', themes: 'TRAN', frequency: 'annual' }]))
      return declare(trx, actor, organisation, items, options)
    })
    try {
      // The file's rows were on their way to the database when it refused one: the import fails whole.
      await expect(services.datasetImport.importCsv(editor, 'halton', fixture('utf8-bom-crlf.csv'))).rejects.toThrow(
        /Halton Borough Council was declared by someone else while this file was imported.*Nothing was imported: import the file again/,
      )
    } finally {
      meanwhile.mockRestore()
    }
    expect(otherImport).toMatchObject({ created: 1, saved: true })
    expect((await inventory(services, 'halton')).map((d) => d.title)).toEqual(['Parking charges'])
    // Imported again, the file's one clash is a row refused, as usual.
    const again = await services.datasetImport.importCsv(editor, 'halton', fixture('utf8-bom-crlf.csv'))
    expect(again).toMatchObject({ created: 2, updated: 1, saved: true })
  })
})
