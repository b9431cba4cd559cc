import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database, PurchaseSearchTable } from '../../../db/schema.js'
import { sha256 } from '../../../platform/crypto.js'
import type { Page, PageRequest } from '../../../platform/pagination.js'
import { cpvLabel } from '../cpv.js'
import { ASSET_CLASSES, labelOf } from '../vocabularies.js'
import type { Need } from './need.js'

/*
 * The record of "check before you buy" searches: one row per body, need and day, and what came
 * of it. Read back as where demand goes unmet (searches ending in a purchase, by CPV code and
 * region) and as a body's own recent searches.
 */

export type PurchaseSearchRow = Selectable<PurchaseSearchTable>

export interface PurchaseSearch {
  id: string
  organisationId: string
  actor: string
  cpvCode: string | null
  cpvLabel: string | null
  words: string | null
  assetClass: string | null
  assetClassLabel: string | null
  lat: number | null
  lon: number | null
  radiusKm: number | null
  neededFrom: string | null
  kind: 'loan' | 'transfer' | null
  resultCount: number
  /** `requested` (an asset was asked for) or `purchased` (nothing fitted); null until known. */
  outcome: 'requested' | 'purchased' | null
  outcomeAt: string | null
  estimatedCostPence: number | null
  createdAt: string
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v))

export function toPurchaseSearch(row: PurchaseSearchRow): PurchaseSearch {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    actor: row.actor_label,
    cpvCode: row.cpv_code,
    cpvLabel: cpvLabel(row.cpv_code) ?? null,
    words: row.words,
    assetClass: row.asset_class,
    assetClassLabel: labelOf(ASSET_CLASSES, row.asset_class) ?? null,
    lat: num(row.lat),
    lon: num(row.lon),
    radiusKm: num(row.radius_km),
    neededFrom: row.needed_from,
    kind: row.kind as PurchaseSearch['kind'],
    resultCount: Number(row.result_count),
    outcome: row.outcome as PurchaseSearch['outcome'],
    outcomeAt: row.outcome_at,
    estimatedCostPence: num(row.estimated_cost_pence),
    createdAt: row.created_at,
  }
}

/**
 * The same body looking for the same thing on the same day is one search: its id is made from
 * those, so a repeat (or two at once) lands on the row already there. Shaped as a UUID like
 * every other id.
 */
export function searchIdFor(organisationId: string, need: Need, day: string): string {
  const key = JSON.stringify([organisationId, day, need.cpvCodes, need.words?.toLowerCase() ?? null, need.assetClass, need.lat, need.lon, need.radiusKm, need.from, need.kind])
  const h = sha256(key)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Inserts the search unless that body already made it today; answers whether it was new. */
export async function insertSearch(k: Kysely<Database>, row: PurchaseSearchRow): Promise<boolean> {
  const result = await k
    .insertInto('purchase_searches')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function findSearch(k: Kysely<Database>, id: string): Promise<PurchaseSearchRow | undefined> {
  return k.selectFrom('purchase_searches').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function searchesOfBody(k: Kysely<Database>, organisationId: string, page: PageRequest): Promise<Page<PurchaseSearch>> {
  const base = k.selectFrom('purchase_searches').where('organisation_id', '=', organisationId)
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items: rows.map(toPurchaseSearch), total: Number(count.n), ...page }
}

/** One line of unmet demand: what was bought after finding nothing to share, where, how often and for how much. */
export interface UnmetDemand {
  cpvCode: string | null
  cpvLabel: string | null
  /** The asset class, for searches that gave no CPV code. */
  assetClass: string | null
  assetClassLabel: string | null
  region: string | null
  searches: number
  bodies: number
  /** The sum of the estimates given (pence), and how many searches gave one. */
  estimatedSpendPence: number
  estimates: number
}

/**
 * Searches ending in a purchase, grouped by CPV code (or asset class when no code was given)
 * and the searching body's region; the most frequent first. All of them when `page` is absent
 * (the CSV).
 */
export async function unmetDemand(k: Kysely<Database>, page?: PageRequest): Promise<Page<UnmetDemand>> {
  const classKey = sql`case when s.cpv_code is null then s.asset_class end`
  const from = sql`from purchase_searches s join organisations o on o.id = s.organisation_id where s.outcome = 'purchased' group by s.cpv_code, ${classKey}, o.region`
  const limit = page ? sql`limit ${page.pageSize} offset ${(page.page - 1) * page.pageSize}` : sql``
  const [rows, count] = await Promise.all([
    sql<{ cpv_code: string | null; class_key: string | null; region: string | null; searches: number | string; bodies: number | string; spend: number | string | null; estimates: number | string }>`
      select s.cpv_code, ${classKey} as class_key, o.region, count(*) as searches, count(distinct s.organisation_id) as bodies,
        sum(s.estimated_cost_pence) as spend, count(s.estimated_cost_pence) as estimates
      ${from}
      order by count(*) desc, coalesce(s.cpv_code, ''), coalesce(${classKey}, ''), coalesce(o.region, '')
      ${limit}`.execute(k),
    sql<{ n: number | string }>`select count(*) as n from (select 1 as one ${from}) g`.execute(k),
  ])
  const items = rows.rows.map((r) => ({
    cpvCode: r.cpv_code,
    cpvLabel: cpvLabel(r.cpv_code) ?? null,
    assetClass: r.class_key,
    assetClassLabel: labelOf(ASSET_CLASSES, r.class_key) ?? null,
    region: r.region,
    searches: Number(r.searches),
    bodies: Number(r.bodies),
    estimatedSpendPence: Number(r.spend ?? 0),
    estimates: Number(r.estimates),
  }))
  const total = Number(count.rows[0]?.n ?? 0)
  return { items, total, page: page?.page ?? 1, pageSize: page?.pageSize ?? Math.max(1, total) }
}

/** The totals over every search ending in a purchase. */
export async function unmetDemandTotal(k: Kysely<Database>): Promise<{ searches: number; bodies: number; estimatedSpendPence: number }> {
  const row = await k
    .selectFrom('purchase_searches')
    .where('outcome', '=', 'purchased')
    .select([
      sql<number | string>`count(*)`.as('searches'),
      sql<number | string>`count(distinct organisation_id)`.as('bodies'),
      sql<number | string | null>`sum(estimated_cost_pence)`.as('spend'),
    ])
    .executeTakeFirstOrThrow()
  return { searches: Number(row.searches), bodies: Number(row.bodies), estimatedSpendPence: Number(row.spend ?? 0) }
}
