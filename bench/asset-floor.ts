import { sql, type CompiledQuery, type RawBuilder } from 'kysely'
import type { Db } from '../src/db/connection.js'
import { searchTerms } from '../src/features/datasets/search.js'
import { fts5Query, tsQuery } from '../src/features/assets/search/full-text.js'
import { zoomFor } from '../src/features/assets/search/map-clusters.js'

/*
 * The most direct SQL for what the asset pages ask: the floors the app is compared with.
 * A search with facets is the matches' page in order, and one grouped scan of the matches by
 * every facet column at once. A map view is one grouped scan of the assets in the box on the
 * (lat, lon) index, by grid cell.
 */

const BAND = sql`case when a.value_pence is null then 'unknown' when a.value_pence < 100000 then 'under-1k' when a.value_pence < 1000000 then '1k-10k'
  when a.value_pence < 10000000 then '10k-100k' when a.value_pence < 100000000 then '100k-1m' when a.value_pence < 1000000000 then '1m-10m' else '10m-plus' end`

function conditions(params: URLSearchParams): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = []
  const column: Record<string, string> = { class: 'asset_class', cpv: 'cpv_division', status: 'status', condition: 'condition_grade' }
  for (const [name, col] of Object.entries(column)) {
    const values = params.getAll(name)
    if (values.length > 0) parts.push(sql`${sql.ref(`a.${col}`)} in (${sql.join(values)})`)
  }
  const bodies = params.getAll('body')
  if (bodies.length > 0) parts.push(sql`a.organisation_id in (select id from organisations where slug in (${sql.join(bodies)}))`)
  const available = params.getAll('available')
  if (available.length === 1) parts.push(sql`a.available_to_share = ${available[0] === 'yes' ? 1 : 0}`)
  const bands = params.getAll('value')
  if (bands.length > 0) parts.push(sql`${BAND} in (${sql.join(bands)})`)
  return parts.length > 0 ? sql.join(parts, sql` and `) : sql`1 = 1`
}

function matches(db: Db, q: string): RawBuilder<unknown> | null {
  const terms = searchTerms(q)
  if (terms.length === 0) return null
  const prefix = terms[terms.length - 1]!.length >= 3
  return db.engine === 'postgres'
    ? sql`select asset_id as id from assets_fts where document @@ to_tsquery('english', ${tsQuery(terms, prefix)})`
    : sql`select rowid as id from assets_fts where assets_fts match ${fts5Query(terms, prefix)}`
}

/** A search's floor: the page, and every facet's counts from one grouped scan. */
export function searchFloor(db: Db, url: string): CompiledQuery[] {
  const params = new URL(url, 'http://x').searchParams
  const found = matches(db, params.get('q') ?? '')
  const page = Number(params.get('page') ?? 1)
  const where = conditions(params)
  const from = found ? sql`(${found}) m join assets a on a.id = m.id` : sql`assets a`
  return [
    sql`select a.*, o.slug, o.name as owner_name from ${from} join organisations o on o.id = a.organisation_id where ${where} order by a.name, a.id limit 20 offset ${(page - 1) * 20}`.compile(db.kysely),
    sql`select a.organisation_id, a.asset_class, a.cpv_division, a.status, a.condition_grade, a.available_to_share, ${BAND} as band, count(*) as n
        from ${from} where ${where} group by a.organisation_id, a.asset_class, a.cpv_division, a.status, a.condition_grade, a.available_to_share, band`.compile(db.kysely),
  ]
}

/** A map view's floor: the mapped assets in the box counted into cells of the view's grid. */
export function mapFloor(db: Db, url: string): CompiledQuery[] {
  const params = new URL(url, 'http://x').searchParams
  const [minLon, minLat, maxLon, maxLat] = params.get('bbox')!.split(',').map(Number) as [number, number, number, number]
  const zoom = Number(params.get('zoom') ?? zoomFor([minLon, minLat, maxLon, maxLat]))
  const cell = 360 / 2 ** (zoom + 2)
  const found = matches(db, params.get('q') ?? '')
  const from = found ? sql`(${found}) m join assets a on a.id = m.id` : sql`assets a`
  return [
    sql`select floor(a.lon / ${cell}) as cx, floor(a.lat / ${cell}) as cy, count(*) as n, avg(a.lon) as lon, avg(a.lat) as lat, min(a.id) as id
        from ${from} where a.lat between ${minLat} and ${maxLat} and a.lon between ${minLon} and ${maxLon} and ${conditions(params)}
        group by cx, cy`.compile(db.kysely),
  ]
}
