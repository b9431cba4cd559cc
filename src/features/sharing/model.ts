import type { Selectable } from 'kysely'
import type { AssetOfferTable, ShareRequestTable } from '../../db/schema.js'

/*
 * Sharing assets between public bodies: an owner offers an asset (first to its own body, then
 * to all after a window of working days), another body (or another department of the same body)
 * asks for it, and the owner decides, hands it over and, for a loan, records its return.
 */

export type OfferRow = Selectable<AssetOfferTable>
export type ShareRequestRow = Selectable<ShareRequestTable>

export type ShareKind = 'loan' | 'transfer' | 'sale'
export const SHARE_KINDS: { code: ShareKind; label: string; verb: string; hint: string }[] = [
  { code: 'loan', label: 'Loan', verb: 'borrow', hint: 'Lent for a time and given back; the owner stays the same' },
  { code: 'transfer', label: 'Transfer', verb: 'take over', hint: 'Given to the other body, which becomes its owner' },
  { code: 'sale', label: 'Sale', verb: 'buy', hint: 'Sold to the other body at a price, which becomes its owner' },
]

export type OfferState = 'open' | 'withdrawn' | 'closed'
export const OFFER_STATES: { code: OfferState; label: string }[] = [
  { code: 'open', label: 'Open' },
  { code: 'withdrawn', label: 'Withdrawn' },
  { code: 'closed', label: 'Closed: the asset has gone to another body' },
]

export type ShareState = 'requested' | 'approved' | 'declined' | 'withdrawn' | 'handed-over' | 'returned'
export const SHARE_STATES: { code: ShareState; label: string; tag: string }[] = [
  { code: 'requested', label: 'Requested', tag: 'govuk-tag--blue' },
  { code: 'approved', label: 'Approved', tag: 'govuk-tag--turquoise' },
  { code: 'declined', label: 'Declined', tag: 'govuk-tag--red' },
  { code: 'withdrawn', label: 'Withdrawn', tag: 'govuk-tag--grey' },
  { code: 'handed-over', label: 'Handed over', tag: 'govuk-tag--green' },
  { code: 'returned', label: 'Returned', tag: 'govuk-tag--grey' },
]

/** States a request is still being dealt with in: at most one such per asset and requesting body. */
export const OPEN_STATES: ShareState[] = ['requested', 'approved']
/** States of a share that happened: its saving counts. */
export const COMPLETED_STATES: ShareState[] = ['handed-over', 'returned']

export type ShareStep = 'approve' | 'decline' | 'hand-over' | 'return' | 'withdraw'
/** Which side may take each step, from which states, and where it leads. */
export const STEPS: Record<ShareStep, { side: 'owner' | 'requester'; from: ShareState[]; to: ShareState; label: string; done: string }> = {
  approve: { side: 'owner', from: ['requested'], to: 'approved', label: 'Approve', done: 'approved' },
  decline: { side: 'owner', from: ['requested', 'approved'], to: 'declined', label: 'Decline', done: 'declined' },
  'hand-over': { side: 'owner', from: ['approved'], to: 'handed-over', label: 'Record hand-over', done: 'handed over' },
  return: { side: 'owner', from: ['handed-over'], to: 'returned', label: 'Record its return', done: 'returned' },
  withdraw: { side: 'requester', from: ['requested', 'approved'], to: 'withdrawn', label: 'Withdraw request', done: 'withdrawn' },
}
export const SHARE_STEPS = Object.keys(STEPS) as ShareStep[]

export function kindOf(code: string): (typeof SHARE_KINDS)[number] {
  return SHARE_KINDS.find((k) => k.code === code) ?? { code: code as ShareKind, label: code, verb: 'use', hint: '' }
}

export function stateOf(code: string): (typeof SHARE_STATES)[number] {
  return SHARE_STATES.find((s) => s.code === code) ?? { code: code as ShareState, label: code, tag: 'govuk-tag--grey' }
}

/** Whether the step can be taken from the state (loans alone are returned). */
export function stepAllowed(step: ShareStep, request: { state: string; kind: string }): boolean {
  if (step === 'return' && request.kind !== 'loan') return false
  return STEPS[step].from.includes(request.state as ShareState)
}

/**
 * What a completed share saved the requesting body: the purchase it avoided, less any price it
 * paid for a sale, never below nothing.
 */
export function savingOf(avoidedCostPence: number | null, kind: string, pricePence: number | null): number {
  const avoided = avoidedCostPence ?? 0
  return Math.max(0, avoided - (kind === 'sale' ? (pricePence ?? 0) : 0))
}

export interface BodyRef {
  id: string
  slug: string
  name: string
}

export interface AssetSummary {
  id: number
  assetCode: string
  name: string
  assetClass: string | null
  assetClassLabel: string | null
  cpvCode: string | null
  cpvLabel: string | null
  status: string | null
  condition: string | null
}

/** An offer as pages and the API show it. */
export interface Offer {
  id: string
  asset: AssetSummary
  organisation: BodyRef
  kind: ShareKind
  kindLabel: string
  pricePence: number | null
  availableFrom: string
  availableUntil: string | null
  windowWorkingDays: number
  /** From this day every public body sees it; before, only the owner's own people. */
  openToAllOn: string
  openToAll: boolean
  terms: string | null
  state: OfferState
  createdAt: string
  updatedAt: string
  closedAt: string | null
}

/** A request to borrow, take over or buy an asset, as pages and the API show it. */
export interface ShareRequest {
  id: string
  asset: { id: number; assetCode: string; name: string }
  offerId: string | null
  searchId: string | null
  owner: BodyRef
  requester: BodyRef
  requestedBy: string
  kind: ShareKind
  kindLabel: string
  neededFrom: string
  neededUntil: string | null
  purpose: string
  avoidedCostPence: number | null
  /** For a sale, the offer's price. */
  pricePence: number | null
  /** What it saves (or saved) the requesting body once handed over. */
  savingPence: number
  state: ShareState
  stateLabel: string
  stateTag: string
  declineReason: string | null
  decidedBy: string | null
  decidedAt: string | null
  handedOverAt: string | null
  returnedAt: string | null
  version: number
  createdAt: string
  updatedAt: string
}
