import { formatDate } from '../../platform/views.js'
import { formatPence } from '../assets/money.js'
import { SHARE_KINDS, type Offer, type ShareKind, type ShareRequest } from './model.js'

/* What the sharing pages show: records with their amounts and dates written out. */

export function availabilityText(o: { availableFrom: string; availableUntil: string | null }): string {
  return `From ${formatDate(o.availableFrom)}${o.availableUntil ? ` until ${formatDate(o.availableUntil)}` : ''}`
}

export type OfferView = ReturnType<typeof offerView>

export function offerView(offer: Offer) {
  return {
    ...offer,
    priceText: offer.pricePence === null ? '' : formatPence(offer.pricePence),
    availability: availabilityText(offer),
    audience: offer.openToAll ? 'Every public body' : `Only ${offer.organisation.name} until ${formatDate(offer.openToAllOn)}`,
  }
}

export function requestView(request: ShareRequest) {
  return {
    ...request,
    avoidedText: request.avoidedCostPence === null ? 'Not given' : formatPence(request.avoidedCostPence),
    priceText: request.pricePence === null ? '' : formatPence(request.pricePence),
    savingText: formatPence(request.savingPence),
    needed: `From ${formatDate(request.neededFrom)}${request.neededUntil ? ` until ${formatDate(request.neededUntil)}` : ''}`,
  }
}

/** Radio items for the kinds a form offers, with the one chosen ticked. */
export function kindItems(kinds: readonly ShareKind[], chosen: string | undefined) {
  return SHARE_KINDS.filter((k) => kinds.includes(k.code)).map((k) => ({ value: k.code, text: k.label, hint: { text: k.hint }, checked: chosen === k.code }))
}
