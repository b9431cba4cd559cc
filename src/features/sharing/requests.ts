import { isUniqueViolation } from '../../db/dialect.js'
import { actorLabel, type Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { canEditFor, requireEditFor, requireUser } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { AppError, ConflictError, FieldErrors, ForbiddenError, NotFoundError } from '../../platform/errors.js'
import { formatDate } from '../../platform/views.js'
import type { Asset } from '../assets/model.js'
import { textOf } from '../assets/parse-values.js'
import type { Organisation } from '../organisations/service.js'
import { actingBodies, ID_LIKE, nowOf, repoOf, todayOf, type SharingContext } from './context.js'
import { dateField, moneyField, textField } from './input.js'
import type { OfferRow, ShareKind, ShareRequestRow } from './model.js'
import { offerVisibleTo } from './open-offers.js'
import { tell } from './workflow.js'

/** What a body's officer fills in to ask for an asset. */
export interface ShareRequestInput {
  /** The slug of the body asking; may be left out when the person or token acts for one body only. */
  organisation?: unknown
  kind?: unknown
  neededFrom?: unknown
  /** For a loan: the day it will be given back. */
  neededUntil?: unknown
  purpose?: unknown
  /** The purchase the share avoids: pence as a JSON integer, or pounds as text. Blank: the asset's acquisition cost, else its value. */
  avoidedCostPence?: unknown
  /** The "check before you buy" search the request came from. */
  search?: unknown
}

/** Assets in these states may be asked for without an offer: idle capital is the first source of supply. */
const REQUESTABLE_STATUSES = new Set(['underused', 'vacant', 'surplus'])

/** What the request form offers for an asset, or why it cannot be asked for. */
export interface RequestOptions {
  asset: Asset
  owner: Organisation
  /** The open offer, when the viewer's bodies may see it. */
  offer: OfferRow | null
  /** The bodies the viewer may ask for (their memberships). */
  bodies: Organisation[]
  kinds: ShareKind[]
  defaultAvoidedPence: number | null
}

function toOffer(row: OfferRow) {
  return { organisationId: row.organisation_id, openToAllOn: row.open_to_all_on } as Parameters<typeof offerVisibleTo>[0]
}

/**
 * Whether the asset can be asked for by these bodies, and on what terms: an open offer they can
 * see decides the kind; without one, an idle or flagged asset can be asked to borrow or take.
 */
function termsFor(asset: Asset, owner: Organisation, offer: OfferRow | undefined, organisationIds: string[], today: string): { offer: OfferRow | null; kinds: ShareKind[] } {
  if (asset.status === 'disposed') throw new ConflictError('This asset has been disposed of, so it cannot be asked for')
  if (offer) {
    if (offerVisibleTo(toOffer(offer), organisationIds, today)) return { offer, kinds: [offer.kind as ShareKind] }
    throw new ConflictError(`${owner.name} is offering this asset to its own departments first, until ${formatDate(offer.open_to_all_on)}`)
  }
  if (asset.availableToShare || REQUESTABLE_STATUSES.has(asset.status ?? '')) return { offer: null, kinds: ['loan', 'transfer'] }
  throw new ConflictError(`${owner.name} has not offered this asset, and it is recorded as in use`)
}

export async function requestOptions(context: SharingContext, actor: Actor, assetId: number): Promise<RequestOptions> {
  requireUser(actor)
  const { asset, owner } = await context.assets.get(assetId)
  const ids = actingBodies(actor).filter((id) => canEditFor(actor, id))
  if (ids.length === 0) throw new ForbiddenError('Only the editors and administrators of a public body can ask for an asset on its behalf')
  const bodies = (await context.organisations.findByIds(ids)).sort((a, b) => a.name.localeCompare(b.name))
  const { offer, kinds } = termsFor(asset, owner, await repoOf(context).findOpenOffer(asset.id), ids, todayOf(context))
  return { asset, owner, offer, bodies, kinds, defaultAvoidedPence: asset.acquisitionCostPence ?? asset.valuePence }
}

/** The body the request is made for: the one named, or the only one the actor acts for. */
async function requestingBody(context: SharingContext, actor: Actor, named: string, errors: FieldErrors): Promise<Organisation | undefined> {
  if (named) {
    try {
      return await context.organisations.getBySlug(named)
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error
      errors.add('organisation', 'Choose the body you are asking for')
      return undefined
    }
  }
  const ids = actingBodies(actor)
  if (ids.length === 1) return context.organisations.findById(ids[0]!)
  errors.add('organisation', 'Choose the body you are asking for')
  return undefined
}

/**
 * The "check before you buy" search the request came from, when it is the requesting body's own.
 * Any other id is dropped rather than refused: the request stands without it.
 */
async function ownSearch(context: SharingContext, actor: Actor, searchId: string, organisationId: string): Promise<string | null> {
  if (!searchId || !ID_LIKE.test(searchId)) return null
  const found = await context.purchaseChecks.find(actor, searchId).catch((error: unknown) => {
    if (error instanceof AppError) return undefined
    throw error
  })
  return found?.organisationId === organisationId ? found.id : null
}

export async function createRequest(context: SharingContext, actor: Actor, assetId: number, input: ShareRequestInput): Promise<ShareRequestRow> {
  if (actor.kind === 'anonymous') requireUser(actor)
  const { asset, owner, childCount } = await context.assets.get(assetId)
  const errors = new FieldErrors()
  const body = await requestingBody(context, actor, textOf(input.organisation), errors)
  if (!body) errors.throwIfAny()
  requireEditFor(actor, body!.id)
  const today = todayOf(context)
  const open = await repoOf(context).findOpenOffer(asset.id)
  const { offer, kinds } = termsFor(asset, owner, open, [body!.id], today)

  const asked = textOf(input.kind)
  const kind = (asked || (offer ? offer.kind : '')) as ShareKind
  if (!kinds.includes(kind)) {
    errors.add('kind', offer ? `This asset is offered for ${offer.kind} only` : 'Select whether you ask to borrow it (loan) or take it over (transfer)')
  }
  if (kind === 'transfer' && childCount > 0) errors.add('kind', 'This asset has parts recorded under it, so it can only be borrowed')
  const from = dateField(errors, 'neededFrom', 'Needed from', input.neededFrom, 'Enter the date you need it from')
  if (from && offer && from < offer.available_from) errors.add('neededFrom', `It is available from ${formatDate(offer.available_from)}`)
  const until = kind === 'loan' ? dateField(errors, 'neededUntil', 'Needed until', input.neededUntil, 'Enter the date you would give it back') : null
  if (from && until && until < from) errors.add('neededUntil', 'Needed until must be on or after the date you need it from')
  if (until && offer?.available_until && until > offer.available_until) errors.add('neededUntil', `It can be lent until ${formatDate(offer.available_until)} at the latest`)
  const purpose = textField(errors, 'purpose', 'What it is for', input.purpose, 2000, 'Say what you need it for')
  const given = moneyField(errors, 'avoidedCostPence', 'Estimated cost', input.avoidedCostPence)
  errors.throwIfAny()

  const search = await ownSearch(context, actor, textOf(input.search).slice(0, 100), body!.id)
  const now = nowOf(context)
  const row: ShareRequestRow = {
    id: newId(),
    asset_id: asset.id,
    offer_id: offer?.id ?? null,
    search_id: search,
    owner_organisation_id: asset.organisationId,
    requesting_organisation_id: body!.id,
    requested_by: actor.kind === 'user' ? actor.userId : null,
    requester_label: actorLabel(actor),
    kind,
    needed_from: from!,
    needed_until: until,
    purpose: purpose!,
    avoided_cost_pence: given ?? asset.acquisitionCostPence ?? asset.valuePence,
    state: 'requested',
    decline_reason: null,
    decided_by: null,
    decided_at: null,
    handed_over_at: null,
    returned_at: null,
    version: 1,
    created_at: now,
    updated_at: now,
  }
  try {
    await context.db.kysely.transaction().execute(async (trx) => {
      await repoOf(context, trx).insertRequest(row)
      if (search) await context.purchaseChecks.recordRequested(trx, search, body!.id)
      await recordAudit(trx, actor, { organisationId: row.owner_organisation_id, action: 'share-request.create', entityType: 'share-request', entityId: row.id, after: row })
      await tell(context, trx, 'requested', row)
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`${body!.name} has already asked for this asset: see its open request`)
    throw error
  }
  return row
}
