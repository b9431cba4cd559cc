import { todayInUk } from '../../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Db } from '../../../db/connection.js'
import { nowIso } from '../../../db/dialect.js'
import type { Database } from '../../../db/schema.js'
import { actorLabel, type Actor } from '../../../platform/actor.js'
import { recordAudit } from '../../../platform/audit.js'
import { canEditFor, requireEditFor } from '../../../platform/authorisation.js'
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../../platform/errors.js'
import type { Page, PageRequest } from '../../../platform/pagination.js'
import type { Organisation, OrganisationService } from '../../organisations/service.js'
import type { CpvEntry } from '../cpv.js'
import { MAX_PENCE } from '../money.js'
import { availabilityFor, type AvailabilityPage } from './availability.js'
import { parseNeed, type Need, type NeedInput } from './need.js'
import * as searches from './searches.js'
import type { PurchaseSearch, UnmetDemand } from './searches.js'

export type { PurchaseSearch, UnmetDemand } from './searches.js'

export interface CheckResult {
  need: Need
  /** Other CPV codes the words match, to choose from. */
  alternatives: CpvEntry[]
  results: AvailabilityPage
  /** The body the search was made for; null for someone acting for no body. */
  body: Organisation | null
  /** The record of the search, when made for a body. */
  search: PurchaseSearch | null
}

/** "Check before you buy": finding assets other bodies can share, and the record of what officers looked for. */
export class PurchaseCheckService {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
  ) {}

  /** The bodies a person or token may search for: a user's memberships (by name), a token's own body. */
  async bodiesOf(actor: Actor): Promise<Organisation[]> {
    if (actor.kind === 'token') return this.organisations.findByIds([actor.organisationId])
    if (actor.kind !== 'user' || actor.memberships.length === 0) return []
    const bodies = await this.organisations.findByIds(actor.memberships.map((m) => m.organisationId))
    return bodies.sort((a, b) => a.name.localeCompare(b.name))
  }

  /** The body a search is made for: the one named (which must be the searcher's own), else their first. */
  async searchingBody(actor: Actor, slug?: string): Promise<Organisation | null> {
    const bodies = await this.bodiesOf(actor)
    if (!slug) return bodies[0] ?? null
    const body = bodies.find((b) => b.slug === slug)
    if (!body) throw new ValidationError([{ name: 'body', message: 'Choose one of the bodies you belong to' }])
    return body
  }

  /**
   * Finds the assets fitting a need and, when the searcher acts for a body, records the search
   * (once per body, need and day). Around the body's own place unless a point is given.
   */
  async check(actor: Actor, input: NeedInput, page: PageRequest, options: { body?: string } = {}): Promise<CheckResult> {
    const body = await this.searchingBody(actor, options.body)
    const bodyPlace = body && body.lat !== null && body.lon !== null ? { lat: body.lat, lon: body.lon } : null
    const today = todayInUk()
    const { need, alternatives } = parseNeed(input, { bodyPlace, today })
    const results = await availabilityFor(this.db).search(need, body?.id ?? null, page, today)
    const search = body ? await this.record(actor, body, need, results.total, today) : null
    return { need, alternatives, results, body, search }
  }

  private async record(actor: Actor, body: Organisation, need: Need, resultCount: number, today: string): Promise<PurchaseSearch> {
    const id = searches.searchIdFor(body.id, need, today)
    return this.db.kysely.transaction().execute(async (trx) => {
      const row: searches.PurchaseSearchRow = {
        id,
        organisation_id: body.id,
        user_id: actor.kind === 'user' ? actor.userId : null,
        actor_label: actorLabel(actor),
        cpv_code: need.cpvCodes[0] ?? null,
        words: need.words,
        asset_class: need.assetClass,
        lat: need.lat,
        lon: need.lon,
        radius_km: need.lat === null ? null : need.radiusKm,
        needed_from: need.from,
        kind: need.kind,
        result_count: resultCount,
        outcome: null,
        outcome_at: null,
        estimated_cost_pence: null,
        created_at: nowIso(),
      }
      if (await searches.insertSearch(trx, row)) {
        await recordAudit(trx, actor, { organisationId: body.id, action: 'purchase-search.create', entityType: 'purchase-search', entityId: id, after: row })
        return searches.toPurchaseSearch(row)
      }
      return searches.toPurchaseSearch((await searches.findSearch(trx, id))!)
    })
  }

  /** One search, for its own body's members (and platform administrators). */
  async find(actor: Actor, id: string): Promise<PurchaseSearch> {
    const row = await searches.findSearch(this.db.kysely, id)
    if (!row) throw new NotFoundError('There is no such search')
    if (!mayRead(actor, row.organisation_id)) throw forbidden(actor)
    return searches.toPurchaseSearch(row)
  }

  /**
   * Records that nothing fitted and the purchase goes ahead, with what it is expected to cost.
   * Only the searching body's own editors (or write tokens) may say so.
   */
  async recordPurchased(actor: Actor, id: string, input: { estimatedCostPence?: number | null }): Promise<PurchaseSearch> {
    const cost = input.estimatedCostPence ?? null
    return this.db.kysely.transaction().execute(async (trx) => {
      const before = await searches.findSearch(trx, id)
      if (!before) throw new NotFoundError('There is no such search')
      requireEditFor(actor, before.organisation_id)
      if (cost !== null && !(Number.isSafeInteger(cost) && cost >= 0 && cost <= MAX_PENCE)) {
        throw new ValidationError([{ name: 'estimatedCostPence', message: 'The estimated cost must be a whole number of pence from 0 to £10 billion' }])
      }
      const changes = { outcome: 'purchased', outcome_at: nowIso(), estimated_cost_pence: cost }
      await trx.updateTable('purchase_searches').set(changes).where('id', '=', id).execute()
      const after = { ...before, ...changes }
      await recordAudit(trx, actor, { organisationId: before.organisation_id, action: 'purchase-search.purchased', entityType: 'purchase-search', entityId: id, before, after })
      return searches.toPurchaseSearch(after)
    })
  }

  /**
   * Notes that a search led to a request for an asset (called by sharing, in the request's own
   * transaction). Only the searching body's own searches are marked.
   */
  async recordRequested(k: Kysely<Database>, searchId: string, organisationId: string): Promise<void> {
    await k
      .updateTable('purchase_searches')
      .set({ outcome: 'requested', outcome_at: nowIso() })
      .where('id', '=', searchId)
      .where('organisation_id', '=', organisationId)
      .execute()
  }

  /** A body's own searches, newest first: for its members only. */
  async searchesOf(actor: Actor, organisationId: string, page: PageRequest): Promise<Page<PurchaseSearch>> {
    if (!mayRead(actor, organisationId)) throw forbidden(actor)
    return searches.searchesOfBody(this.db.kysely, organisationId, page)
  }

  /** Where demand goes unmet: searches ending in a purchase by CPV code and region (every line without `page`). */
  async unmetDemand(page?: PageRequest): Promise<{ lines: Page<UnmetDemand>; total: { searches: number; bodies: number; estimatedSpendPence: number } }> {
    const [lines, total] = await Promise.all([searches.unmetDemand(this.db.kysely, page), searches.unmetDemandTotal(this.db.kysely)])
    return { lines, total }
  }
}

/** A body's searches are its own business: its members, its tokens and platform administrators. */
function mayRead(actor: Actor, organisationId: string): boolean {
  if (actor.kind === 'token') return actor.organisationId === organisationId
  return canEditFor(actor, organisationId)
}

function forbidden(actor: Actor): Error {
  return actor.kind === 'anonymous' ? new UnauthenticatedError() : new ForbiddenError('Only members of the body that searched can see its searches')
}
