import type { Kysely } from 'kysely'
import type { Engine } from '../connection.js'
import { autoIncrementId } from '../migrate.js'

/**
 * What the asset register is for: offers to share an asset, requests to borrow or take one, the
 * chain of custody as assets move between bodies, the record of "check before you buy" searches,
 * and the outbox of notifications to the people on both sides of a share.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  // Who has the asset now when it is out on loan; null while its owner holds it.
  await db.schema.alterTable('assets').addColumn('holder_organisation_id', 'text', (c) => c.references('organisations.id')).execute()

  await db.schema
    .createTable('asset_offers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'bigint', (c) => c.notNull().references('assets.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    /** `loan`, `transfer` or `sale`. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('price_pence', 'bigint')
    .addColumn('available_from', 'text', (c) => c.notNull())
    .addColumn('available_until', 'text')
    .addColumn('window_working_days', 'integer', (c) => c.notNull())
    // Until this day only the owner's own departments see the offer; from it, every public body.
    .addColumn('open_to_all_on', 'text', (c) => c.notNull())
    .addColumn('terms', 'text')
    /** `open`, `withdrawn`, or `closed` (the asset went to someone). */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute()
  await db.schema.createIndex('asset_offers_asset').on('asset_offers').columns(['asset_id', 'state']).execute()
  await db.schema.createIndex('asset_offers_organisation').on('asset_offers').columns(['organisation_id', 'state']).execute()
  await db.schema.createIndex('asset_offers_updated').on('asset_offers').column('updated_at').execute()

  await db.schema
    .createTable('purchase_searches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('cpv_code', 'text')
    .addColumn('words', 'text')
    .addColumn('asset_class', 'text')
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('radius_km', 'double precision')
    .addColumn('needed_from', 'text')
    /** `loan` or `transfer`. */
    .addColumn('kind', 'text')
    .addColumn('result_count', 'integer', (c) => c.notNull())
    /** Null until the officer says what happened: `requested` (an asset was asked for) or `purchased` (nothing fitted; the purchase goes ahead). */
    .addColumn('outcome', 'text')
    .addColumn('outcome_at', 'text')
    .addColumn('estimated_cost_pence', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('purchase_searches_organisation').on('purchase_searches').columns(['organisation_id', 'created_at']).execute()
  await db.schema.createIndex('purchase_searches_outcome').on('purchase_searches').columns(['outcome', 'cpv_code']).execute()

  await db.schema
    .createTable('share_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'bigint', (c) => c.notNull().references('assets.id'))
    .addColumn('offer_id', 'text', (c) => c.references('asset_offers.id'))
    .addColumn('search_id', 'text', (c) => c.references('purchase_searches.id'))
    // The owner when the request was made: it decides, even if the asset later moves on.
    .addColumn('owner_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('requesting_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('requested_by', 'text', (c) => c.references('users.id'))
    .addColumn('requester_label', 'text', (c) => c.notNull())
    /** `loan`, `transfer` or `sale`. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('needed_from', 'text', (c) => c.notNull())
    .addColumn('needed_until', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    // What the requesting body would otherwise have spent: the saving once the asset is handed over.
    .addColumn('avoided_cost_pence', 'bigint')
    /** `requested` → `approved` | `declined` (| `withdrawn`) → `handed-over` → `returned` (loans). */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decline_reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('handed_over_at', 'text')
    .addColumn('returned_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('share_requests_asset').on('share_requests').columns(['asset_id', 'state']).execute()
  await db.schema.createIndex('share_requests_owner').on('share_requests').columns(['owner_organisation_id', 'state']).execute()
  await db.schema.createIndex('share_requests_requester').on('share_requests').columns(['requesting_organisation_id', 'state']).execute()
  await db.schema.createIndex('share_requests_handed_over').on('share_requests').column('handed_over_at').execute()

  // Every move of an asset between bodies, in order: its chain of custody.
  await autoIncrementId(db.schema.createTable('asset_custody'), engine)
    .addColumn('asset_id', 'bigint', (c) => c.notNull().references('assets.id'))
    /** `transfer` (ownership moves), `loan` (the holder changes) or `return` (back to the owner). */
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('from_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('to_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('share_request_id', 'text', (c) => c.references('share_requests.id'))
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('asset_custody_asset').on('asset_custody').columns(['asset_id', 'id']).execute()

  await autoIncrementId(db.schema.createTable('notification_outbox'), engine)
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    /** What the message is about (`share-request:{id}`), so a reference can be shown and traced. */
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .execute()
  await db.schema.createIndex('notification_outbox_pending').on('notification_outbox').columns(['sent_at', 'next_attempt_at']).execute()
}
