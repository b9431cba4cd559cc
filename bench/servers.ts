import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { CompiledQuery, LogEvent } from 'kysely'
import { connect, type Db, type Engine } from '../src/db/connection.js'
import { projectRoot } from '../src/paths.js'
import { TEST_DATABASE_URL } from '../test/support/engines.js'
import type { LoadResult } from './support.js'

/** Where a suite's database lives, for the suite itself and for a server it starts. */
export interface Place {
  env: Record<string, string>
  open(log?: (event: LogEvent) => void): Db
  drop(): Promise<void>
}

export async function place(engine: Engine): Promise<Place> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'lgds-bench-'))
    const file = path.join(dir, 'lgds.sqlite')
    return {
      env: { LGDS_DATA_DIR: dir },
      open: (log) => connect({ sqliteFile: file, log }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const schema = `bench_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const url = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  return {
    env: { DATABASE_URL: url },
    open: (log) => connect({ databaseUrl: TEST_DATABASE_URL, pgSchema: schema, log }),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await client.connect()
      await client.query(`drop schema ${schema} cascade`)
      await client.end()
    },
  }
}

/** The real server in its own process, so the load generator does not share its event loop. */
export async function startServer(env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'lgds.js'), 'serve'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', SESSION_SECRET: 'b'.repeat(40), LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ready`)
      if (response.ok) return child
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  child.kill()
  throw new Error('the server did not become ready')
}

/** Replays captured SQL with the same concurrency: the search with nothing but the database. */
export async function loadSql(db: Db, plans: CompiledQuery[][], connections: number, seconds: number): Promise<LoadResult> {
  const times: number[] = []
  const until = Date.now() + seconds * 1000
  let next = 0
  const worker = async () => {
    while (Date.now() < until) {
      const plan = plans[next++ % plans.length]!
      const start = process.hrtime.bigint()
      await Promise.all(plan.map((query) => db.kysely.executeQuery(query)))
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: connections }, worker))
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0
  return { url: 'bare SQL of the same searches', connections, requests: times.length, errors: 0, requestsPerSecond: Math.round(times.length / ((Date.now() - started) / 1000)), p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) }
}

