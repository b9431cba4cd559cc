import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { CommanderError } from 'commander'
import { POSTGRES_UP, TEST_DATABASE_URL, testConfig } from '../../../test/support/engines.js'
import { seedCouncils } from '../../../test/support/fixtures.js'
import { openDatabase } from '../../bootstrap.js'
import { buildProgram } from '../../cli.js'
import type { Config } from '../../config.js'
import { projectRoot } from '../../paths.js'
import { createServices } from '../../services.js'
import { TRAFFORD_REGISTER } from './demo.js'

const fixture = (name: string) => path.join(projectRoot, 'test', 'fixtures', 'assets', name)

/** Runs `lgds …` in this process, as `main` would, capturing what it prints and its exit code. */
async function lgds(config: Config, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = []
  const err: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(`${parts.join(' ')}\n`))
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(`${parts.join(' ')}\n`))
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true))
  process.exitCode = undefined
  try {
    await buildProgram(() => config).parseAsync(['node', 'lgds', ...args])
    return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') }
  } catch (e) {
    if (e instanceof CommanderError) return { code: 2, stdout: out.join(''), stderr: err.join('') }
    throw e
  } finally {
    process.exitCode = undefined
    log.mockRestore()
    error.mockRestore()
    write.mockRestore()
  }
}

const engines = [
  { engine: 'sqlite', run: describe },
  { engine: 'postgres', run: POSTGRES_UP ? describe : describe.skip },
] as const

for (const { engine, run } of engines) {
  run(`lgds import assets [${engine}]`, () => {
    let config: Config
    let cleanup: () => Promise<void>

    beforeAll(async () => {
      if (engine === 'sqlite') {
        const dir = mkdtempSync(path.join(tmpdir(), 'lgds-assets-cli-'))
        config = testConfig({ LGDS_DATA_DIR: dir })
        cleanup = async () => rmSync(dir, { recursive: true, force: true })
      } else {
        const schema = `assets_cli_${randomBytes(5).toString('hex')}`
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
        await admin.connect()
        await admin.query(`create schema ${schema}`)
        config = testConfig({ DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` })
        cleanup = async () => {
          await admin.query(`drop schema ${schema} cascade`)
          await admin.end()
        }
      }
      const db = await openDatabase(config)
      await seedCouncils(createServices(config, db), ['trafford', 'leeds'])
      await db.close()
    })
    afterAll(async () => cleanup?.())
    afterEach(() => vi.restoreAllMocks())

    async function assetCount(slug: string): Promise<number> {
      const db = await openDatabase(config)
      try {
        return (await createServices(config, db).assets.list({ body: slug }, { page: 1, pageSize: 1 })).total
      } finally {
        await db.close()
      }
    }

    it('refuses wrong arguments, a missing file and an unknown body', async () => {
      expect((await lgds(config, 'import', 'assets', TRAFFORD_REGISTER)).code).toBe(2)
      expect((await lgds(config, 'import', 'assets', TRAFFORD_REGISTER, '--org', 'trafford', '--format', 'xlsx')).code).toBe(2)
      const missing = await lgds(config, 'import', 'assets', '/nowhere/register.csv', '--org', 'trafford')
      expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/Cannot read \/nowhere\/register\.csv: ENOENT/) })
      const folder = await lgds(config, 'import', 'assets', projectRoot, '--org', 'trafford')
      expect(folder).toMatchObject({ code: 2, stderr: expect.stringMatching(/it is not a file/) })
      const atlantis = await lgds(config, 'import', 'assets', TRAFFORD_REGISTER, '--org', 'atlantis')
      expect(atlantis).toMatchObject({ code: 2, stderr: expect.stringMatching(/There is no body called “atlantis”/) })
    })

    it('imports Trafford’s register from disk with progress, then finds nothing to change', async () => {
      const first = await lgds(config, 'import', 'assets', TRAFFORD_REGISTER, '--org', 'trafford')
      expect(first.code).toBe(0)
      expect(first.stdout.split('\n').slice(0, 3)).toEqual([
        'Import complete. Every row was imported.',
        'Read as a Transparency Code register.',
        'Rows read: 608. Added: 608, updated: 0, unchanged: 0, rejected: 0.',
      ])
      expect(first.stdout).toMatch(/^Warning: line 387, column GeoX: Latitude and longitude are the wrong way round/m)
      // Not a terminal: plain progress lines instead of a bar.
      expect(first.stderr).toMatch(/^Importing \(bytes read\): \d+ of 149602$/m)
      const again = await lgds(config, 'import', 'assets', TRAFFORD_REGISTER, '--org', 'trafford')
      expect(again.stdout).toMatch(/^Rows read: 608\. Added: 0, updated: 0, unchanged: 608, rejected: 0\.$/m)
      expect(await assetCount('trafford')).toBe(608)
    })

    it('exits 1 listing every rejected row, saving nothing unless partial imports are allowed', async () => {
      const dry = await lgds(config, 'import', 'assets', fixture('messy-register.csv'), '--org', 'leeds', '--dry-run')
      expect(dry).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Dry run: the file can be imported\./) })
      const refused = await lgds(config, 'import', 'assets', fixture('rejections.csv'), '--org', 'leeds', '--format', 'generic')
      expect(refused.code).toBe(1)
      const lines = refused.stdout.trim().split('\n')
      expect(lines[0]).toMatch(/^Nothing was imported\. 12 rows were rejected/)
      expect(lines).toContain('line 3, column name: Enter the name of the asset')
      expect(lines).toContain('line 13: This row has 14 values but the header has 13 columns: check for a missing pair of quotes')
      expect(await assetCount('leeds')).toBe(0)
      const partial = await lgds(config, 'import', 'assets', fixture('rejections.csv'), '--org', 'leeds', '--allow-partial')
      expect(partial.code).toBe(1)
      expect(partial.stdout).toMatch(/^Import finished with rejected rows\./)
      expect(await assetCount('leeds')).toBe(3)
      const broken = await lgds(config, 'import', 'assets', fixture('broken-quote.csv'), '--org', 'leeds')
      expect(broken.stdout.split('\n')[0]).toBe('The file could not be imported. The file could not be read as an asset register: nothing was saved.')
    })
  })
}
