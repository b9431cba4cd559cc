import { sql, type CompiledQuery } from 'kysely'
import type { Db, Engine } from '../../src/db/connection.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { seed } from '../../src/bootstrap.js'
import { createServices } from '../../src/services.js'
import { testConfig } from '../../test/support/engines.js'
import { generateAssets, Random } from '../generate-assets.js'
import { loadSql, place, startServer } from '../servers.js'
import { load, shuffled } from '../support.js'

/*
 * What the register is for, at national scale: the underused-capital report, "check before you
 * buy" and the joint-procurement report over a million assets, on the real server, each beside
 * the bare SQL of the same question.
 */

const ASSETS = Number(process.env.BENCH_ASSETS ?? 1_000_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const UNDERUSED = ['underused', 'vacant', 'surplus']
/** What officers look for: the generated register's kinds, by full code and by their CPV group or division. */
const NEEDS = ['34144511', '34110000', '34100000', '30213100', '30200000', '39130000', '39000000', '70130000', '45214200', '34928510', '32250000', '70000000']
const CITIES: [number, number][] = [[53.48, -2.24], [53.8, -1.55], [52.48, -1.9], [51.45, -2.59], [55.86, -4.25], [51.48, -3.18], [54.97, -1.61], [53.41, -2.98], [53.38, -1.47], [52.95, -1.15], [51.51, -0.13], [50.72, -3.53]]

/** "Check before you buy" as officers ask it: a need, a place and a radius, a kind of share. */
export function availabilitySearches(): { url: string; cpv: string; lat: number; lon: number; radiusKm: number }[] {
  const searches = []
  for (const cpv of NEEDS) for (const [lat, lon] of CITIES) for (const radiusKm of [10, 25, 60]) for (const kind of ['either', 'loan', 'transfer']) {
    searches.push({ url: `/api/v1/assets/available?cpv=${cpv}&lat=${lat}&lon=${lon}&radiusKm=${radiusKm}&kind=${kind}`, cpv, lat, lon, radiusKm })
  }
  return shuffled(searches, 13)
}

/** Offers for a share of the assets flagged available: loans, transfers and sales, most already open to every body. */
async function generateOffers(db: Db): Promise<number> {
  const r = new Random(21)
  const now = new Date().toISOString()
  const flagged = await db.kysely.selectFrom('assets').select(['id', 'organisation_id']).where('available_to_share', '=', 1).execute()
  const rows = flagged
    .filter(() => r.next() < 0.4)
    .map((a, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      asset_id: Number(a.id),
      organisation_id: a.organisation_id,
      kind: r.pick(['loan', 'loan', 'transfer', 'sale']),
      price_pence: null,
      available_from: r.next() < 0.8 ? '2026-01-01' : '2027-06-01',
      available_until: null,
      window_working_days: 20,
      open_to_all_on: r.next() < 0.9 ? '2026-02-01' : '2099-01-01',
      terms: null,
      state: 'open',
      created_by: 'bench',
      created_at: now,
      updated_at: now,
      closed_at: null,
    }))
  for (let i = 0; i < rows.length; i += 1000) await db.kysely.insertInto('asset_offers').values(rows.slice(i, i + 1000)).execute()
  return rows.length
}

/** The underused report the most direct way: one grouped scan (book value left as the register value, which SQL cannot depreciate). */
function underusedFloor(db: Db, threshold: number): CompiledQuery {
  return sql`
    select a.organisation_id, a.asset_class, o.region, count(*) as n, sum(a.value_pence) as value
    from assets a join organisations o on o.id = a.organisation_id
    where a.status <> 'disposed' and (a.status in (${sql.join(UNDERUSED)}) or a.utilisation_percent < ${threshold})
    group by a.organisation_id, a.asset_class, o.region`.compile(db.kysely)
}

/** Joint procurement the most direct way: the end of each asset's useful life worked out in SQL, grouped by CPV code and region. */
function replacementFloor(db: Db, years: number): CompiledQuery {
  const today = new Date().toISOString().slice(0, 10)
  const until = `${Number(today.slice(0, 4)) + years}${today.slice(4)}`
  const end =
    db.engine === 'postgres'
      ? sql`(cast(a.acquisition_date as date) + make_interval(months => cast(round(a.useful_life_years * 12) as integer)))`
      : sql`date(a.acquisition_date, '+' || cast(round(a.useful_life_years * 12) as integer) || ' months')`
  return sql`
    select a.cpv_code, o.region, count(*) as n, sum(coalesce(a.acquisition_cost_pence, a.value_pence)) as value, count(distinct a.organisation_id) as bodies, min(${end}) as earliest
    from assets a join organisations o on o.id = a.organisation_id
    where a.status <> 'disposed' and a.acquisition_date is not null and a.useful_life_years is not null and ${end} >= ${today} and ${end} < ${until}
    group by a.cpv_code, o.region
    having count(distinct a.organisation_id) >= 2`.compile(db.kysely)
}

/** "Check before you buy" the most direct way: the box around the place on the (lat, lon) index, the CPV prefix and state, nearest first. */
function availabilityFloor(db: Db, s: { cpv: string; lat: number; lon: number; radiusKm: number }): CompiledQuery {
  const dLat = s.radiusKm / 111.32
  const dLon = s.radiusKm / (111.32 * Math.cos((s.lat * Math.PI) / 180))
  const prefix = s.cpv.replace(/0+$/, '')
  return sql`
    select a.id, a.name, a.organisation_id, a.cpv_code, a.lat, a.lon
    from assets a
    where a.lat between ${s.lat - dLat} and ${s.lat + dLat} and a.lon between ${s.lon - dLon} and ${s.lon + dLon}
      and a.cpv_code like ${`${prefix}%`} and a.status <> 'disposed'
      and (a.available_to_share = 1 or a.status in (${sql.join(UNDERUSED)}))
    order by (a.lat - ${s.lat}) * (a.lat - ${s.lat}) + (a.lon - ${s.lon}) * (a.lon - ${s.lon}), a.id
    limit 20`.compile(db.kysely)
}

/** Each request on its own, one after another: reports are asked for rarely, and each computes afresh. */
async function timeEach(port: number, urls: string[]): Promise<{ requests: number; p50Ms: number; maxMs: number; errors: number }> {
  const times: number[] = []
  let errors = 0
  for (const url of urls) {
    const start = process.hrtime.bigint()
    const response = await fetch(`http://127.0.0.1:${port}${url}`)
    await response.arrayBuffer()
    if (!response.ok) errors++
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return { requests: times.length, p50Ms: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]!, errors }
}

async function timeSql(db: Db, queries: CompiledQuery[]): Promise<{ p50Ms: number; maxMs: number }> {
  const times: number[] = []
  for (const query of queries) {
    const start = process.hrtime.bigint()
    await db.kysely.executeQuery(query)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return { p50Ms: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]! }
}

export async function sharingBench(engine: Engine) {
  const where = await place(engine)
  try {
    const setup = where.open()
    await migrateToLatest(setup)
    await seed(createServices(testConfig(), setup))
    const generatedAt = Date.now()
    const { bodies } = await generateAssets(setup, ASSETS)
    const offers = await generateOffers(setup)
    if (engine === 'postgres') await sql`analyze`.execute(setup.kysely)
    console.log(`[${engine}] generated ${ASSETS} assets of ${bodies} bodies and ${offers} offers in ${((Date.now() - generatedAt) / 1000).toFixed(1)} s`)

    // Twenty thresholds and every joint-procurement view, each asked once: none is in a cache.
    const thresholds = Array.from({ length: 20 }, (_, i) => 30 + i)
    const underusedUrls = thresholds.map((t) => `/assets/underused?threshold=${t}`)
    const demandUrls: string[] = []
    for (const years of [1, 2, 5]) for (const level of ['code', 'category', 'class', 'group', 'division']) for (const minBodies of [1, 2]) demandUrls.push(`/assets/joint-procurement?years=${years}&level=${level}&minBodies=${minBodies}`)
    const searches = availabilitySearches()

    const direct = where.open()
    const floor = {
      underused: await timeSql(direct, thresholds.map((t) => underusedFloor(direct, t))),
      jointProcurement: await timeSql(direct, [1, 2, 5, 1, 2, 5].map((y) => replacementFloor(direct, y))),
      availability: await loadSql(direct, searches.map((s) => [availabilityFloor(direct, s)]), CONNECTIONS, SECONDS),
    }
    await direct.close()
    await setup.close()

    const port = 4600 + Math.floor(Math.random() * 400)
    const server = await startServer(where.env, port)
    try {
      const warming = Date.now()
      await fetch(`http://127.0.0.1:${port}/api/v1/assets/search?q=warm`)
      console.log(`[${engine}] asset index read in ${((Date.now() - warming) / 1000).toFixed(1)} s`)
      const underused = await timeEach(port, underusedUrls)
      const jointProcurement = await timeEach(port, demandUrls)
      let i = 0
      const availability = await load(() => `http://127.0.0.1:${port}${searches[i++ % searches.length]!.url}`, CONNECTIONS, SECONDS)
      const result = {
        assets: ASSETS,
        bodies,
        offers,
        underused: { http: underused, floor: floor.underused, ratioMax: Number((underused.maxMs / floor.underused.maxMs).toFixed(2)), targetMs: 1000 },
        jointProcurement: { http: jointProcurement, floor: floor.jointProcurement, ratioMax: Number((jointProcurement.maxMs / floor.jointProcurement.maxMs).toFixed(2)), targetMs: 2000 },
        availability: { http: availability, floor: floor.availability, ratioP95: Number((availability.p95Ms / floor.availability.p95Ms).toFixed(2)), targetP95Ms: 50 },
      }
      console.log(`[${engine}] underused report, uncached: max ${underused.maxMs.toFixed(0)} ms (p50 ${underused.p50Ms.toFixed(0)}, ${underused.errors} errors) | bare SQL max ${floor.underused.maxMs.toFixed(0)} ms | ×${result.underused.ratioMax}`)
      console.log(`[${engine}] joint procurement, uncached: max ${jointProcurement.maxMs.toFixed(0)} ms (p50 ${jointProcurement.p50Ms.toFixed(0)}, ${jointProcurement.errors} errors) | bare SQL max ${floor.jointProcurement.maxMs.toFixed(0)} ms | ×${result.jointProcurement.ratioMax}`)
      console.log(`[${engine}] check before you buy p95 ${availability.p95Ms.toFixed(1)} ms (p50 ${availability.p50Ms.toFixed(1)}, ${availability.requestsPerSecond}/s, ${availability.errors} errors) | bare SQL p95 ${floor.availability.p95Ms.toFixed(1)} ms | ×${result.availability.ratioP95}`)
      return result
    } finally {
      server.kill('SIGTERM')
    }
  } finally {
    await where.drop()
  }
}
