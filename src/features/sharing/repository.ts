import { sql, type Insertable, type Kysely } from 'kysely'
import type { AssetCustodyTable, AssetOfferTable, Database, ShareRequestTable } from '../../db/schema.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import { COMPLETED_STATES, OPEN_STATES, type OfferRow, type ShareRequestRow } from './model.js'

/** Who is looking at offers: their own bodies' offers show during the window; everyone's after. */
export interface OfferViewer {
  organisationIds: readonly string[]
  /** Platform administrators see every open offer. */
  seesAll: boolean
  today: string
}

export interface OfferFilters {
  kind?: string
  organisationId?: string
}

export type CustodyRow = { id: number; asset_id: number; event: string; from_organisation_id: string; to_organisation_id: string; share_request_id: string | null; actor_label: string; occurred_at: string }

/** A completed share, as the savings are totalled from it. */
export interface CompletedShareRow {
  id: string
  asset_id: number
  requesting_organisation_id: string
  kind: string
  avoided_cost_pence: number | null
  price_pence: number | null
  handed_over_at: string
}

export class SharingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // ---- offers ----

  async insertOffer(row: Insertable<AssetOfferTable>): Promise<void> {
    await this.db.insertInto('asset_offers').values(row).execute()
  }

  findOffer(id: string): Promise<OfferRow | undefined> {
    return this.db.selectFrom('asset_offers').selectAll().where('id', '=', id).executeTakeFirst()
  }

  findOpenOffer(assetId: number): Promise<OfferRow | undefined> {
    return this.db.selectFrom('asset_offers').selectAll().where('asset_id', '=', assetId).where('state', '=', 'open').executeTakeFirst()
  }

  /** Changes an open offer; false when it was no longer open. */
  async updateOpenOffer(id: string, changes: Partial<OfferRow>): Promise<boolean> {
    const result = await this.db.updateTable('asset_offers').set(changes).where('id', '=', id).where('state', '=', 'open').executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  private visibleOffers(viewer: OfferViewer, filters: OfferFilters) {
    let query = this.db.selectFrom('asset_offers').where('state', '=', 'open')
    if (!viewer.seesAll) {
      const mine = [...viewer.organisationIds]
      query = query.where((eb) => (mine.length ? eb.or([eb('open_to_all_on', '<=', viewer.today), eb('organisation_id', 'in', mine)]) : eb('open_to_all_on', '<=', viewer.today)))
    }
    if (filters.kind) query = query.where('kind', '=', filters.kind)
    if (filters.organisationId) query = query.where('organisation_id', '=', filters.organisationId)
    return query
  }

  async listVisibleOffers(viewer: OfferViewer, filters: OfferFilters, page: PageRequest): Promise<Page<OfferRow>> {
    const base = this.visibleOffers(viewer, filters)
    const [items, count] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items, total: Number(count.n), ...page }
  }

  /** The bodies with offers the viewer can see (of any kind), for the filter. */
  async bodiesWithVisibleOffers(viewer: OfferViewer): Promise<string[]> {
    const rows = await this.visibleOffers(viewer, {}).select('organisation_id').distinct().execute()
    return rows.map((r) => r.organisation_id)
  }

  offersOf(organisationId: string, limit: number): Promise<OfferRow[]> {
    return this.db
      .selectFrom('asset_offers')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy(sql`case when state = 'open' then 0 else 1 end`)
      .orderBy('updated_at', 'desc')
      .limit(limit)
      .execute()
  }

  async offerPrices(offerIds: readonly string[]): Promise<Map<string, number | null>> {
    const ids = [...new Set(offerIds)]
    if (ids.length === 0) return new Map()
    const rows = await this.db.selectFrom('asset_offers').select(['id', 'price_pence']).where('id', 'in', ids).execute()
    return new Map(rows.map((r) => [r.id, r.price_pence === null ? null : Number(r.price_pence)]))
  }

  // ---- requests ----

  async insertRequest(row: Insertable<ShareRequestTable>): Promise<void> {
    await this.db.insertInto('share_requests').values(row).execute()
  }

  findRequest(id: string): Promise<ShareRequestRow | undefined> {
    return this.db.selectFrom('share_requests').selectAll().where('id', '=', id).executeTakeFirst()
  }

  /** Writes only when the stored version is the one the caller read. */
  async updateRequestIfVersion(id: string, expectedVersion: number, changes: Partial<ShareRequestRow>): Promise<boolean> {
    const result = await this.db.updateTable('share_requests').set(changes).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  /** Requests still being dealt with (asked for or approved) for an asset, or for one offer of it. */
  openRequests(where: { assetId?: number; offerId?: string }): Promise<ShareRequestRow[]> {
    let query = this.db.selectFrom('share_requests').selectAll().where('state', 'in', OPEN_STATES)
    if (where.assetId !== undefined) query = query.where('asset_id', '=', where.assetId)
    if (where.offerId !== undefined) query = query.where('offer_id', '=', where.offerId)
    return query.orderBy('created_at').execute()
  }

  /** Loans of the asset handed over and not yet returned. */
  loansOut(assetId: number): Promise<ShareRequestRow[]> {
    return this.db.selectFrom('share_requests').selectAll().where('asset_id', '=', assetId).where('kind', '=', 'loan').where('state', '=', 'handed-over').execute()
  }

  requestsForAsset(assetId: number, limit: number): Promise<ShareRequestRow[]> {
    return this.db.selectFrom('share_requests').selectAll().where('asset_id', '=', assetId).orderBy('created_at', 'desc').limit(limit).execute()
  }

  /** A body's requests on one side, open ones first, then the latest. */
  requestsOf(side: 'owner' | 'requester', organisationId: string, limit: number): Promise<ShareRequestRow[]> {
    const column = side === 'owner' ? 'owner_organisation_id' : 'requesting_organisation_id'
    return this.db
      .selectFrom('share_requests')
      .selectAll()
      .where(column, '=', organisationId)
      .orderBy(sql`case when state in ('requested', 'approved') then 0 when state = 'handed-over' and kind = 'loan' then 1 else 2 end`)
      .orderBy('updated_at', 'desc')
      .limit(limit)
      .execute()
  }

  // ---- custody ----

  async insertCustody(row: Insertable<AssetCustodyTable>): Promise<void> {
    await this.db.insertInto('asset_custody').values(row).execute()
  }

  async custodyOf(assetId: number): Promise<CustodyRow[]> {
    const rows = await this.db.selectFrom('asset_custody').selectAll().where('asset_id', '=', assetId).orderBy('id').execute()
    return rows.map((r) => ({ ...r, id: Number(r.id), asset_id: Number(r.asset_id) }))
  }

  // ---- savings ----

  async completedShares(): Promise<CompletedShareRow[]> {
    const rows = await this.db
      .selectFrom('share_requests as r')
      .leftJoin('asset_offers as o', 'o.id', 'r.offer_id')
      .select(['r.id', 'r.asset_id', 'r.requesting_organisation_id', 'r.kind', 'r.avoided_cost_pence', 'o.price_pence', 'r.handed_over_at'])
      .where('r.state', 'in', COMPLETED_STATES)
      .where('r.handed_over_at', 'is not', null)
      .orderBy('r.handed_over_at')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      asset_id: Number(r.asset_id),
      requesting_organisation_id: r.requesting_organisation_id,
      kind: r.kind,
      avoided_cost_pence: r.avoided_cost_pence === null ? null : Number(r.avoided_cost_pence),
      price_pence: r.price_pence === null ? null : Number(r.price_pence),
      handed_over_at: r.handed_over_at!,
    }))
  }
}
