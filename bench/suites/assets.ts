import { execFile } from 'node:child_process'
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { promisify } from 'node:util'
import { parse } from 'csv-parse'
import pg from 'pg'
import type { Engine } from '../../src/db/connection.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { seed } from '../../src/bootstrap.js'
import { projectRoot } from '../../src/paths.js'
import { createServices } from '../../src/services.js'
import { TRANSPARENCY_CODE_COLUMNS } from '../../src/features/assets/search/export.js'
import { testConfig } from '../../test/support/engines.js'
import { mapFloor, searchFloor } from '../asset-floor.js'
import { benchBodies, generateAssets, generatedRegister } from '../generate-assets.js'
import { loadSql, place, startServer, type Place } from '../servers.js'
import { load, shuffled, type LoadResult } from '../support.js'

const ASSETS = Number(process.env.BENCH_ASSETS ?? 1_000_000)
const IMPORT_ROWS = Number(process.env.BENCH_ASSET_IMPORT_ROWS ?? 1_000_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const run = promisify(execFile)

const WORDS = ['school', 'library', 'car park', 'depot', 'community centre', 'laptop', 'refuse', 'allotments', 'toilets', 'oakwood', 'riverside', 'street lighting', 'footpath', 'shop unit']
const PLACES = ['oakwood', 'riverside', 'hillside', 'meadow', 'castle', 'station', 'victoria', 'abbey', 'heath', 'orchard', 'bridge', 'church']
const KINDS = ['school', 'library', 'park', 'centre', 'toilets', 'depot', 'allotments', 'car', 'footpath', 'shop']
const FACETS = ['', 'status=vacant', 'class=community', 'available=yes', 'value=100k-1m', 'condition=C&condition=D', 'status=underused&status=surplus', 'cpv=70', 'class=council-dwellings&value=100k-1m']
const UK = [-8.7, 49.8, 1.9, 60.9]
const CITIES: [number, number][] = [[-2.24, 53.48], [-1.55, 53.8], [-1.9, 52.48], [-2.59, 51.45], [-4.25, 55.86], [-3.18, 51.48], [-1.61, 54.97], [-2.98, 53.41], [-1.47, 53.38], [-1.15, 52.95], [-0.13, 51.51]]

/** The searches people make most: a dozen words, a few facets, first and second pages (nearly all answered from the caches). */
export function popularSearches(): string[] {
  const urls: string[] = []
  for (const q of WORDS) for (const facet of FACETS.slice(0, 4)) for (const page of [1, 2]) urls.push(`/api/v1/assets/search?q=${encodeURIComponent(q)}&page=${page}${facet ? `&${facet}` : ''}`)
  return urls
}

/**
 * Eleven thousand different searches, each asked for about once a run so nearly every one
 * misses the search caches: a place and a kind of asset, or a body's register, with a facet,
 * an order and a page.
 */
export function variedSearches(bodies: string[]): string[] {
  const urls: string[] = []
  const tail = (facet: string, sort: string, page: number) => `&page=${page}${sort ? `&sort=${sort}` : ''}${facet ? `&${facet}` : ''}`
  for (const facet of FACETS) for (const sort of ['', 'name', 'value']) for (const page of [1, 2, 3]) {
    for (const p of PLACES) for (const k of KINDS) urls.push(`/api/v1/assets/search?q=${p}+${k}${tail(facet, sort, page)}`)
    for (const body of bodies) urls.push(`/api/v1/assets/search?body=${body}${tail(facet, sort, page)}`)
  }
  return shuffled(urls, 7)
}

/** The whole UK as maps of different sizes show it, with and without filters. */
export function ukViews(): string[] {
  const urls: string[] = []
  for (const zoom of [5, 6]) for (const pad of [0, 0.4, 0.9]) for (const facet of FACETS.slice(0, 6)) {
    urls.push(`/api/v1/assets.geojson?bbox=${[UK[0]! - pad, UK[1]! - pad / 2, UK[2]! + pad, UK[3]! + pad / 2].join(',')}&zoom=${zoom}${facet ? `&${facet}` : ''}`)
  }
  return shuffled(urls, 3)
}

/** A city at street-map zooms, panned a little each time. */
export function cityViews(): string[] {
  const urls: string[] = []
  for (const [lon, lat] of CITIES) for (const zoom of [12, 13]) for (const shift of [-0.02, 0, 0.02]) for (const facet of FACETS.slice(0, 4)) {
    const w = 360 / 2 ** zoom
    urls.push(`/api/v1/assets.geojson?bbox=${[lon + shift - w, lat - w / 2, lon + shift + w, lat + w / 2].map((n) => n.toFixed(5)).join(',')}&zoom=${zoom}${facet ? `&${facet}` : ''}`)
  }
  return shuffled(urls, 5)
}

/** A register in the Transparency Code layout, as a council would publish it. */
export async function writeRegisterCsv(file: string, bodies: Awaited<ReturnType<typeof benchBodies>>, rows: number): Promise<void> {
  const out = createWriteStream(file)
  const cell = (v: unknown) => (v === null || v === undefined ? '' : /[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))
  out.write(`${TRANSPARENCY_CODE_COLUMNS.join(',')}\r\n`)
  let i = 0
  let chunk: string[] = []
  for (const row of generatedRegister(bodies.slice(0, 1).map((b) => ({ ...b, share: 1 })), rows, 9)) {
    const holding = row.holding_type === 'land' ? 'Land' : row.holding_type === 'buildings' ? 'Buildings' : row.holding_type ? 'Land and buildings' : ''
    const postcode = row.postcode ? row.postcode.replace(/[CIKMOV]/g, 'A').replace(/^(\S+) (\d)AA$/, '$1 $2AB') : ''
    const cells = ['Bench Import Authority', 'http://lgds.test/organisations/bench-import-authority', '2025-03-31', row.uprn, `IMP-${i++}`, row.name, row.street_number, row.street_name, row.post_town, postcode, row.lat === null ? '' : 'WGS84', row.lon, row.lat, row.tenure ? 'Freehold' : '', '', '', holding, '', '', '']
    chunk.push(`${cells.map(cell).join(',')}\r\n`)
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain')
      chunk = []
    }
  }
  out.end(chunk.join(''))
  await once(out, 'finish')
}

/** The import's floor: the same file parsed with csv-parse, every row into a bare table with one prepared statement in one transaction. */
async function floorImport(engine: Engine, where: Place, file: string): Promise<number> {
  const columns = TRANSPARENCY_CODE_COLUMNS.map((c) => `${c.toLowerCase()} text`).join(', ')
  const parser = createReadStream(file).pipe(parse({ from_line: 2, relax_column_count: true }))
  const started = process.hrtime.bigint()
  let rows = 0
  if (engine === 'sqlite') {
    const db = where.open()
    const sqlite = db.sqlite!
    sqlite.exec(`create table import_floor (${columns})`)
    const insert = sqlite.prepare(`insert into import_floor values (${TRANSPARENCY_CODE_COLUMNS.map(() => '?').join(', ')})`)
    sqlite.exec('begin')
    for await (const record of parser) {
      insert.run(record as string[])
      rows++
    }
    sqlite.exec('commit')
    await db.close()
  } else {
    const client = new pg.Client({ connectionString: where.env.DATABASE_URL })
    await client.connect()
    await client.query(`create table import_floor (${columns})`)
    await client.query('begin')
    const width = TRANSPARENCY_CODE_COLUMNS.length
    const statement = (n: number) => `insert into import_floor values ${Array.from({ length: n }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ')}`
    let batch: string[] = []
    for await (const record of parser) {
      batch.push(...(record as string[]))
      rows++
      if (batch.length === 1000 * width) {
        await client.query({ name: 'floor', text: statement(1000), values: batch })
        batch = []
      }
    }
    if (batch.length > 0) await client.query(statement(batch.length / width), batch)
    await client.query('commit')
    await client.end()
  }
  return rows / (Number(process.hrtime.bigint() - started) / 1e9)
}

export async function assetsBench(engine: Engine) {
  const where = await place(engine)
  try {
    // 1. A national register: a million assets of about 400 bodies, each around its own place.
    const setup = where.open()
    await migrateToLatest(setup)
    const services = createServices(testConfig(), setup)
    await seed(services)
    const importer = await services.organisations.create({ kind: 'system', label: 'bench' }, { name: 'Bench Import Authority', type: 'other' })
    const generatedAt = Date.now()
    const { bodies } = await generateAssets(setup, ASSETS)
    console.log(`[${engine}] generated ${ASSETS} assets of ${bodies} bodies in ${((Date.now() - generatedAt) / 1000).toFixed(1)} s`)
    const bodyList = await benchBodies(setup, 400)
    const slugs = bodyList.filter((_, i) => i % 20 === 0).map((b) => b.slug)
    console.log(`[${engine}] ${variedSearches(slugs).length} varied searches`)

    // 2. The floors: the most direct SQL for each request, replayed with the same concurrency.
    const urls = { popular: popularSearches(), varied: variedSearches(slugs), uk: ukViews(), city: cityViews() }
    const direct = where.open()
    const floor = {
      popular: await loadSql(direct, urls.popular.map((u) => searchFloor(direct, u)), CONNECTIONS, SECONDS),
      varied: await loadSql(direct, urls.varied.map((u) => searchFloor(direct, u)), CONNECTIONS, SECONDS),
      uk: await loadSql(direct, urls.uk.map((u) => mapFloor(direct, u)), CONNECTIONS, SECONDS),
      city: await loadSql(direct, urls.city.map((u) => mapFloor(direct, u)), CONNECTIONS, SECONDS),
    }
    await direct.close()
    await setup.close()

    // 3. The same over HTTP to the real server.
    const port = 4600 + Math.floor(Math.random() * 400)
    const server = await startServer(where.env, port)
    const http: Partial<Record<keyof typeof urls, LoadResult>> = {}
    try {
      // The server reads its index as it starts; the first request waits for it.
      const warming = Date.now()
      await fetch(`http://127.0.0.1:${port}${urls.uk[0]}`)
      console.log(`[${engine}] search index read in ${((Date.now() - warming) / 1000).toFixed(1)} s`)
      const rotate = (list: string[]) => {
        let i = 0
        return () => `http://127.0.0.1:${port}${list[i++ % list.length]}`
      }
      for (const kind of ['varied', 'popular', 'uk', 'city'] as const) http[kind] = await load(rotate(urls[kind]), CONNECTIONS, SECONDS)
    } finally {
      server.kill('SIGTERM')
    }

    // 4. Importing a register through `lgds import assets`, with its peak memory, beside its floor.
    const dir = mkdtempSync(path.join(tmpdir(), 'lgds-asset-import-'))
    const file = path.join(dir, 'register.csv')
    await writeRegisterCsv(file, bodyList, IMPORT_ROWS)
    const started = Date.now()
    const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'peak-kb=%M', process.execPath, path.join(projectRoot, 'bin', 'lgds.js'), 'import', 'assets', file, '--org', importer.slug], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', SESSION_SECRET: 'b'.repeat(40), LOG_LEVEL: 'warn', ...where.env },
      maxBuffer: 256 * 1024 * 1024,
    })
    const importSeconds = (Date.now() - started) / 1000
    const peakMb = Number(/peak-kb=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024
    const floorRowsPerSecond = await floorImport(engine, where, file)
    rmSync(dir, { recursive: true, force: true })

    const p95 = (kind: keyof typeof urls) => ({ http: http[kind]!, floor: floor[kind], ratioP95: Number((http[kind]!.p95Ms / floor[kind].p95Ms).toFixed(2)) })
    const rowsPerSecond = Math.round(IMPORT_ROWS / importSeconds)
    const result = {
      assets: ASSETS,
      bodies,
      connections: CONNECTIONS,
      search: { popular: p95('popular'), varied: p95('varied') },
      map: { wholeUk: p95('uk'), city: p95('city') },
      import: { rows: IMPORT_ROWS, seconds: importSeconds, rowsPerSecond, peakMemoryMb: Math.round(peakMb), floorRowsPerSecond: Math.round(floorRowsPerSecond), ratio: Number((floorRowsPerSecond / rowsPerSecond).toFixed(2)), report: stdout.split('\n').slice(0, 4).join(' ') },
    }
    for (const [label, m] of [['search (popular)', result.search.popular], ['search (varied)', result.search.varied], ['map, whole UK', result.map.wholeUk], ['map, a city', result.map.city]] as const) {
      console.log(`[${engine}] ${label.padEnd(18)} p95 ${m.http.p95Ms.toFixed(1)} ms (p50 ${m.http.p50Ms.toFixed(1)}, ${m.http.requestsPerSecond}/s, ${m.http.errors} errors) | bare SQL p95 ${m.floor.p95Ms.toFixed(1)} ms | ×${m.ratioP95}`)
    }
    console.log(`[${engine}] import: ${rowsPerSecond} rows/s, peak ${result.import.peakMemoryMb} MB | floor ${result.import.floorRowsPerSecond} rows/s | ×${result.import.ratio}`)
    return result
  } finally {
    await where.drop()
  }
}
