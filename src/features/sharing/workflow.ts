import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { actorLabel, type Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requireEditFor, requireUser } from '../../platform/authorisation.js'
import { ConflictError, FieldErrors, NotFoundError } from '../../platform/errors.js'
import { ID_LIKE, nowOf, repoOf, type SharingContext } from './context.js'
import { textField } from './input.js'
import { queueShareMessages, type ShareEvent } from './messages.js'
import { bodyRef } from './records.js'
import { stateOf, stepAllowed, STEPS, type ShareRequestRow, type ShareStep } from './model.js'

export interface StepInput {
  /** The version of the request the person read: a step on a changed request is refused. */
  version?: unknown
  /** Why, when declining. */
  reason?: unknown
}

const EVENT_OF: Record<ShareStep, ShareEvent> = { approve: 'approved', decline: 'declined', 'hand-over': 'handed-over', return: 'returned', withdraw: 'withdrawn' }

export function staleRequest(): ConflictError {
  return new ConflictError('Someone else changed this request after you opened it. Reload the page to see where it is now')
}

function versionOf(value: unknown): number {
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : 0
}

async function requireRequest(context: SharingContext, id: string, k?: Kysely<Database>): Promise<ShareRequestRow> {
  const row = ID_LIKE.test(id) ? await repoOf(context, k).findRequest(id) : undefined
  if (!row) throw new NotFoundError('There is no share request with that id')
  return row
}

/** Refuses anyone who may not take the step: the owner's editors decide, the requester's may withdraw. */
export function authoriseStep(actor: Actor, step: ShareStep, row: ShareRequestRow): void {
  if (actor.kind === 'anonymous') requireUser(actor)
  requireEditFor(actor, STEPS[step].side === 'owner' ? row.owner_organisation_id : row.requesting_organisation_id)
}

/**
 * One step of a request's workflow, with optimistic locking on the request's version. Handing
 * over moves the asset: a transfer or sale changes its owner (and closes its offer and every
 * other open request for it); a loan records the requesting body as its holder until returned.
 */
export async function takeStep(context: SharingContext, actor: Actor, id: string, step: ShareStep, input: StepInput): Promise<ShareRequestRow> {
  const found = await requireRequest(context, id)
  authoriseStep(actor, step, found)
  const expected = versionOf(input.version)
  if (found.version !== expected) throw staleRequest()
  if (!stepAllowed(step, found)) throw new ConflictError(`A request that is ${stateOf(found.state).label.toLowerCase()} cannot be ${STEPS[step].done}`)
  const errors = new FieldErrors()
  const reason = step === 'decline' ? textField(errors, 'reason', 'Reason', input.reason, 2000, 'Say why the request is declined') : null
  errors.throwIfAny()

  return context.db.kysely.transaction().execute(async (trx) => {
    const before = await requireRequest(context, id, trx)
    if (before.version !== expected) throw staleRequest()
    const now = nowOf(context)
    const changes: Partial<ShareRequestRow> = { state: STEPS[step].to, version: before.version + 1, updated_at: now }
    if (step === 'approve' || step === 'decline') Object.assign(changes, { decided_by: actorLabel(actor), decided_at: now })
    if (step === 'decline') changes.decline_reason = reason
    if (step === 'hand-over') changes.handed_over_at = now
    if (step === 'return') changes.returned_at = now
    if (!(await repoOf(context, trx).updateRequestIfVersion(id, expected, changes))) throw staleRequest()
    const after = { ...before, ...changes }
    if (step === 'hand-over') await handOver(context, trx, actor, after)
    if (step === 'return') await giveBack(context, trx, actor, after)
    await recordAudit(trx, actor, { organisationId: before.owner_organisation_id, action: `share-request.${step}`, entityType: 'share-request', entityId: id, before, after })
    await tell(context, trx, EVENT_OF[step], after)
    return after
  })
}

async function handOver(context: SharingContext, trx: Kysely<Database>, actor: Actor, request: ShareRequestRow): Promise<void> {
  const repo = repoOf(context, trx)
  const assetId = Number(request.asset_id)
  const asset = await context.assets.find(assetId, trx)
  if (asset.status === 'disposed') throw new ConflictError('This asset has been disposed of, so it cannot be handed over')
  if (asset.organisationId !== request.owner_organisation_id) throw new ConflictError('This asset has changed hands since the request was made')
  const within = request.requesting_organisation_id === request.owner_organisation_id
  const custody = { asset_id: assetId, from_organisation_id: request.owner_organisation_id, to_organisation_id: request.requesting_organisation_id, share_request_id: request.id, actor_label: actorLabel(actor), occurred_at: request.updated_at }
  if (request.kind === 'loan') {
    if (asset.holderOrganisationId) throw new ConflictError('This asset is already out on loan: record its return first')
    if (!within) await context.assets.setHolder(trx, actor, assetId, { expected: null, holder: request.requesting_organisation_id })
    await repo.insertCustody({ ...custody, event: 'loan' })
    return
  }
  // Only the borrower can take over an asset out on loan; its loan then ends with the transfer.
  if (asset.holderOrganisationId && asset.holderOrganisationId !== request.requesting_organisation_id) {
    throw new ConflictError('This asset is out on loan to another body: record its return before handing it over')
  }
  if (asset.holderOrganisationId) await endLoans(context, trx, actor, assetId, request.updated_at)
  // The offer closes and the flag comes down while the owner's editor still owns the asset.
  const offer = await repo.findOpenOffer(assetId)
  if (offer) {
    const closed = { state: 'closed', closed_at: request.updated_at, updated_at: request.updated_at }
    await repo.updateOpenOffer(offer.id, closed)
    await recordAudit(trx, actor, { organisationId: offer.organisation_id, action: 'asset-offer.close', entityType: 'asset-offer', entityId: offer.id, before: offer, after: { ...offer, ...closed } })
  }
  await context.assets.setAvailableToShare(trx, actor, assetId, false)
  if (!within) await context.assets.changeOwner(trx, actor, assetId, { from: request.owner_organisation_id, to: request.requesting_organisation_id })
  await repo.insertCustody({ ...custody, event: 'transfer' })
  const others = (await repo.openRequests({ assetId })).filter((r) => r.id !== request.id)
  const to = bodyRef(await context.organisations.findById(request.requesting_organisation_id, trx), request.requesting_organisation_id)
  await closeRequests(context, trx, actor, others, `The asset has been ${request.kind === 'sale' ? 'sold' : 'transferred'} to ${to.name}`)
}

/** Marks the loans of an asset still out as returned: the borrower has just become its owner. */
async function endLoans(context: SharingContext, trx: Kysely<Database>, actor: Actor, assetId: number, at: string): Promise<void> {
  const repo = repoOf(context, trx)
  for (const before of await repo.loansOut(assetId)) {
    const changes = { state: 'returned', returned_at: at, version: before.version + 1, updated_at: at }
    if (!(await repo.updateRequestIfVersion(before.id, before.version, changes))) throw staleRequest()
    await recordAudit(trx, actor, { organisationId: before.owner_organisation_id, action: 'share-request.return', entityType: 'share-request', entityId: before.id, before, after: { ...before, ...changes } })
  }
}

async function giveBack(context: SharingContext, trx: Kysely<Database>, actor: Actor, request: ShareRequestRow): Promise<void> {
  const assetId = Number(request.asset_id)
  if (request.requesting_organisation_id !== request.owner_organisation_id) {
    await context.assets.setHolder(trx, actor, assetId, { expected: request.requesting_organisation_id, holder: null })
  }
  await repoOf(context, trx).insertCustody({
    asset_id: assetId,
    event: 'return',
    from_organisation_id: request.requesting_organisation_id,
    to_organisation_id: request.owner_organisation_id,
    share_request_id: request.id,
    actor_label: actorLabel(actor),
    occurred_at: request.updated_at,
  })
}

/** Declines open requests that can no longer be met (the offer withdrawn, the asset gone), telling their requesters. */
export async function closeRequests(context: SharingContext, trx: Kysely<Database>, actor: Actor, rows: readonly ShareRequestRow[], reason: string): Promise<void> {
  const repo = repoOf(context, trx)
  for (const before of rows) {
    const now = nowOf(context)
    const changes = { state: 'declined', decline_reason: reason, decided_by: actorLabel(actor), decided_at: now, version: before.version + 1, updated_at: now }
    if (!(await repo.updateRequestIfVersion(before.id, before.version, changes))) throw staleRequest()
    const after = { ...before, ...changes }
    await recordAudit(trx, actor, { organisationId: before.owner_organisation_id, action: 'share-request.decline', entityType: 'share-request', entityId: before.id, before, after })
    await tell(context, trx, 'declined', after)
  }
}

/** Queues the messages about a request's change, naming the asset and both bodies. */
export async function tell(context: SharingContext, trx: Kysely<Database>, event: ShareEvent, request: ShareRequestRow): Promise<void> {
  const [asset, owner, requester] = await Promise.all([
    context.assets.find(Number(request.asset_id), trx),
    context.organisations.findById(request.owner_organisation_id, trx),
    context.organisations.findById(request.requesting_organisation_id, trx),
  ])
  await queueShareMessages(trx, event, {
    baseUrl: context.baseUrl,
    request,
    asset,
    owner: bodyRef(owner, request.owner_organisation_id),
    requester: bodyRef(requester, request.requesting_organisation_id),
  })
}
