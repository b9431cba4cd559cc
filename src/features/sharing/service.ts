import type { Db } from '../../db/connection.js'
import type { Actor } from '../../platform/actor.js'
import { auditHistory } from '../../platform/audit.js'
import { canEditFor, isPlatformAdmin, requireUser, roleIn } from '../../platform/authorisation.js'
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import type { Asset } from '../assets/model.js'
import type { AssetService } from '../assets/service.js'
import type { PurchaseCheckService } from '../assets/check/service.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { actingBodies, ID_LIKE, offerViewerOf, repoOf, type SharingContext } from './context.js'
import { createOffer, withdrawOffer, type OfferInput } from './offers.js'
import { openOffersFor } from './open-offers.js'
import { bodyRef, offerRecords, requestRecords } from './records.js'
import { createRequest, requestOptions, type RequestOptions, type ShareRequestInput } from './requests.js'
import { computeSavings, type Savings } from './savings.js'
import { SHARE_KINDS, SHARE_STEPS, stepAllowed, STEPS, type BodyRef, type Offer, type ShareRequest, type ShareRequestRow, type ShareStep } from './model.js'
import { offerView, type OfferView } from './views.js'
import { takeStep, type StepInput } from './workflow.js'

export interface TimelineEvent {
  at: string
  actor: string
  text: string
}

export interface CustodyEvent {
  event: string
  text: string
  from: BodyRef
  to: BodyRef
  at: string
  actor: string
  /** The request it happened under, when the viewer may see it. */
  requestId: string | null
}

/** What the asset page shows about sharing the asset, for the person looking. */
export interface AssetSharing {
  holder: BodyRef | null
  /** The open offer, when the viewer may see it, with its terms written out for the page. */
  offer: OfferView | null
  /** The viewer may offer the asset, or withdraw its offer. */
  canManage: boolean
  canOffer: boolean
  /** The asset can be asked for by someone (an offer open to all, or idle capital). */
  requestable: boolean
  /** The viewer acts for a body and may ask for it. */
  canRequest: boolean
  custody: CustodyEvent[]
  /** Requests for the asset the viewer may see. */
  requests: ShareRequest[]
}

const CUSTODY_TEXT: Record<string, string> = { transfer: 'Ownership transferred', loan: 'Lent', return: 'Returned from loan' }
const ACTION_TEXT: Record<string, string> = {
  'share-request.create': 'Asked for the asset',
  'share-request.approve': 'Approved',
  'share-request.decline': 'Declined',
  'share-request.hand-over': 'Recorded the hand-over',
  'share-request.return': 'Recorded its return',
  'share-request.withdraw': 'Withdrew the request',
}

/**
 * Sharing assets between public bodies: offers, requests and their workflow, the chain of
 * custody, the notifications to both sides, and the savings. Every write is authorised here,
 * whichever route (page, API, seed) it came through.
 */
export class SharingService {
  private readonly context: SharingContext

  constructor(
    readonly db: Db,
    readonly organisations: OrganisationService,
    readonly assets: AssetService,
    readonly purchaseChecks: PurchaseCheckService,
    options: { baseUrl?: string; clock?: () => Date } = {},
  ) {
    this.context = { db, organisations, assets, purchaseChecks, baseUrl: options.baseUrl ?? 'http://localhost:3000', clock: options.clock ?? (() => new Date()) }
  }

  // ---- offers ----

  /** Open offers the actor may see: their own bodies' at once, everyone's once the window has passed. */
  async listOffers(actor: Actor, filters: { kind?: string; body?: string }, page: PageRequest): Promise<Page<Offer>> {
    const kind = SHARE_KINDS.some((k) => k.code === filters.kind) ? filters.kind : undefined
    let organisationId: string | undefined
    if (filters.body) {
      organisationId = (await this.organisations.getBySlug(filters.body).catch(() => undefined))?.id
      if (!organisationId) return { items: [], total: 0, ...page }
    }
    const rows = await repoOf(this.context).listVisibleOffers(offerViewerOf(this.context, actor), { kind, organisationId }, page)
    return { ...rows, items: await offerRecords(this.context, rows.items) }
  }

  /** The bodies whose offers the actor may see, for the filter. */
  async offerBodies(actor: Actor): Promise<BodyRef[]> {
    const ids = await repoOf(this.context).bodiesWithVisibleOffers(offerViewerOf(this.context, actor))
    return (await this.organisations.findByIds(ids)).map((o) => bodyRef(o, o.id)).sort((a, b) => a.name.localeCompare(b.name))
  }

  async offer(actor: Actor, assetId: number, input: OfferInput): Promise<Offer> {
    const row = await createOffer(this.context, actor, assetId, input)
    openOffersFor(this.context.db).changed()
    return (await offerRecords(this.context, [row]))[0]!
  }

  async withdrawOffer(actor: Actor, offerId: string): Promise<Offer> {
    const row = await withdrawOffer(this.context, actor, offerId)
    openOffersFor(this.context.db).changed()
    return (await offerRecords(this.context, [row]))[0]!
  }

  // ---- requests ----

  /** What the request form offers the actor for the asset; refused when they cannot ask for it. */
  async requestOptions(actor: Actor, assetId: number): Promise<Omit<RequestOptions, 'offer'> & { offer: Offer | null }> {
    const options = await requestOptions(this.context, actor, assetId)
    return { ...options, offer: options.offer ? (await offerRecords(this.context, [options.offer]))[0]! : null }
  }

  async request(actor: Actor, assetId: number, input: ShareRequestInput): Promise<ShareRequest> {
    return this.record(await createRequest(this.context, actor, assetId, input))
  }

  /** A request, for the people on either side (and platform administrators). */
  async getRequest(actor: Actor, id: string): Promise<ShareRequest> {
    const row = ID_LIKE.test(id) ? await repoOf(this.context).findRequest(id) : undefined
    if (!row) throw new NotFoundError('There is no share request with that id')
    if (!this.canSee(actor, row)) {
      if (actor.kind === 'anonymous') throw new UnauthenticatedError('Sign in to see this request')
      throw new ForbiddenError('Only the two bodies sharing the asset can see this request')
    }
    return this.record(row)
  }

  async step(actor: Actor, id: string, step: ShareStep, input: StepInput): Promise<ShareRequest> {
    const row = await takeStep(this.context, actor, id, step, input)
    // Handing an asset over for good closes its offer.
    if (step === 'hand-over') openOffersFor(this.context.db).changed()
    return this.record(row)
  }

  /** The steps the actor may take on the request now. */
  stepsFor(actor: Actor, request: ShareRequest): ShareStep[] {
    if (actor.kind === 'anonymous') return []
    return SHARE_STEPS.filter((step) => stepAllowed(step, request) && canEditFor(actor, STEPS[step].side === 'owner' ? request.owner.id : request.requester.id))
  }

  /** What happened to the request, oldest first, from the audit log. */
  async timeline(request: ShareRequest): Promise<TimelineEvent[]> {
    const page = await auditHistory(this.db.kysely, 'share-request', request.id, { page: 1, pageSize: 100 })
    return page.items.reverse().map((e) => {
      const after = e.after as { decline_reason?: string | null } | null
      const reason = e.action === 'share-request.decline' && after?.decline_reason ? `: ${after.decline_reason}` : ''
      return { at: e.occurredAt, actor: e.actor, text: `${ACTION_TEXT[e.action] ?? e.action}${reason}` }
    })
  }

  // ---- pages ----

  async assetSharing(actor: Actor, asset: Asset): Promise<AssetSharing> {
    const repo = repoOf(this.context)
    const [openOffer, custodyRows, requestRows, holder] = await Promise.all([
      repo.findOpenOffer(asset.id),
      repo.custodyOf(asset.id),
      repo.requestsForAsset(asset.id, 50),
      asset.holderOrganisationId ? this.organisations.findById(asset.holderOrganisationId) : Promise.resolve(undefined),
    ])
    const viewer = offerViewerOf(this.context, actor)
    const offerSeen = openOffer && (viewer.seesAll || viewer.today >= openOffer.open_to_all_on || viewer.organisationIds.includes(openOffer.organisation_id)) ? openOffer : undefined
    const canManage = actor.kind !== 'anonymous' && canEditFor(actor, asset.organisationId)
    const idle = asset.availableToShare || ['underused', 'vacant', 'surplus'].includes(asset.status ?? '')
    const live = asset.status !== 'disposed'
    const requestable = live && (offerSeen ? true : !openOffer && idle)
    const bodies = await this.organisations.findByIds([...new Set(custodyRows.flatMap((c) => [c.from_organisation_id, c.to_organisation_id]))])
    const byId = new Map(bodies.map((o) => [o.id, o]))
    const visibleRequests = requestRows.filter((r) => this.canSee(actor, r))
    return {
      holder: asset.holderOrganisationId ? bodyRef(holder, asset.holderOrganisationId) : null,
      offer: offerSeen ? offerView((await offerRecords(this.context, [offerSeen]))[0]!) : null,
      canManage,
      canOffer: canManage && live && !openOffer,
      requestable,
      canRequest: requestable && actor.kind === 'user' && actingBodies(actor).length > 0,
      custody: custodyRows.map((c) => ({
        event: c.event,
        text: CUSTODY_TEXT[c.event] ?? c.event,
        from: bodyRef(byId.get(c.from_organisation_id), c.from_organisation_id),
        to: bodyRef(byId.get(c.to_organisation_id), c.to_organisation_id),
        at: c.occurred_at,
        actor: c.actor_label,
        requestId: c.share_request_id && visibleRequests.some((r) => r.id === c.share_request_id) ? c.share_request_id : null,
      })),
      requests: await requestRecords(this.context, visibleRequests),
    }
  }

  /** A body's sharing: requests to decide, requests it made, and its offers. For its members and platform administrators. */
  async forOrganisation(actor: Actor, slug: string): Promise<{ organisation: Organisation; incoming: ShareRequest[]; outgoing: ShareRequest[]; offers: Offer[]; canDecide: boolean }> {
    requireUser(actor)
    const organisation = await this.organisations.getBySlug(slug)
    if (!isPlatformAdmin(actor) && !roleIn(actor, organisation.id)) throw new ForbiddenError('Only the members of this body can see its sharing')
    const repo = repoOf(this.context)
    const [incoming, outgoing, offers] = await Promise.all([repo.requestsOf('owner', organisation.id, 200), repo.requestsOf('requester', organisation.id, 200), repo.offersOf(organisation.id, 200)])
    return {
      organisation,
      incoming: await requestRecords(this.context, incoming),
      outgoing: await requestRecords(this.context, outgoing),
      offers: await offerRecords(this.context, offers),
      canDecide: canEditFor(actor, organisation.id),
    }
  }

  savings(): Promise<Savings> {
    return computeSavings(this.context)
  }

  // ---- internals ----

  private canSee(actor: Actor, row: ShareRequestRow): boolean {
    if (isPlatformAdmin(actor)) return true
    const mine = actingBodies(actor)
    return mine.includes(row.owner_organisation_id) || mine.includes(row.requesting_organisation_id)
  }

  private async record(row: ShareRequestRow): Promise<ShareRequest> {
    return (await requestRecords(this.context, [row]))[0]!
  }
}
