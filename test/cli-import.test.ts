import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/db/connection.js'
import { createServices } from '../src/services.js'
import { projectRoot } from '../src/paths.js'
import { lgds } from './support/cli.js'
import { POSTGRES_UP, REQUIRE_ALL, TEST_DATABASE_URL, testConfig } from './support/engines.js'

const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'datasets')

const fixture = (name: string) => path.join(FIXTURES, name)

describe('lgds import datasets, on SQLite', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lgds-cli-import-'))
  const env = { LGDS_DATA_DIR: dataDir }

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
  }, 120_000)
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('exits 2 with usage on wrong arguments, a missing file or an unknown body', async () => {
    const noOrg = await lgds(['import', 'datasets', fixture('windows-1252.csv')], env)
    expect(noOrg.code).toBe(2)
    expect(noOrg.stderr).toMatch(/required option '--org <slug>' not specified/)
    const noFile = await lgds(['import', 'datasets', '--org', 'trafford'], env)
    expect(noFile.code).toBe(2)
    expect(noFile.stderr).toMatch(/missing required argument 'file'/)
    const missing = await lgds(['import', 'datasets', path.join(dataDir, 'nowhere.csv'), '--org', 'trafford'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/Cannot read .*nowhere\.csv: ENOENT/)
    const atlantis = await lgds(['import', 'datasets', fixture('windows-1252.csv'), '--org', 'atlantis'], env)
    expect(atlantis.code).toBe(2)
    expect(atlantis.stderr).toMatch(/There is no body called “atlantis”/)
    expect(await titles('trafford')).toEqual([])
  })

  it('imports a file, prints the report, and changes nothing when the same file comes again', async () => {
    const first = await lgds(['import', 'datasets', fixture('utf8-bom-crlf.csv'), '--org', 'trafford'], env)
    expect(first.code).toBe(0)
    expect(first.stdout.split('\n')).toEqual([
      'Import complete. Every row was imported.',
      'Rows read: 3. Added: 3, updated: 0, unchanged: 0, rejected: 0.',
      'Warning: line 1, column Colour: This column is not in the template, so it was ignored',
      '',
    ])
    // Not a terminal: plain progress lines instead of a bar.
    expect(first.stderr).toMatch(/^Importing \(bytes read\): \d+ of \d+$/m)
    expect(await titles('trafford')).toEqual(['Allotment plots', 'Café licences', 'Car park tariffs'])

    const again = await lgds(['import', 'datasets', fixture('utf8-bom-crlf.csv'), '--org', 'trafford'], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^Rows read: 3\. Added: 0, updated: 0, unchanged: 3, rejected: 0\.$/m)
    expect(await titles('trafford')).toHaveLength(3)
  })

  it('exits 1 and lists every rejected row by line and column, saving nothing', async () => {
    const result = await lgds(['import', 'datasets', fixture('rejections.csv'), '--org', 'manchester'], env)
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe('Nothing was imported. 7 rows were rejected, so nothing was saved. Correct them and import the file again, or allow a partial import to keep the valid rows.')
    expect(lines[1]).toBe('Rows read: 8. Added: 1, updated: 0, unchanged: 0, rejected: 7.')
    expect(lines.slice(2).map((l) => l.replace(/:.*$/, ''))).toEqual([
      'line 4, column title',
      'line 5, column licence',
      'line 6, column temporal_start',
      'line 7, column themes',
      'line 8, column distribution_url',
      'line 9, column reference',
      'line 10, column next_release',
    ])
    expect(lines[2]).toBe('line 4, column title: Enter a title')
    expect(await titles('manchester')).toEqual([])
  })

  it('keeps the valid rows with --allow-partial, still exiting 1', async () => {
    const result = await lgds(['import', 'datasets', fixture('rejections.csv'), '--org', 'leeds', '--allow-partial'], env)
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^Import finished with rejected rows\. The valid rows were saved\. 7 rows were rejected\.$/m)
    expect(await titles('leeds')).toEqual(['Public toilets'])
  })

  it('saves nothing with --dry-run', async () => {
    const result = await lgds(['import', 'datasets', fixture('windows-1252.csv'), '--org', 'bury', '--dry-run'], env)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Dry run: the file can be imported\. Nothing was saved\./)
    expect(result.stdout).toMatch(/Added: 2, updated: 0, unchanged: 0, rejected: 0\./)
    expect(await titles('bury')).toEqual([])
  })
})

describe.skipIf(!POSTGRES_UP && !REQUIRE_ALL)('lgds import datasets, on PostgreSQL', () => {
  const schema = `cli_import_${Date.now().toString(36)}`
  const databaseUrl = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })

  beforeAll(async () => {
    await admin.connect()
    await admin.query(`create schema ${schema}`)
  })
  afterAll(async () => {
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  })

  it('imports the same way', async () => {
    expect((await lgds(['seed'], { DATABASE_URL: databaseUrl })).code).toBe(0)
    const result = await lgds(['import', 'datasets', fixture('windows-1252.csv'), '--org', 'trafford'], { DATABASE_URL: databaseUrl })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Rows read: 2\. Added: 2, updated: 0, unchanged: 0, rejected: 0\.$/m)
    const { rows } = await admin.query(`select title from ${schema}.datasets order by title`)
    expect(rows.map((r) => r.title)).toEqual(['Café inspections', 'Street trading'])
  }, 120_000)
})
