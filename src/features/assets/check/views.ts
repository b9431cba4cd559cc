import { formatDate } from '../../../platform/views.js'
import type { Organisation } from '../../organisations/service.js'
import { formatPence } from '../money.js'
import { withQuery } from '../search/query.js'
import { statusTag } from '../views.js'
import { ASSET_CLASSES, labelOf } from '../vocabularies.js'
import type { AvailableAsset } from './availability.js'
import { FIT_LABELS } from './fit.js'
import { describeNeed, needParams, type Need } from './need.js'
import type { PurchaseSearch } from './searches.js'

/* What the "check before you buy" pages show: the need in words, and each asset that fits it. */

export const PAGE_PATH = '/assets/check-before-you-buy'
export const SEARCHES_PATH = '/assets/check-before-you-buy/searches'

const OFFER_KINDS = { loan: 'Offered on loan', transfer: 'Offered to transfer', sale: 'Offered for sale' } as const
const NEED_KINDS = { loan: 'to borrow', transfer: 'to take over' } as const

export function placeText(need: Pick<Need, 'place' | 'radiusKm' | 'lat' | 'lon'>, body: Organisation | null): string {
  if (need.place === 'anywhere' || need.lat === null || need.lon === null) return 'anywhere'
  const km = `${need.radiusKm.toLocaleString('en-GB')} km`
  if (need.place === 'body' && body) return `within ${km} of ${body.name}`
  return `within ${km} of ${need.lat.toFixed(4)}, ${need.lon.toFixed(4)}`
}

export function needHeading(need: Need, body: Organisation | null): string {
  const when = `from ${formatDate(need.from)}`
  const kind = need.kind ? ` ${NEED_KINDS[need.kind]}` : ''
  return `${describeNeed(need)}${kind}, ${placeText(need, body)}, ${when}`
}

/** The link that asks the owner for an asset, made on the sharing feature's form. */
export function requestHref(item: AvailableAsset, need: Need, searchId: string): string {
  const kind = item.offer?.kind ?? need.kind ?? undefined
  return withQuery(`/assets/${item.asset.id}/share-requests/new`, { search: searchId, kind, from: need.from })
}

export function resultView(item: AvailableAsset, need: Need, searchId: string | null) {
  const { asset, offer } = item
  const rows: { key: { text: string }; value: { text: string } }[] = []
  const row = (key: string, text: string) => rows.push({ key: { text: key }, value: { text } })
  row('Owner', item.owner.name)
  row('Distance', item.distanceKm === null ? 'Not worked out (no place given)' : `${item.distanceKm.toLocaleString('en-GB')} km`)
  row('Fit', FIT_LABELS[item.fit] + (asset.cpvCode ? `: ${asset.cpvCode} ${asset.cpvLabel ?? ''}`.trimEnd() : asset.assetClassLabel ? `: ${asset.assetClassLabel}` : ''))
  if (offer) {
    const price = offer.kind === 'sale' && offer.pricePence !== null ? ` at ${formatPence(offer.pricePence)}` : ''
    const until = offer.availableUntil ? ` until ${formatDate(offer.availableUntil)}` : ''
    row('Offer', `${OFFER_KINDS[offer.kind]}${price}, from ${formatDate(offer.availableFrom)}${until}`)
  } else {
    const idle = asset.status === 'underused' || asset.status === 'vacant' || asset.status === 'surplus'
    row('Offer', `Not offered yet: ask the owner. ${idle ? statusTag(asset.status).text : 'Marked available to share'}`)
  }
  if (asset.utilisationPercent !== null) {
    row('Use', `${asset.utilisationPercent.toLocaleString('en-GB')}% used${asset.utilisationMeasuredOn ? ` (measured ${formatDate(asset.utilisationMeasuredOn)})` : ''}`)
  }
  row('Book value', asset.bookValuePence === null ? 'Not valued' : formatPence(asset.bookValuePence, { wholePounds: true }))
  return {
    id: asset.id,
    name: asset.name,
    ownerSlug: item.owner.slug,
    status: statusTag(asset.status),
    offered: offer !== null,
    rows,
    requestHref: searchId ? requestHref(item, need, searchId) : null,
  }
}

/** The need's query string with another CPV code chosen instead of the words. */
export function alternativeHref(need: Need, code: string, body: string | undefined): string {
  const { q: _q, cpv: _cpv, ...rest } = needParams(need)
  return withQuery(PAGE_PATH, { ...rest, cpv: code, body })
}

export function searchHref(search: PurchaseSearch, body: string): string {
  return withQuery(PAGE_PATH, {
    ...(search.words ? { q: search.words } : { cpv: search.cpvCode ?? undefined }),
    class: search.assetClass ?? undefined,
    lat: search.lat === null ? undefined : String(search.lat),
    lon: search.lon === null ? undefined : String(search.lon),
    radiusKm: search.radiusKm === null ? undefined : String(search.radiusKm),
    kind: search.kind ?? undefined,
    body,
  })
}

export function searchWhat(search: Pick<PurchaseSearch, 'cpvCode' | 'cpvLabel' | 'words' | 'assetClass'>): string {
  const parts: string[] = []
  if (search.cpvCode) parts.push(`${search.cpvCode} ${search.cpvLabel ?? ''}`.trim())
  if (search.assetClass) parts.push(labelOf(ASSET_CLASSES, search.assetClass) ?? search.assetClass)
  const what = parts.join(', ') || 'Not recorded'
  return search.words ? `“${search.words}” (${what})` : what
}

export const OUTCOME_LABELS: Record<string, string> = { purchased: 'Nothing fitted: bought', requested: 'Asked for an asset' }

export const CLASS_ITEMS = (chosen: string | undefined) => [
  { value: '', text: 'Any class', selected: !chosen },
  ...ASSET_CLASSES.map((c) => ({ value: c.code, text: c.label, selected: chosen === c.code })),
]

export const KIND_ITEMS = (chosen: string | undefined) =>
  [
    { value: 'either', text: 'Either' },
    { value: 'loan', text: 'Borrow it for a while (a loan)' },
    { value: 'transfer', text: 'Take it over for good (a transfer or a sale)' },
  ].map((item) => ({ ...item, checked: (chosen || 'either') === item.value }))
