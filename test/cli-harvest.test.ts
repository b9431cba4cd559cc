import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/db/connection.js'
import { createServices } from '../src/services.js'
import { lgds } from './support/cli.js'
import { POSTGRES_UP, REQUIRE_ALL, TEST_DATABASE_URL, testConfig } from './support/engines.js'
import { HARVEST_FIXTURES, startPortal, type Portal } from './fixtures/harvest/portal.js'

const fixture = (name: string) => path.join(HARVEST_FIXTURES, name)

describe('lgds harvest, on SQLite', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lgds-cli-harvest-'))
  const env = { LGDS_DATA_DIR: dataDir }
  let portal: Portal

  /** The titles of a body's datasets, read straight from the database the command wrote. */
  async function titles(slug: string): Promise<string[]> {
    const db = connect({ sqliteFile: path.join(dataDir, 'lgds.sqlite') })
    try {
      const services = createServices(testConfig(), db)
      return (await services.datasets.listForOrganisation(slug, { page: 1, pageSize: 100 })).items.map((d) => d.title).sort()
    } finally {
      await db.close()
    }
  }

  beforeAll(async () => {
    expect((await lgds(['seed'], env)).code).toBe(0)
    portal = await startPortal()
  }, 120_000)
  afterAll(async () => {
    await portal?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('exits 2 with usage on wrong arguments, a missing file or an unknown body', async () => {
    const usda = fixture('datajson/usda.gov.data.json')
    const noFormat = await lgds(['harvest', usda, '--org', 'trafford'], env)
    expect(noFormat.code).toBe(2)
    expect(noFormat.stderr).toMatch(/required option '--format <format>' not specified/)
    const badFormat = await lgds(['harvest', usda, '--org', 'trafford', '--format', 'csv'], env)
    expect(badFormat.code).toBe(2)
    expect(badFormat.stderr).toMatch(/Allowed choices are datajson, ckan, dcat/)
    const noOrg = await lgds(['harvest', usda, '--format', 'datajson'], env)
    expect(noOrg.code).toBe(2)
    const missing = await lgds(['harvest', path.join(dataDir, 'nowhere.json'), '--org', 'trafford', '--format', 'datajson'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/Cannot read .*nowhere\.json: ENOENT/)
    const atlantis = await lgds(['harvest', usda, '--org', 'atlantis', '--format', 'datajson'], env)
    expect(atlantis.code).toBe(2)
    expect(atlantis.stderr).toMatch(/There is no body called “atlantis”/)
    expect(await titles('trafford')).toEqual([])
  }, 120_000)

  it('harvests a data.json file, prints the report, and changes nothing the second time', async () => {
    const first = await lgds(['harvest', fixture('datajson/usda.gov.data.json'), '--org', 'trafford', '--format', 'datajson'], env)
    expect(first.code).toBe(0)
    const lines = first.stdout.trim().split('\n')
    expect(lines.slice(0, 6)).toEqual([
      'Harvest complete. Every record was harvested.',
      'Records read: 3 (1 page). Added: 3, updated: 0, unchanged: 0, rejected: 0.',
      '3 new datasets have no EU data theme at the source: declared under GOVE (Government and public sector).',
      '3 new datasets have no update frequency at the source: declared as irregular.',
      'Created: record 1 “Department of Agriculture Congressional Logs for Fiscal Year 2014” (USDA-DM-002)',
      'Created: record 2 “Percent change in annual precipitation (CONUS) (Image Service)” (http://enterprisecontent-usfs.opendata.arcgis.com/datasets/429428633a5e486289f6111d9cbe7065)',
    ])
    expect(lines.filter((l) => l.startsWith('Warning: '))).toHaveLength(3)
    expect(await titles('trafford')).toHaveLength(3)

    const again = await lgds(['harvest', fixture('datajson/usda.gov.data.json'), '--org', 'trafford', '--format', 'datajson'], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^Records read: 3 \(1 page\)\. Added: 0, updated: 0, unchanged: 3, rejected: 0\.$/m)
    expect(again.stdout).not.toMatch(/Created:/)
  }, 120_000)

  it('changes nothing with --dry-run and prints what would happen, reading CKAN a hundred at a time', async () => {
    portal.requests.length = 0
    const result = await lgds(['harvest', `${portal.url}/`, '--org', 'manchester', '--format', 'ckan', '--dry-run'], env)
    expect(result.code).toBe(0)
    expect(portal.requests).toEqual(['/api/3/action/package_search?rows=100&start=0'])
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe('Dry run: the catalogue can be harvested. Nothing was saved. This is what harvesting it would do.')
    expect(lines[1]).toBe('Records read: 5 (1 page). Added: 5, updated: 0, unchanged: 0, rejected: 0.')
    expect(lines.filter((l) => l.startsWith('Would be created: '))).toEqual([
      'Would be created: record 1 “Public toilets” (3f1c9a2e-5b7d-4c1e-8f2a-9d0e1b2c3a41)',
      'Would be created: record 2 “Car park tariffs” (b7e4d2a1-9c3f-4a6b-b1d2-5e6f7a8b9c02)',
      'Would be created: record 3 “Planning applications” (c2d3e4f5-1a2b-4c3d-9e8f-7a6b5c4d3e03)',
      'Would be created: record 4 “Councillors\' allowances” (d4e5f6a7-2b3c-4d5e-8f9a-0b1c2d3e4f04)',
      'Would be created: record 5 “Licensed premises” (e5f6a7b8-3c4d-4e5f-9a0b-1c2d3e4f5a05)',
    ])
    expect(result.stdout).toContain('Warning: record 6 “Draft budget 2026/27” (f6a7b8c9-4d5e-4f6a-8b9c-2d3e4f5a6b06): The package is private on the portal, so it was not harvested')
    expect(await titles('manchester')).toEqual([])
  }, 120_000)

  it('exits 1 and lists every rejected record by number, title, identifier and field, saving nothing', async () => {
    const result = await lgds(['harvest', fixture('datajson/missing-dataset-fields.data.json'), '--org', 'leeds', '--format', 'datajson'], env)
    expect(result.code).toBe(1)
    expect(result.stdout.trim().split('\n')).toEqual([
      'Nothing was harvested. 2 records were rejected, so nothing was saved. Correct them at the source and harvest again, or allow a partial harvest to keep the readable records.',
      'Records read: 2 (1 page). Added: 0, updated: 0, unchanged: 0, rejected: 2.',
      'record 1, field identifier: The record has no identifier, so a later harvest could not find it again',
      'record 1, field title: The record has no title',
      'record 1, field description: The record has no description',
      'record 2 “Employee Relations Roundtables” (IDF6-OPM-0001), field description: The record has no description',
    ])
    expect(await titles('leeds')).toEqual([])
  }, 120_000)

  it('exits 1 when the catalogue cannot be read, and keeps the readable records with --allow-partial', async () => {
    const missing = await lgds(['harvest', `${portal.url}/missing.json`, '--org', 'leeds', '--format', 'datajson'], env)
    expect(missing.code).toBe(1)
    expect(missing.stdout.trim().split('\n')).toEqual(['The catalogue could not be read. Nothing was saved.', `source: ${portal.url}/missing.json answered HTTP 404 Not Found`])

    const partial = await lgds(['harvest', `${portal.url}/dcat/catalog.jsonld`, '--org', 'leeds', '--format', 'dcat', '--allow-partial'], env)
    expect(partial.code).toBe(1)
    expect(partial.stdout).toMatch(/^Harvest finished with rejected records\. The readable records were saved\. 1 record was rejected\.$/m)
    expect(partial.stdout).toMatch(/^Records read: 3 \(2 pages\)\. Added: 2, updated: 0, unchanged: 0, rejected: 1\.$/m)
    expect(await titles('leeds')).toEqual(['Bin collection days', 'Housing benefit caseload'])
  }, 120_000)
})

describe.skipIf(!POSTGRES_UP && !REQUIRE_ALL)('lgds harvest, on PostgreSQL', () => {
  const schema = `cli_harvest_${Date.now().toString(36)}`
  const databaseUrl = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  let portal: Portal

  beforeAll(async () => {
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    portal = await startPortal()
  })
  afterAll(async () => {
    await portal?.close()
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  })

  it('harvests a DCAT catalogue across its pages the same way, and nothing the second time', async () => {
    expect((await lgds(['seed'], { DATABASE_URL: databaseUrl })).code).toBe(0)
    const args = ['harvest', `${portal.url}/catalog.ttl`, '--org', 'trafford', '--format', 'dcat']
    const result = await lgds(args, { DATABASE_URL: databaseUrl })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Records read: 4 \(2 pages\)\. Added: 4, updated: 0, unchanged: 0, rejected: 0\.$/m)
    const again = await lgds(args, { DATABASE_URL: databaseUrl })
    expect(again.stdout).toMatch(/^Records read: 4 \(2 pages\)\. Added: 0, updated: 0, unchanged: 4, rejected: 0\.$/m)
    const { rows } = await admin.query(`select identifier, status, version from ${schema}.datasets order by identifier`)
    expect(rows).toEqual([
      { identifier: 'https://data.example-council.gov.uk/dataset/air-quality', status: 'published', version: 1 },
      { identifier: 'https://data.example-council.gov.uk/dataset/food-hygiene-inspection-notes', status: 'declared', version: 1 },
      { identifier: 'https://data.example-council.gov.uk/dataset/school-term-dates', status: 'published', version: 1 },
      { identifier: 'https://data.example-council.gov.uk/dataset/street-lights', status: 'published', version: 1 },
    ])
  }, 120_000)
})
