import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/db/connection.js'
import { createServices } from '../src/services.js'
import { lgds } from './support/cli.js'
import { POSTGRES_UP, REQUIRE_ALL, TEST_DATABASE_URL, testConfig } from './support/engines.js'

describe('the lgds command on SQLite', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lgds-cli-'))
  const env = { LGDS_DATA_DIR: dataDir }
  const file = path.join(dataDir, 'lgds.sqlite')

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('prints usage and exits 2 on wrong arguments', async () => {
    const unknown = await lgds(['frobnicate'], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/)
    expect(unknown.stderr).toMatch(/Usage: lgds/)
    const missing = await lgds(['user', 'create', '--name', 'Jo'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/required option '--email <email>' not specified/)
    const badScope = await lgds(['token', 'create', '--org', 'trafford', '--name', 'x', '--scope', 'admin'], env)
    expect(badScope.code).toBe(2)
    expect(badScope.stderr).toMatch(/Allowed choices are read, write/)
  })

  it('exits 2 with a clear message when the configuration is wrong', async () => {
    const result = await lgds(['migrate'], { ...env, PORT: 'x', NODE_ENV: 'production' })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/PORT must be a whole number/)
    expect(result.stderr).toMatch(/SESSION_SECRET is required/)
  })

  it('migrates, then seeds the register once however often it runs', async () => {
    const migrated = await lgds(['migrate'], env)
    expect(migrated).toMatchObject({ code: 0 })
    expect(existsSync(file)).toBe(true)
    const first = await lgds(['seed', '--demo'], env)
    expect(first.stdout).toMatch(/Organisations: 397 added, 0 updated, 0 unchanged/)
    expect(first.stdout).toMatch(/Demonstration bodies: 5 added/)
    expect(first.stdout).toMatch(/Demonstration datasets: 49 added/)
    expect(first.stdout).toMatch(/Demonstration requests: 6 added/)
    const second = await lgds(['seed', '--demo'], env)
    expect(second.stdout).toMatch(/Organisations: 0 added, 0 updated, 397 unchanged/)
    expect(second.stdout).toMatch(/Demonstration bodies: 0 added, 5 already there/)
    expect(second.stdout).toMatch(/Demonstration datasets: 0 added/)
    expect(second.stdout).toMatch(/Demonstration requests: 0 added/)
  })

  it('creates an administrator of a body, refusing a weak password', async () => {
    const weak = await lgds(['user', 'create', '--email', 'jo@trafford.gov.uk', '--name', 'Jo Bloggs', '--org', 'trafford', '--role', 'admin'], { ...env, LGDS_PASSWORD: 'password1' })
    expect(weak.code).toBe(1)
    expect(weak.stderr).toMatch(/password: Password must be 10 characters or more/)

    const created = await lgds(['user', 'create', '--email', 'jo@trafford.gov.uk', '--name', 'Jo Bloggs', '--org', 'trafford', '--role', 'admin'], { ...env, LGDS_PASSWORD: 'marmalade sunrise cobble' })
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/an administrator of trafford/)

    const db = connect({ sqliteFile: file })
    try {
      const services = createServices(testConfig(), db)
      const user = await services.accounts.authenticate('jo@trafford.gov.uk', 'marmalade sunrise cobble')
      expect(user?.name).toBe('Jo Bloggs')
      const actor = await services.accounts.actorForUser(user!.id)
      const trafford = await services.organisations.getBySlug('trafford')
      expect(actor?.memberships).toEqual([{ organisationId: trafford.id, role: 'admin' }])
    } finally {
      await db.close()
    }
  })

  it('prints a new token once and stores only its hash', async () => {
    const result = await lgds(['token', 'create', '--org', 'trafford', '--name', 'Asset upload', '--scope', 'write'], env)
    expect(result.code).toBe(0)
    const secret = result.stdout.trim()
    expect(secret).toMatch(/^lgds_[A-Za-z0-9_-]{43}$/)
    expect(result.stderr).toMatch(/shown once/)
    const db = connect({ sqliteFile: file })
    try {
      const services = createServices(testConfig(), db)
      const actor = await services.accounts.actorForToken(secret)
      expect(actor).toMatchObject({ kind: 'token', tokenName: 'Asset upload', scope: 'write' })
      const rows = await db.kysely.selectFrom('api_tokens').selectAll().execute()
      expect(JSON.stringify(rows)).not.toContain(secret)
    } finally {
      await db.close()
    }
  })

  it('refuses a token for a body that does not exist', async () => {
    const result = await lgds(['token', 'create', '--org', 'atlantis', '--name', 'x', '--scope', 'read'], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/no organisation called “atlantis”/)
  })

  it('backs the database up while it is open, into a readable copy', async () => {
    const copy = path.join(dataDir, 'backup', 'copy.sqlite')
    const result = await lgds(['backup', copy], env)
    expect(result.code).toBe(0)
    const db = connect({ sqliteFile: copy })
    try {
      const services = createServices(testConfig(), db)
      expect(await services.organisations.count()).toBe(402)
    } finally {
      await db.close()
    }
  })
})

describe.skipIf(!POSTGRES_UP && !REQUIRE_ALL)('the lgds command on PostgreSQL', () => {
  const schema = `cli_${Date.now().toString(36)}`
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

  it('migrates and seeds the same way', async () => {
    const result = await lgds(['seed'], { DATABASE_URL: databaseUrl })
    expect(result.stdout).toMatch(/Organisations: 397 added/)
    // Not a terminal: plain progress lines, about one per tenth, instead of a bar.
    const lines = result.stderr.trim().split('\n')
    expect(lines[0]).toBe('Organisations: 0 of 397')
    expect(lines.at(-1)).toBe('Organisations: 397 of 397')
    expect(lines.length).toBeGreaterThanOrEqual(10)
    expect(lines.length).toBeLessThanOrEqual(12)
    const { rows } = await admin.query(`select count(*)::int as n from ${schema}.organisations`)
    expect(rows[0].n).toBe(397)
  })

  it('says to use pg_dump instead of backing up', async () => {
    const result = await lgds(['backup', '/tmp/never.sqlite'], { DATABASE_URL: databaseUrl })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/pg_dump/)
    expect(existsSync('/tmp/never.sqlite')).toBe(false)
  })
})

