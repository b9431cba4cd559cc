import type { Asset } from '../assets/model.js'
import type { Organisation } from '../organisations/service.js'
import { type SharingContext, repoOf, todayOf } from './context.js'
import { kindOf, savingOf, stateOf, type AssetSummary, type BodyRef, type Offer, type OfferRow, type OfferState, type ShareRequest, type ShareRequestRow } from './model.js'

/* Rows as pages and the API show them, with the assets and bodies they name looked up in bulk. */

export function bodyRef(organisation: Organisation | undefined, id: string): BodyRef {
  return organisation ? { id: organisation.id, slug: organisation.slug, name: organisation.name } : { id, slug: '', name: 'A body no longer registered' }
}

export function assetSummary(asset: Asset): AssetSummary {
  const { id, assetCode, name, assetClass, assetClassLabel, cpvCode, cpvLabel, status, condition } = asset
  return { id, assetCode, name, assetClass, assetClassLabel, cpvCode, cpvLabel, status, condition }
}

async function lookups(context: SharingContext, assetIds: number[], organisationIds: string[]) {
  const [assets, organisations] = await Promise.all([context.assets.findMany(assetIds), context.organisations.findByIds([...new Set(organisationIds)])])
  return { assets: new Map(assets.map((a) => [a.id, a])), organisations: new Map(organisations.map((o) => [o.id, o])) }
}

export async function offerRecords(context: SharingContext, rows: readonly OfferRow[]): Promise<Offer[]> {
  const found = await lookups(
    context,
    rows.map((r) => Number(r.asset_id)),
    rows.map((r) => r.organisation_id),
  )
  const today = todayOf(context)
  return rows.map((r) => {
    const asset = found.assets.get(Number(r.asset_id))
    return {
      id: r.id,
      asset: asset ? assetSummary(asset) : { id: Number(r.asset_id), assetCode: '', name: 'An asset no longer recorded', assetClass: null, assetClassLabel: null, cpvCode: null, cpvLabel: null, status: null, condition: null },
      organisation: bodyRef(found.organisations.get(r.organisation_id), r.organisation_id),
      kind: r.kind as Offer['kind'],
      kindLabel: kindOf(r.kind).label,
      pricePence: r.price_pence === null ? null : Number(r.price_pence),
      availableFrom: r.available_from,
      availableUntil: r.available_until,
      windowWorkingDays: Number(r.window_working_days),
      openToAllOn: r.open_to_all_on,
      openToAll: today >= r.open_to_all_on,
      terms: r.terms,
      state: r.state as OfferState,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      closedAt: r.closed_at,
    }
  })
}

export async function requestRecords(context: SharingContext, rows: readonly ShareRequestRow[]): Promise<ShareRequest[]> {
  const [found, prices] = await Promise.all([
    lookups(
      context,
      rows.map((r) => Number(r.asset_id)),
      rows.flatMap((r) => [r.owner_organisation_id, r.requesting_organisation_id]),
    ),
    repoOf(context).offerPrices(rows.flatMap((r) => (r.offer_id ? [r.offer_id] : []))),
  ])
  return rows.map((r) => {
    const asset = found.assets.get(Number(r.asset_id))
    const state = stateOf(r.state)
    const pricePence = r.kind === 'sale' && r.offer_id ? (prices.get(r.offer_id) ?? null) : null
    const avoided = r.avoided_cost_pence === null ? null : Number(r.avoided_cost_pence)
    return {
      id: r.id,
      asset: asset ? { id: asset.id, assetCode: asset.assetCode, name: asset.name } : { id: Number(r.asset_id), assetCode: '', name: 'An asset no longer recorded' },
      offerId: r.offer_id,
      searchId: r.search_id,
      owner: bodyRef(found.organisations.get(r.owner_organisation_id), r.owner_organisation_id),
      requester: bodyRef(found.organisations.get(r.requesting_organisation_id), r.requesting_organisation_id),
      requestedBy: r.requester_label,
      kind: r.kind as ShareRequest['kind'],
      kindLabel: kindOf(r.kind).label,
      neededFrom: r.needed_from,
      neededUntil: r.needed_until,
      purpose: r.purpose,
      avoidedCostPence: avoided,
      pricePence,
      savingPence: savingOf(avoided, r.kind, pricePence),
      state: state.code,
      stateLabel: state.label,
      stateTag: state.tag,
      declineReason: r.decline_reason,
      decidedBy: r.decided_by,
      decidedAt: r.decided_at,
      handedOverAt: r.handed_over_at,
      returnedAt: r.returned_at,
      version: Number(r.version),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }
  })
}
