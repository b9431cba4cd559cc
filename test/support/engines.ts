import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe } from 'vitest'
import { loadConfig, type Config } from '../../src/config.js'
import { connect, type Db, type Engine } from '../../src/db/connection.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { createServices, type Services } from '../../src/services.js'

/** Where the PostgreSQL tests run; CI and the development machine both have it here. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Set by CI: a missing PostgreSQL or Chromium is then a failure, never a skip. */
export const REQUIRE_ALL = process.env.LGDS_REQUIRE_ALL === '1'

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

export const POSTGRES_UP = await postgresAnswers()
const postgresUp = POSTGRES_UP
if (!postgresUp && REQUIRE_ALL) {
  throw new Error(`PostgreSQL is required (LGDS_REQUIRE_ALL=1) but does not answer at ${TEST_DATABASE_URL}`)
}

export interface EngineContext {
  engine: Engine
  db: Db
  config: Config
  services: Services
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LGDS_DATA_DIR: '/tmp/lgds-test-unused', BASE_URL: 'http://lgds.test', ...overrides })
}

/**
 * Opens a fresh, migrated database on the engine: SQLite in memory, or a PostgreSQL schema of
 * its own (so test files running in parallel never see each other's rows).
 */
export async function openTestDatabase(engine: Engine): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const db = connect({ sqliteFile: ':memory:' })
    await migrateToLatest(db)
    return { db, drop: () => db.close() }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const db = connect({ databaseUrl: TEST_DATABASE_URL, pgSchema: schema })
  await migrateToLatest(db)
  return {
    db,
    drop: async () => {
      await db.close()
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await cleanup.connect()
      await cleanup.query(`drop schema ${schema} cascade`)
      await cleanup.end()
    },
  }
}

/**
 * Runs the same suite on SQLite and on PostgreSQL. Without PostgreSQL the second run is skipped
 * locally and fails in CI.
 */
export function describeEachEngine(name: string, suite: (context: () => EngineContext) => void): void {
  for (const engine of ['sqlite', 'postgres'] as const) {
    const run = engine === 'postgres' && !postgresUp ? describe.skip : describe
    run(`${name} [${engine}]`, () => {
      let context: EngineContext | undefined
      let drop: (() => Promise<void>) | undefined
      beforeAll(async () => {
        const opened = await openTestDatabase(engine)
        drop = opened.drop
        const config = testConfig()
        context = { engine, db: opened.db, config, services: createServices(config, opened.db) }
      })
      afterAll(async () => {
        await drop?.()
      })
      suite(() => {
        if (!context) throw new Error('the database is not open yet')
        return context
      })
    })
  }
}
