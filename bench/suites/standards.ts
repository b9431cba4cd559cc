import { readFileSync } from 'node:fs'
import http from 'node:http'
import { sql } from 'kysely'
import type { Db, Engine } from '../../src/db/connection.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { seed } from '../../src/bootstrap.js'
import { createServices } from '../../src/services.js'
import { testConfig } from '../../test/support/engines.js'
import { generateDatasets } from '../generate-datasets.js'
import { place, startServer } from '../servers.js'
import { load, shuffled, type LoadResult } from '../support.js'

const DATASETS = Number(process.env.BENCH_DATASETS ?? 200_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15)
/** One harvester or portal at a time, as these endpoints are used. */
const CONNECTIONS = 1

/** Pages spread over the whole catalogue in a fixed shuffled order, deep ones included. */
function spread(pages: number, make: (page: number) => string): string[] {
  return shuffled(Array.from({ length: pages }, (_, i) => make(i + 1)), 11)
}

/** Peak and current resident memory of a process, from Linux's own accounting. */
function memoryOf(pid: number): { peakMb: number; nowMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { peakMb: Math.round(kb('VmHWM') / 1024), nowMb: Math.round(kb('VmRSS') / 1024) }
}

/** Downloads a whole response, counting its bytes. */
function download(url: string): Promise<{ status: number; bytes: number; seconds: number }> {
  const started = process.hrtime.bigint()
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let bytes = 0
        response.on('data', (chunk: Buffer) => (bytes += chunk.length))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 }))
        response.on('error', reject)
      })
      .on('error', reject)
  })
}

/** The floor for a page of the catalogue: its datasets and their distributions in bare SQL. */
async function pageFloor(db: Db, rows: number, offset: number): Promise<void> {
  const datasets = await sql<{ id: string }>`select * from datasets order by id limit ${rows} offset ${offset}`.execute(db.kysely)
  const ids = datasets.rows.map((r) => r.id)
  await sql`select * from distributions where dataset_id in (${sql.join(ids)})`.execute(db.kysely)
}

async function loadFloor(work: (i: number) => Promise<void>, seconds: number): Promise<LoadResult> {
  const times: number[] = []
  const until = Date.now() + seconds * 1000
  for (let i = 0; Date.now() < until; i++) {
    const start = process.hrtime.bigint()
    await work(i)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0
  return { url: 'bare SQL', connections: 1, requests: times.length, errors: 0, requestsPerSecond: Math.round(times.length / seconds), p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) }
}

export async function standardsBench(engine: Engine) {
  const where = await place(engine)
  try {
    const setup = where.open()
    await migrateToLatest(setup)
    await seed(createServices(testConfig(), setup))
    await generateDatasets(setup, DATASETS, 400)

    // The floors, straight from the database.
    const dataJsonFloorStarted = process.hrtime.bigint()
    let after = ''
    let serialised = 0
    for (;;) {
      const rows = (await sql<{ id: string }>`select * from datasets where id > ${after} order by id limit 1000`.execute(setup.kysely)).rows
      for (const row of rows) serialised += JSON.stringify(row).length
      if (rows.length < 1000) break
      after = rows[rows.length - 1]!.id
    }
    const dataJsonFloorSeconds = Number(process.hrtime.bigint() - dataJsonFloorStarted) / 1e9
    const ckanPages = Math.ceil(DATASETS / 1000)
    const turtlePages = Math.ceil(DATASETS / 100)
    const ckanOffsets = spread(ckanPages, (p) => String((p - 1) * 1000)).map(Number)
    const turtleOffsets = spread(turtlePages, (p) => String((p - 1) * 100)).map(Number)
    const ckanFloor = await loadFloor((i) => pageFloor(setup, 1000, ckanOffsets[i % ckanOffsets.length]!), SECONDS)
    const turtleFloor = await loadFloor((i) => pageFloor(setup, 100, turtleOffsets[i % turtleOffsets.length]!), SECONDS)
    await setup.close()

    const port = 4600 + Math.floor(Math.random() * 400)
    const server = await startServer(where.env, port)
    const base = `http://127.0.0.1:${port}`
    try {
      // A server reads its search index as it starts; /data.json is measured on a server that has.
      const warming = Date.now()
      await fetch(`${base}/api/v1/datasets?q=warm`)
      console.log(`[${engine}] search index read in ${((Date.now() - warming) / 1000).toFixed(1)} s`)
      const before = memoryOf(server.pid!)
      const dataJson = await download(`${base}/data.json`)
      const afterDataJson = memoryOf(server.pid!)
      const rotate = (urls: string[]) => {
        let i = 0
        return () => `${base}${urls[i++ % urls.length]}`
      }
      const ckan = await load(rotate(spread(ckanPages, (p) => `/api/3/action/package_search?rows=1000&sort=id%20asc&start=${(p - 1) * 1000}`)), CONNECTIONS, SECONDS)
      const turtle = await load(rotate(spread(turtlePages, (p) => `/catalog.ttl?page=${p}`)), CONNECTIONS, SECONDS)
      const result = {
        datasets: DATASETS,
        dataJson: {
          status: dataJson.status,
          megabytes: Number((dataJson.bytes / 2 ** 20).toFixed(1)),
          seconds: Number(dataJson.seconds.toFixed(2)),
          serverRssBeforeMb: before.nowMb,
          serverPeakRssMb: afterDataJson.peakMb,
          floorSeconds: Number(dataJsonFloorSeconds.toFixed(2)),
          floorBytes: serialised,
          ratio: Number((dataJson.seconds / dataJsonFloorSeconds).toFixed(2)),
        },
        ckanPackageSearch1000: { http: ckan, floor: ckanFloor, ratioP95: Number((ckan.p95Ms / ckanFloor.p95Ms).toFixed(2)) },
        turtleCatalogPage: { http: turtle, floor: turtleFloor, ratioP95: Number((turtle.p95Ms / turtleFloor.p95Ms).toFixed(2)) },
      }
      const d = result.dataJson
      console.log(`[${engine}] /data.json: ${d.seconds} s for ${d.megabytes} MB (HTTP ${d.status}), server peak RSS ${d.serverPeakRssMb} MB (${d.serverRssBeforeMb} MB before) | bare SQL read ${d.floorSeconds} s | ×${d.ratio}`)
      for (const [name, r] of [['package_search rows=1000', result.ckanPackageSearch1000], ['Turtle catalogue page', result.turtleCatalogPage]] as const) {
        console.log(`[${engine}] ${name}: p95 ${r.http.p95Ms.toFixed(1)} ms (p50 ${r.http.p50Ms.toFixed(1)}, ${r.http.requests} requests, ${r.http.errors} errors) | bare SQL p95 ${r.floor.p95Ms.toFixed(1)} ms | ×${r.ratioP95}`)
      }
      return result
    } finally {
      server.kill('SIGTERM')
    }
  } finally {
    await where.drop()
  }
}
