import type { Db } from '../src/db/connection.js'
import type { NewAssetRow } from '../src/features/assets/model.js'
import { indexAssets, searchDocument } from '../src/features/assets/search/full-text.js'

/*
 * A national register for benchmarks: assets of about 400 bodies, each spread around the body's
 * own place (from the organisations table) as a council's are, of the kinds councils hold, in
 * the proportions they hold them (many houses, laptops and lamp posts; few depots). The same
 * seed gives the same register every run.
 */

interface Kind {
  weight: number
  name: (r: Random, place: string, street: string, n: number) => string
  assetClass: string
  cpv: string
  /** Pounds: the value is spread log-uniformly between these. */
  value: [number, number]
  /** Share with a location. */
  mapped: number
  holding?: string
  /** Useful life in years (straight-line depreciation), spread between these; none for land. */
  life?: [number, number]
}

const PLACES = ['Oakwood', 'Riverside', 'Hillside', 'Meadow', 'Greenfield', 'Ashgrove', 'Beechwood', 'Brookside', 'Castle', 'Elmfield', 'Fairview', 'Highfield', 'Kingsway', 'Larkhill', 'Millbrook', 'Northgate', 'Parkside', 'Queensway', 'Southfield', 'Westbury', 'Windmill', 'Woodlands', 'Abbey', 'Bridge', 'Church', 'Station', 'Victoria', 'Moorside', 'Heath', 'Orchard']
const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Mill Road', 'Park Avenue', 'Victoria Road', 'Green Lane', 'Manor Road', 'King Street', 'Queen Street', 'London Road', 'New Road', 'School Lane', 'The Crescent', 'Chapel Street', 'Bridge Street', 'Market Place', 'North Road', 'West End', 'Albert Road']
const REG = 'ABCDEFGHJKLMNOPRSTUVWXY'

const KINDS: Kind[] = [
  { weight: 3, name: (_r, p) => `${p} Primary School`, assetClass: 'operational-land-buildings', cpv: '45214200', value: [1_000_000, 12_000_000], mapped: 1, holding: 'land-and-buildings', life: [50, 60] },
  { weight: 2, name: (_r, p) => `${p} Library`, assetClass: 'operational-land-buildings', cpv: '70130000', value: [200_000, 3_000_000], mapped: 1, holding: 'buildings', life: [40, 50] },
  { weight: 3, name: (_r, p) => `${p} Community Centre`, assetClass: 'community', cpv: '70130000', value: [50_000, 1_500_000], mapped: 1, holding: 'buildings', life: [30, 40] },
  { weight: 1, name: (_r, p) => `${p} Highways Depot`, assetClass: 'operational-land-buildings', cpv: '70110000', value: [300_000, 4_000_000], mapped: 1, holding: 'land-and-buildings', life: [30, 40] },
  { weight: 3, name: (_r, p, s) => `${s} Car Park`, assetClass: 'investment-property', cpv: '70130000', value: [10_000, 800_000], mapped: 1, holding: 'land' },
  { weight: 4, name: (_r, p) => `${p} Park`, assetClass: 'community', cpv: '77310000', value: [1_000, 200_000], mapped: 1, holding: 'land' },
  { weight: 2, name: (_r, p) => `${p} Allotments`, assetClass: 'community', cpv: '70122000', value: [500, 50_000], mapped: 1, holding: 'land' },
  { weight: 2, name: (_r, p, s) => `Public Toilets, ${s}`, assetClass: 'operational-land-buildings', cpv: '70130000', value: [5_000, 150_000], mapped: 1, holding: 'buildings', life: [20, 30] },
  { weight: 20, name: (_r, _p, s, n) => `${(n % 180) + 1} ${s}`, assetClass: 'council-dwellings', cpv: '45215214', value: [60_000, 350_000], mapped: 1, holding: 'land-and-buildings', life: [50, 60] },
  { weight: 2, name: (r) => `Refuse collection vehicle ${registration(r)}`, assetClass: 'vehicles-plant-equipment', cpv: '34144511', value: [90_000, 260_000], mapped: 0.8, life: [7, 10] },
  { weight: 3, name: (r) => `Pool car ${registration(r)}`, assetClass: 'vehicles-plant-equipment', cpv: '34110000', value: [6_000, 28_000], mapped: 0.8, life: [4, 7] },
  { weight: 25, name: (_r, _p, _s, n) => `Laptop LT-${String(n).padStart(7, '0')}`, assetClass: 'vehicles-plant-equipment', cpv: '30213100', value: [450, 2_200], mapped: 0.5, life: [3, 5] },
  { weight: 10, name: (_r, p) => `Office furniture, ${p} House`, assetClass: 'vehicles-plant-equipment', cpv: '39130000', value: [200, 6_000], mapped: 0.7, life: [8, 12] },
  { weight: 15, name: (_r, _p, s, n) => `Street lighting column ${n % 10_000}, ${s}`, assetClass: 'infrastructure', cpv: '34928510', value: [700, 3_500], mapped: 1, life: [25, 30] },
  { weight: 3, name: (_r, _p, s) => `Footpath, ${s}`, assetClass: 'infrastructure', cpv: '45233161', value: [5_000, 120_000], mapped: 1, holding: 'land', life: [20, 25] },
  { weight: 3, name: (_r, _p, s, n) => `Shop unit ${(n % 40) + 1}, ${s}`, assetClass: 'investment-property', cpv: '70130000', value: [40_000, 1_200_000], mapped: 1, holding: 'buildings', life: [40, 50] },
  { weight: 6, name: (_r, _p, _s, n) => `Mobile phone MP-${n}`, assetClass: 'vehicles-plant-equipment', cpv: '32250000', value: [90, 900], mapped: 0.1, life: [2, 3] },
]
const TOTAL_WEIGHT = KINDS.reduce((n, k) => n + k.weight, 0)
const STATUSES: [string | null, number][] = [['in-use', 0.85], ['underused', 0.05], ['vacant', 0.04], ['surplus', 0.02], ['disposed', 0.02], [null, 0.02]]
const CONDITIONS: [string | null, number][] = [['A', 0.3], ['B', 0.4], ['C', 0.15], ['D', 0.05], [null, 0.1]]

/** A small, fast, seeded generator (mulberry32), so every run builds the same register. */
export class Random {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!
  }
  weighted<T>(list: [T, number][]): T {
    let x = this.next()
    for (const [value, p] of list) if ((x -= p) < 0) return value
    return list[list.length - 1]![0]
  }
  gaussian(): number {
    return Math.sqrt(-2 * Math.log(this.next() || 1e-12)) * Math.cos(2 * Math.PI * this.next())
  }
}

function registration(r: Random): string {
  const l = () => REG[r.int(REG.length)]
  return `${l()}${l()}${String(10 + r.int(60))} ${l()}${l()}${l()}`
}

export interface Body {
  id: string
  slug: string
  shortName: string
  lat: number
  lon: number
}

/** The bodies assets are spread over: those with a place, up to `count`, with a share of the register each (a few big, most middling). */
export async function benchBodies(db: Db, count: number): Promise<(Body & { share: number })[]> {
  const rows = await db.kysely.selectFrom('organisations').select(['id', 'slug', 'short_name', 'lat', 'lon']).where('lat', 'is not', null).where('lon', 'is not', null).orderBy('slug').limit(count).execute()
  const r = new Random(11)
  const weights = rows.map(() => 0.3 + r.next() * r.next() * 3)
  const sum = weights.reduce((a, b) => a + b, 0)
  return rows.map((row, i) => ({ id: row.id, slug: row.slug, shortName: row.short_name, lat: Number(row.lat), lon: Number(row.lon), share: weights[i]! / sum }))
}

/** The `i`th asset of a body: what it is, where, what it is worth, in what state. */
export function generatedAsset(r: Random, body: Body, i: number, now: string): Omit<NewAssetRow, 'organisation_id'> {
  let x = r.next() * TOTAL_WEIGHT
  let kind = KINDS[0]!
  for (const k of KINDS) if ((x -= k.weight) < 0) {
    kind = k
    break
  }
  const place = r.pick(PLACES)
  const street = r.pick(STREETS)
  const [low, high] = kind.value
  const pounds = Math.round(Math.exp(Math.log(low) + r.next() * (Math.log(high) - Math.log(low))))
  const valued = r.next() < 0.9
  const categorised = r.next() < 0.93
  const mapped = r.next() < kind.mapped
  const lat = body.lat + r.gaussian() * 0.04
  const lon = body.lon + r.gaussian() * 0.065
  const status = r.weighted(STATUSES)
  const area = body.slug.slice(0, 2).toUpperCase().replace(/[^A-Z]/g, 'X')
  const postcode = `${area}${1 + r.int(20)} ${r.int(10)}${REG[r.int(REG.length)]}${REG[r.int(REG.length)]}`
  const cpv = categorised ? kind.cpv : null
  const row: Omit<NewAssetRow, 'organisation_id'> = {
    asset_code: `${body.slug.slice(0, 4).toUpperCase()}-${String(i).padStart(7, '0')}`,
    uprn: kind.holding && r.next() < 0.7 ? String(10_000_000_000 + r.int(90_000_000_000)) : null,
    parent_id: null,
    name: kind.name(r, place, street, i),
    description: r.next() < 0.3 ? `${kind.holding ? 'Held' : 'Used'} by ${body.shortName} at ${place}, ${street}.` : null,
    asset_class: categorised ? kind.assetClass : null,
    cpv_code: cpv,
    cpv_division: cpv ? cpv.slice(0, 2) : null,
    acquisition_date: `${2000 + r.int(25)}-0${1 + r.int(9)}-1${r.int(10)}`,
    acquisition_cost_pence: valued ? pounds * 100 : null,
    current_value_pence: null,
    valuation_date: null,
    value_pence: valued ? pounds * 100 : null,
    depreciation_method: null,
    useful_life_years: null,
    depreciation_rate_percent: null,
    residual_value_pence: null,
    condition_grade: r.weighted(CONDITIONS),
    status,
    disposal_date: status === 'disposed' ? '2025-03-31' : null,
    disposal_method: status === 'disposed' ? 'sale' : null,
    disposal_proceeds_pence: null,
    utilisation_percent: null,
    utilisation_measured_on: null,
    tenure: kind.holding ? 'freehold' : null,
    tenure_detail: null,
    tenure_other_detail: null,
    holding_type: kind.holding ?? null,
    floor_area_m2: null,
    land_area_ha: null,
    energy_rating: null,
    custodian_department: null,
    street_number: kind.holding ? String(1 + r.int(200)) : null,
    street_name: kind.holding ? street : null,
    post_town: kind.holding ? body.shortName : null,
    postcode: kind.holding ? postcode : null,
    lat: mapped ? Math.round(lat * 1e6) / 1e6 : null,
    lon: mapped ? Math.round(lon * 1e6) / 1e6 : null,
    easting: null,
    northing: null,
    source_crs: mapped ? 'EPSG:4326' : null,
    location_precision: mapped ? 'address' : null,
    effective_date: '2025-03-31',
    available_to_share: status === 'underused' || status === 'vacant' || status === 'surplus' ? (r.next() < 0.5 ? 1 : 0) : r.next() < 0.01 ? 1 : 0,
    version: 1,
    created_at: now,
    updated_at: now,
  }
  // Drawn last, so the register's other values are those of earlier runs.
  if (kind.life && row.acquisition_cost_pence !== null) {
    row.depreciation_method = 'straight-line'
    row.useful_life_years = kind.life[0] + r.int(kind.life[1] - kind.life[0] + 1)
  }
  if (kind.holding && status !== 'disposed' && r.next() < 0.5) {
    row.utilisation_percent = Math.round(100 * Math.min(1, Math.max(0.05, 0.75 + r.gaussian() * 0.25)))
    row.utilisation_measured_on = '2025-03-31'
  }
  return row
}

/** The rows of a register of `count` assets, a body at a time. */
export function* generatedRegister(bodies: (Body & { share: number })[], count: number, seed = 5): Generator<NewAssetRow> {
  const r = new Random(seed)
  const now = new Date().toISOString()
  let made = 0
  for (let b = 0; b < bodies.length; b++) {
    const body = bodies[b]!
    const own = b === bodies.length - 1 ? count - made : Math.min(count - made, Math.round(body.share * count))
    for (let i = 0; i < own; i++) yield { organisation_id: body.id, ...generatedAsset(r, body, i, now) }
    made += own
  }
}

/** Writes a generated register straight into the database, with its full-text index. */
export async function generateAssets(db: Db, count: number, bodyCount = 400): Promise<{ bodies: number }> {
  const bodies = await benchBodies(db, bodyCount)
  const batch: NewAssetRow[] = []
  if (db.engine === 'sqlite') {
    const sqlite = db.sqlite!
    let insert: ReturnType<typeof sqlite.prepare> | undefined
    const index = sqlite.prepare('insert into assets_fts (rowid, document) values (?, ?)')
    const flush = sqlite.transaction((rows: NewAssetRow[]) => {
      for (const row of rows) {
        insert ??= sqlite.prepare(`insert into assets (${Object.keys(row).join(', ')}) values (${Object.keys(row).map((k) => `@${k}`).join(', ')})`)
        const id = Number(insert.run(row).lastInsertRowid)
        index.run(id, searchDocument({ ...row, id }))
      }
    })
    for (const row of generatedRegister(bodies, count)) {
      batch.push(row)
      if (batch.length === 20_000) flush(batch.splice(0))
    }
    flush(batch.splice(0))
    return { bodies: bodies.length }
  }
  const write = async (rows: NewAssetRow[]) => {
    await db.kysely.transaction().execute(async (trx) => {
      const ids = await trx.insertInto('assets').values(rows).returning('id').execute()
      await indexAssets(trx, 'postgres', rows.map((row, i) => ({ ...row, id: Number(ids[i]!.id) })))
    })
  }
  for (const row of generatedRegister(bodies, count)) {
    batch.push(row)
    if (batch.length === 1000) await write(batch.splice(0))
  }
  if (batch.length > 0) await write(batch.splice(0))
  return { bodies: bodies.length }
}
