import { sql, type Kysely, type SqlBool } from 'kysely'
import type { Engine } from '../connection.js'

/**
 * The sharing rules the database itself keeps, so two officers clicking at once cannot break
 * them: one open offer per asset, and one open request (asked for or approved) per asset and
 * requesting body. Both engines support partial unique indexes.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.createIndex('asset_offers_one_open').on('asset_offers').column('asset_id').unique().where(sql<SqlBool>`state = 'open'`).execute()
  await db.schema
    .createIndex('share_requests_one_open')
    .on('share_requests')
    .columns(['asset_id', 'requesting_organisation_id'])
    .unique()
    .where(sql<SqlBool>`state in ('requested', 'approved')`)
    .execute()
  await db.schema.createIndex('share_requests_offer').on('share_requests').columns(['offer_id', 'state']).execute()
}
