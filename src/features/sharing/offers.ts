import { isUniqueViolation } from '../../db/dialect.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, FieldErrors, NotFoundError } from '../../platform/errors.js'
import { addWorkingDays } from '../../platform/working-days.js'
import { ID_LIKE, nowOf, repoOf, todayOf, type SharingContext } from './context.js'
import { dateField, moneyField, textField, workingDaysField } from './input.js'
import { SHARE_KINDS, type OfferRow, type ShareKind } from './model.js'
import { closeRequests } from './workflow.js'

/** What an owner fills in to offer an asset. */
export interface OfferInput {
  kind?: unknown
  /** For a sale: pence as a JSON integer, or pounds as text. */
  pricePence?: unknown
  availableFrom?: unknown
  /** For a loan, optional: the last day it can be lent until. */
  availableUntil?: unknown
  /** Working days during which only the owner's own body sees the offer; 20 when blank. */
  windowWorkingDays?: unknown
  terms?: unknown
}

export const DEFAULT_WINDOW_WORKING_DAYS = 20

function alreadyOffered(): ConflictError {
  return new ConflictError('This asset is already on offer: withdraw that offer before making another')
}

/**
 * An owner's editor offers an asset. Until the window's end only the owner's own people see it;
 * then every public body does. While it is open the asset is flagged available to share.
 */
export async function createOffer(context: SharingContext, actor: Actor, assetId: number, input: OfferInput): Promise<OfferRow> {
  const detail = await context.assets.get(assetId)
  const { asset } = detail
  requireEditFor(actor, asset.organisationId)
  const errors = new FieldErrors()
  const kind = SHARE_KINDS.find((k) => k.code === String(input.kind ?? '').trim())?.code
  if (!kind) errors.add('kind', 'Select whether you offer it for loan, transfer or sale')
  let price: number | null = null
  if (kind === 'sale') {
    price = moneyField(errors, 'pricePence', 'Price', input.pricePence)
    if (price === null && !errors.has('pricePence')) errors.add('pricePence', 'Enter the price, in pounds (offer it as a transfer if it is free)')
    else if (price === 0) errors.add('pricePence', 'Enter a price of more than £0, or offer it as a transfer')
  }
  const from = dateField(errors, 'availableFrom', 'Available from', input.availableFrom, 'Enter the date it is available from')
  const until = kind === 'loan' ? dateField(errors, 'availableUntil', 'Available until', input.availableUntil) : null
  if (from && until && until < from) errors.add('availableUntil', 'Available until must be on or after the date it is available from')
  const window = workingDaysField(errors, 'windowWorkingDays', input.windowWorkingDays, DEFAULT_WINDOW_WORKING_DAYS)
  const terms = textField(errors, 'terms', 'Terms', input.terms, 2000)
  if (asset.status === 'disposed') throw new ConflictError('This asset has been disposed of, so it cannot be offered')
  if ((kind === 'transfer' || kind === 'sale') && detail.childCount > 0) {
    errors.add('kind', `This asset has ${detail.childCount.toLocaleString('en-GB')} parts recorded under it, so it can only be lent: transfer or sell the parts one by one, or offer it for loan`)
  }
  errors.throwIfAny()

  const today = todayOf(context)
  const now = nowOf(context)
  const row: OfferRow = {
    id: newId(),
    asset_id: asset.id,
    organisation_id: asset.organisationId,
    kind: kind as ShareKind,
    price_pence: price,
    available_from: from!,
    available_until: until,
    window_working_days: window,
    open_to_all_on: addWorkingDays(today, window),
    terms,
    state: 'open',
    created_by: actor.kind === 'user' ? actor.userId : actor.kind === 'token' ? actor.tokenId : 'system',
    created_at: now,
    updated_at: now,
    closed_at: null,
  }
  try {
    await context.db.kysely.transaction().execute(async (trx) => {
      const repo = repoOf(context, trx)
      if (await repo.findOpenOffer(asset.id)) throw alreadyOffered()
      await repo.insertOffer(row)
      await context.assets.setAvailableToShare(trx, actor, asset.id, true)
      await recordAudit(trx, actor, { organisationId: row.organisation_id, action: 'asset-offer.create', entityType: 'asset-offer', entityId: row.id, after: row })
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyOffered()
    throw error
  }
  return row
}

/**
 * The owner takes an offer back. Requests made on it and not yet handed over are declined, and
 * the people who made them told.
 */
export async function withdrawOffer(context: SharingContext, actor: Actor, offerId: string): Promise<OfferRow> {
  const found = ID_LIKE.test(offerId) ? await repoOf(context).findOffer(offerId) : undefined
  if (!found) throw new NotFoundError('There is no offer with that id')
  requireEditFor(actor, found.organisation_id)
  return context.db.kysely.transaction().execute(async (trx) => {
    const repo = repoOf(context, trx)
    const now = nowOf(context)
    const changes = { state: 'withdrawn', closed_at: now, updated_at: now }
    if (!(await repo.updateOpenOffer(offerId, changes))) throw new ConflictError('This offer is no longer open')
    const after = { ...found, ...changes }
    await context.assets.setAvailableToShare(trx, actor, Number(found.asset_id), false)
    await recordAudit(trx, actor, { organisationId: found.organisation_id, action: 'asset-offer.withdraw', entityType: 'asset-offer', entityId: found.id, before: found, after })
    await closeRequests(context, trx, actor, await repo.openRequests({ offerId }), 'The owner withdrew the offer')
    return after
  })
}
