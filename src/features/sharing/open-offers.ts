import { sql } from 'kysely'
import type { Db } from '../../db/connection.js'
import { perDatabase } from '../../db/per-database.js'

/** An asset on offer: what kind of share, from when, and who may see it yet. */
export interface OpenOffer {
  id: string
  assetId: number
  organisationId: string
  kind: 'loan' | 'transfer' | 'sale'
  pricePence: number | null
  availableFrom: string
  availableUntil: string | null
  /** Until this day (an ISO date) only the owner's own departments see the offer. */
  openToAllOn: string
}

/** A PostgreSQL change can commit after a later one was read; nothing is trusted longer than this. */
const MAX_AGE_MS = 60_000

/**
 * Every open offer, held in memory by asset id: "check before you buy" looks offers up for
 * thousands of candidate assets per search. Each use asks only for the latest change time of
 * any offer (one index lookup); the offers are read again when it moved, when this process
 * changed one ({@link changed}), and at least once a minute.
 */
export class OpenOffers {
  private held?: { latest: string; at: number; offers: Map<number, OpenOffer> }

  constructor(private readonly db: Db) {}

  /** Says that this process has just changed offers, so the next use reads them again. */
  changed(): void {
    this.held = undefined
  }

  async current(): Promise<ReadonlyMap<number, OpenOffer>> {
    const latest = (await sql<{ at: string | null }>`select max(updated_at) as at from asset_offers`.execute(this.db.kysely)).rows[0]?.at ?? ''
    if (this.held && this.held.latest === latest && Date.now() - this.held.at < MAX_AGE_MS) return this.held.offers
    const rows = await this.db.kysely
      .selectFrom('asset_offers')
      .select(['id', 'asset_id', 'organisation_id', 'kind', 'price_pence', 'available_from', 'available_until', 'open_to_all_on'])
      .where('state', '=', 'open')
      .execute()
    const offers = new Map<number, OpenOffer>()
    for (const r of rows) {
      offers.set(Number(r.asset_id), {
        id: r.id,
        assetId: Number(r.asset_id),
        organisationId: r.organisation_id,
        kind: r.kind as OpenOffer['kind'],
        pricePence: r.price_pence === null ? null : Number(r.price_pence),
        availableFrom: r.available_from,
        availableUntil: r.available_until,
        openToAllOn: r.open_to_all_on,
      })
    }
    this.held = { latest, at: Date.now(), offers }
    return offers
  }
}

/** Whether members of these bodies may see (and ask for) the offer on `today`: the owner always, others once its window has passed. */
export function offerVisibleTo(offer: OpenOffer, organisationIds: readonly string[], today: string): boolean {
  return organisationIds.includes(offer.organisationId) || today >= offer.openToAllOn
}

/** One reader per process and database, shared by the sharing pages and "check before you buy". */
export const openOffersFor = perDatabase((db) => new OpenOffers(db))
