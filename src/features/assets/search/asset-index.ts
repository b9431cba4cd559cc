import { todayInUk } from '../../../platform/uk-date.js'
import { sql } from 'kysely'
import { changeStamp } from '../../../db/change-stamp.js'
import type { Db } from '../../../db/connection.js'
import { bookValue, type DepreciationMethod } from '../depreciation.js'
import { CLASS_NUMBER, CONDITION_NUMBER, CPV_DIVISION_NUMBER, STATUS_NUMBER, numberOf, valueBand } from './vocabulary.js'

/*
 * Every asset's facet values, place and sort keys, held in memory as typed columns (about 60
 * bytes an asset plus its name): filtering, counting facets, clustering the map and the coverage
 * table are then loops over arrays, the same code on both engines, instead of grouped scans of
 * a million rows.
 *
 * Each process keeps its own copy and catches up before every use: the latest `updated_at` and
 * id (index lookups) say whether anything changed, and only assets changed since are read
 * again. On SQLite they are only looked up when the database's {@link changeStamp} has moved. Assets are never deleted (a disposed asset stays in the register), so positions never
 * move.
 */

export interface IndexedOrganisation {
  id: string
  slug: string
  name: string
  /** The body's type (`london-borough`, `nhs-trust`…): "similar bodies" are those of the same type. */
  type: string
  /** The ONS region, or null where the body has none recorded. */
  region: string | null
}

/** {@link AssetIndex.endOfLife} where the asset has no acquisition date or useful life. */
export const NO_END_OF_LIFE = 2_147_483_647

/** On PostgreSQL a transaction can commit after another that stamped a later time. */
const LATE_COMMIT_MARGIN_MS = 10 * 60_000
/** Beyond this many changed assets, reading everything again is quicker. */
const MAX_DELTA = 50_000
const LOAD_BATCH = 20_000
const FETCH_BATCH = 500
const MAX_LAT = 85.05112878

interface IndexRow {
  id: number
  organisation_id: string
  name: string
  asset_class: string | null
  cpv_division: string | null
  status: string | null
  condition_grade: string | null
  available_to_share: number
  value_pence: number | null
  lat: number | null
  lon: number | null
  updated_at: string
  cpv_code: string | null
  utilisation_percent: number | null
  holder_organisation_id: string | null
  acquisition_date: string | null
  acquisition_cost_pence: number | null
  current_value_pence: number | null
  valuation_date: string | null
  depreciation_method: string | null
  useful_life_years: number | null
  depreciation_rate_percent: number | null
  residual_value_pence: number | null
}

export class AssetIndex {
  size = 0
  ids = new Float64Array(0)
  /** Index into {@link organisations}; -1 for none. */
  organisation = new Int16Array(0)
  assetClass = new Int8Array(0)
  cpvDivision = new Int8Array(0)
  status = new Int8Array(0)
  condition = new Int8Array(0)
  available = new Uint8Array(0)
  valueBand = new Int8Array(0)
  /** Pence; NaN when not valued. */
  value = new Float64Array(0)
  /** WGS84 degrees; NaN when not mapped. */
  lat = new Float64Array(0)
  lon = new Float64Array(0)
  /** Web Mercator, 0 to 1 across the world, for clustering by map tile. */
  mercX = new Float32Array(0)
  mercY = new Float32Array(0)
  /** Milliseconds since 1970. */
  updated = new Float64Array(0)
  /** The eight-digit CPV code as a number; -1 for none. */
  cpvCode = new Int32Array(0)
  /** Percent; NaN when not measured. */
  utilisation = new Float32Array(0)
  /** Pence, on {@link bookValueDay}; NaN when not valued. */
  bookValue = new Float64Array(0)
  /** What buying it again would cost: the acquisition cost, else the register value (pence; NaN when neither). */
  replacementCost = new Float64Array(0)
  /** The day its useful life ends (days since 1970), or {@link NO_END_OF_LIFE}. */
  endOfLife = new Int32Array(0)
  /** Index into {@link organisations} of the body holding it on loan; -1 while its owner holds it. */
  holder = new Int16Array(0)
  /** The day book values were worked out for (an ISO date). */
  bookValueDay = todayInUk()
  /** The name lower-cased, for sorting and ranking. */
  readonly nameKey: string[] = []

  readonly organisations: IndexedOrganisation[] = []
  private readonly organisationPosition = new Map<string, number>()
  private readonly organisationBySlugMap = new Map<string, number>()
  /** Position by asset id; -1 where there is none. */
  private positionById = new Int32Array(0)
  private capacity = 0

  private assetsVersion: string | null = null
  private organisationsVersion: string | null = null
  private catchingUp: Promise<string> | null = null
  /** The database's {@link changeStamp} when last caught up, and the version it gave. */
  private stamp: string | undefined
  private version = ''

  constructor(private readonly db: Db) {}

  positionOf(id: number): number | undefined {
    const at = id >= 0 && id < this.positionById.length ? this.positionById[id]! : -1
    return at >= 0 ? at : undefined
  }

  organisationBySlug(slug: string): number | undefined {
    return this.organisationBySlugMap.get(slug)
  }

  /** Brings the index up to date; resolves to a version that changes whenever anything indexed does. Concurrent callers share one catch-up. */
  catchUp(): Promise<string> {
    this.catchingUp ??= this.readChanges().finally(() => {
      this.catchingUp = null
    })
    return this.catchingUp
  }

  private async readChanges(): Promise<string> {
    const stamp = changeStamp(this.db)
    if (stamp !== undefined && stamp === this.stamp && todayInUk() === this.bookValueDay) return this.version
    const latest = (
      await sql<{ a: string | null; n: number | null; o: string | null }>`
        select (select max(updated_at) from assets) as a, (select max(id) from assets) as n, (select max(updated_at) from organisations) as o`.execute(this.db.kysely)
    ).rows[0]!
    const assets = `${latest.a ?? ''}#${latest.n ?? 0}`
    const organisations = latest.o ?? ''
    const today = todayInUk()
    if (today !== this.bookValueDay && this.assetsVersion !== null) {
      // Book values depreciate by the month; a new day means working them out again.
      this.bookValueDay = today
      this.assetsVersion = null
    }
    if (organisations !== this.organisationsVersion) {
      await this.readOrganisations()
      this.organisationsVersion = organisations
    }
    if (assets !== this.assetsVersion) {
      const seen = this.assetsVersion?.split('#')[0]
      if (!seen) await this.readAll()
      else await this.readSince(new Date(Date.parse(seen) - LATE_COMMIT_MARGIN_MS).toISOString())
      this.assetsVersion = assets
    }
    this.stamp = stamp
    return (this.version = `${assets}|${organisations}|${this.size}`)
  }

  private async readOrganisations(): Promise<void> {
    const rows = await this.db.kysely.selectFrom('organisations').select(['id', 'slug', 'name', 'type', 'region']).execute()
    this.organisationBySlugMap.clear()
    for (const row of rows) {
      let at = this.organisationPosition.get(row.id)
      if (at === undefined) {
        at = this.organisations.length
        this.organisationPosition.set(row.id, at)
      }
      this.organisations[at] = { id: row.id, slug: row.slug, name: row.name, type: row.type, region: row.region }
      this.organisationBySlugMap.set(row.slug, at)
    }
  }

  private selectRows() {
    return this.db.kysely
      .selectFrom('assets')
      .select([
        'id', 'organisation_id', 'name', 'asset_class', 'cpv_division', 'status', 'condition_grade', 'available_to_share', 'value_pence', 'lat', 'lon', 'updated_at',
        'cpv_code', 'utilisation_percent', 'holder_organisation_id', 'acquisition_date', 'acquisition_cost_pence', 'current_value_pence', 'valuation_date',
        'depreciation_method', 'useful_life_years', 'depreciation_rate_percent', 'residual_value_pence',
      ])
  }

  private async readAll(): Promise<void> {
    let after = 0
    for (;;) {
      const rows = await this.selectRows().where('id', '>', after).orderBy('id').limit(LOAD_BATCH).execute()
      this.store(rows)
      if (rows.length < LOAD_BATCH) return
      after = Number(rows[rows.length - 1]!.id)
    }
  }

  /** Reads again only the assets whose change time differs from the one held. */
  private async readSince(since: string): Promise<void> {
    const changed: number[] = []
    let cursor: { at: string; id: number } | null = null
    for (;;) {
      let query = this.db.kysely.selectFrom('assets').select(['id', 'updated_at']).where('updated_at', '>=', since)
      if (cursor) {
        const { at, id } = cursor
        query = query.where((eb) => eb.or([eb('updated_at', '>', at), eb.and([eb('updated_at', '=', at), eb('id', '>', id)])]))
      }
      const rows = await query.orderBy('updated_at').orderBy('id').limit(LOAD_BATCH).execute()
      for (const row of rows) {
        const at = this.positionOf(Number(row.id))
        if (at === undefined || this.updated[at] !== Date.parse(row.updated_at)) changed.push(Number(row.id))
      }
      if (changed.length > MAX_DELTA) return this.readAll()
      if (rows.length < LOAD_BATCH) break
      const last = rows[rows.length - 1]!
      cursor = { at: last.updated_at, id: Number(last.id) }
    }
    for (let i = 0; i < changed.length; i += FETCH_BATCH) {
      this.store(await this.selectRows().where('id', 'in', changed.slice(i, i + FETCH_BATCH)).execute())
    }
  }

  private store(rows: IndexRow[]): void {
    for (const row of rows) {
      const id = Number(row.id)
      let at = this.positionOf(id)
      if (at === undefined) {
        at = this.size++
        this.ensureCapacity(this.size, id)
        this.positionById[id] = at
        this.ids[at] = id
      }
      this.organisation[at] = this.organisationPosition.get(row.organisation_id) ?? -1
      this.assetClass[at] = numberOf(CLASS_NUMBER, row.asset_class)
      this.cpvDivision[at] = numberOf(CPV_DIVISION_NUMBER, row.cpv_division)
      this.status[at] = numberOf(STATUS_NUMBER, row.status)
      this.condition[at] = numberOf(CONDITION_NUMBER, row.condition_grade)
      this.available[at] = Number(row.available_to_share) === 1 ? 1 : 0
      const value = row.value_pence === null ? NaN : Number(row.value_pence)
      this.value[at] = value
      this.valueBand[at] = valueBand(value)
      const mapped = row.lat !== null && row.lon !== null
      this.lat[at] = mapped ? Number(row.lat) : NaN
      this.lon[at] = mapped ? Number(row.lon) : NaN
      this.mercX[at] = mapped ? mercatorX(Number(row.lon)) : NaN
      this.mercY[at] = mapped ? mercatorY(Number(row.lat)) : NaN
      this.updated[at] = Date.parse(row.updated_at)
      this.nameKey[at] = row.name.toLowerCase()
      this.cpvCode[at] = row.cpv_code === null ? -1 : Number(row.cpv_code)
      this.utilisation[at] = row.utilisation_percent === null ? NaN : Number(row.utilisation_percent)
      this.holder[at] = row.holder_organisation_id === null ? -1 : (this.organisationPosition.get(row.holder_organisation_id) ?? -1)
      const cost = row.acquisition_cost_pence === null ? NaN : Number(row.acquisition_cost_pence)
      this.replacementCost[at] = Number.isNaN(cost) ? value : cost
      const book = bookValue(
        {
          method: row.depreciation_method as DepreciationMethod | null,
          acquisitionDate: row.acquisition_date,
          acquisitionCostPence: row.acquisition_cost_pence === null ? null : Number(row.acquisition_cost_pence),
          currentValuePence: row.current_value_pence === null ? null : Number(row.current_value_pence),
          valuationDate: row.valuation_date,
          usefulLifeYears: row.useful_life_years === null ? null : Number(row.useful_life_years),
          ratePercent: row.depreciation_rate_percent === null ? null : Number(row.depreciation_rate_percent),
          floorPence: row.residual_value_pence === null ? null : Number(row.residual_value_pence),
        },
        this.bookValueDay,
      )
      this.bookValue[at] = book ?? NaN
      this.endOfLife[at] = endOfLifeDay(row.acquisition_date, row.useful_life_years === null ? null : Number(row.useful_life_years))
    }
  }

  private ensureCapacity(size: number, id: number): void {
    if (id >= this.positionById.length) {
      const next = new Int32Array(Math.max(1024, id + 1, this.positionById.length * 2)).fill(-1)
      next.set(this.positionById)
      this.positionById = next
    }
    if (size <= this.capacity) return
    const capacity = Math.max(1024, this.capacity * 2, size)
    const grow = <T extends Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity)
      next.set(old)
      return next
    }
    this.ids = grow(this.ids, (n) => new Float64Array(n))
    this.organisation = grow(this.organisation, (n) => new Int16Array(n))
    this.assetClass = grow(this.assetClass, (n) => new Int8Array(n))
    this.cpvDivision = grow(this.cpvDivision, (n) => new Int8Array(n))
    this.status = grow(this.status, (n) => new Int8Array(n))
    this.condition = grow(this.condition, (n) => new Int8Array(n))
    this.available = grow(this.available, (n) => new Uint8Array(n))
    this.valueBand = grow(this.valueBand, (n) => new Int8Array(n))
    this.value = grow(this.value, (n) => new Float64Array(n))
    this.lat = grow(this.lat, (n) => new Float64Array(n))
    this.lon = grow(this.lon, (n) => new Float64Array(n))
    this.mercX = grow(this.mercX, (n) => new Float32Array(n))
    this.mercY = grow(this.mercY, (n) => new Float32Array(n))
    this.updated = grow(this.updated, (n) => new Float64Array(n))
    this.cpvCode = grow(this.cpvCode, (n) => new Int32Array(n))
    this.utilisation = grow(this.utilisation, (n) => new Float32Array(n))
    this.bookValue = grow(this.bookValue, (n) => new Float64Array(n))
    this.replacementCost = grow(this.replacementCost, (n) => new Float64Array(n))
    this.endOfLife = grow(this.endOfLife, (n) => new Int32Array(n))
    this.holder = grow(this.holder, (n) => new Int16Array(n))
    this.capacity = capacity
  }
}

/** The day (days since 1970) an asset acquired on `acquired` with the useful life given reaches the end of it. */
export function endOfLifeDay(acquired: string | null, usefulLifeYears: number | null): number {
  if (!acquired || usefulLifeYears === null) return NO_END_OF_LIFE
  const [y, m, d] = acquired.split('-').map(Number) as [number, number, number]
  const months = Math.round(usefulLifeYears * 12)
  const end = Date.UTC(y, m - 1 + months, d)
  return Number.isNaN(end) ? NO_END_OF_LIFE : Math.floor(end / 86_400_000)
}

export function mercatorX(lon: number): number {
  return (lon + 180) / 360
}

/** 0 at the top of the Web Mercator world (85°N), 1 at the bottom. */
export function mercatorY(lat: number): number {
  const clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat))
  const rad = (clamped * Math.PI) / 180
  return (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2
}
