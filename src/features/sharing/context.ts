import { todayInUk } from '../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { isPlatformAdmin } from '../../platform/authorisation.js'
import type { AssetService } from '../assets/service.js'
import type { PurchaseCheckService } from '../assets/check/service.js'
import type { OrganisationService } from '../organisations/service.js'
import type { OfferViewer } from './repository.js'
import { SharingRepository } from './repository.js'

/** What every part of the sharing service works with. */
export interface SharingContext {
  db: Db
  organisations: OrganisationService
  assets: AssetService
  purchaseChecks: PurchaseCheckService
  /** For the links in messages. */
  baseUrl: string
  /** Tests set the date; "today" and every timestamp come from here. */
  clock: () => Date
}

export function repoOf(context: SharingContext, k: Kysely<Database> = context.db.kysely): SharingRepository {
  return new SharingRepository(k)
}

export function todayOf(context: SharingContext): string {
  return todayInUk(context.clock())
}

export function nowOf(context: SharingContext): string {
  return context.clock().toISOString()
}

/** The bodies the actor acts for: a person's memberships, or a token's body. */
export function actingBodies(actor: Actor): string[] {
  if (actor.kind === 'user') return actor.memberships.map((m) => m.organisationId)
  if (actor.kind === 'token') return [actor.organisationId]
  return []
}

export function offerViewerOf(context: SharingContext, actor: Actor): OfferViewer {
  return { organisationIds: actingBodies(actor), seesAll: isPlatformAdmin(actor), today: todayOf(context) }
}

/** Ids as the pages and API give them: anything else cannot exist, so it is not looked up. */
export const ID_LIKE = /^[A-Za-z0-9-]{1,100}$/
