import type { Generated } from 'kysely'
import type { AssetCustodyTable, AssetOfferTable, AssetTable, PurchaseSearchTable, ShareRequestTable } from './asset-tables.js'

export type { AssetCustodyTable, AssetOfferTable, AssetTable, PurchaseSearchTable, ShareRequestTable } from './asset-tables.js'

/**
 * Table shapes, shared by both engines. Timestamps are ISO 8601 UTC strings and flags are
 * 0/1 integers on both, so rows read back identically from SQLite and PostgreSQL.
 */
export interface Database {
  organisations: OrganisationTable
  users: UserTable
  memberships: MembershipTable
  api_tokens: ApiTokenTable
  sessions: SessionTable
  audit_log: AuditLogTable
  datasets: DatasetTable
  distributions: DistributionTable
  releases: ReleaseTable
  release_changes: ReleaseChangeTable
  audit_rounds: AuditRoundTable
  audit_signoffs: AuditSignoffTable
  data_requests: DataRequestTable
  request_supports: RequestSupportTable
  request_follows: RequestFollowTable
  request_comments: RequestCommentTable
  assets: AssetTable
  asset_offers: AssetOfferTable
  share_requests: ShareRequestTable
  asset_custody: AssetCustodyTable
  purchase_searches: PurchaseSearchTable
  notification_outbox: NotificationOutboxTable
}

export interface OrganisationTable {
  id: string
  slug: string
  name: string
  short_name: string
  identifier: string | null
  type: string
  nation: string | null
  region: string | null
  parent_id: string | null
  website: string | null
  lat: number | null
  lon: number | null
  /** `register` when seeded from the local-authority register, `admin` when added by hand. */
  source: string
  /** Lower-cased name, short name and identifier: what the register search matches. */
  search_text: string
  created_at: string
  updated_at: string
}

export interface UserTable {
  id: string
  email: string
  name: string
  password_hash: string
  is_platform_admin: number
  created_at: string
  updated_at: string
}

export interface MembershipTable {
  id: string
  user_id: string
  organisation_id: string
  role: 'editor' | 'admin'
  created_at: string
}

export interface ApiTokenTable {
  id: string
  organisation_id: string
  name: string
  scope: 'read' | 'write'
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  token_hash: string
  /** The first characters of the token, so people can tell their tokens apart. */
  token_prefix: string
  created_by: string | null
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface SessionTable {
  /** SHA-256 of the session id: a stolen database does not yield live sessions. */
  id_hash: string
  data: string
  expires_at: string
}

export interface AuditLogTable {
  id: Generated<number>
  occurred_at: string
  actor_user_id: string | null
  actor_token_id: string | null
  /** Who acted, as shown in histories ("Jo Bloggs", "token CI upload", "system"). */
  actor_label: string
  organisation_id: string | null
  action: string
  entity_type: string
  entity_id: string
  before_json: string | null
  after_json: string | null
  request_id: string | null
}

export interface DatasetTable {
  id: string
  organisation_id: string
  /** Stable URI under the platform's base URL, fixed when the dataset is declared. */
  identifier: string
  /** The body's own reference for the dataset, unique within the body. */
  reference: string | null
  title: string
  description: string
  /** JSON array of strings. */
  keywords: string
  /** JSON array of EU data-theme codes. */
  themes: string
  access_level: string
  access_reason: string | null
  access_explanation: string | null
  licence: string
  frequency: string
  temporal_start: string | null
  temporal_end: string | null
  spatial: string | null
  contact_name: string | null
  contact_email: string | null
  status: string
  withdrawn_reason: string | null
  /** The earliest date of a release still to come (kept by the service for search and sorting). */
  next_release_date: string | null
  /** Optimistic lock: bumped on every write, compared on edit. */
  version: number
  created_at: string
  updated_at: string
  published_at: string | null
  /** The dataset's row in SQLite's FTS5 index (unused on PostgreSQL). */
  search_rowid: number | null
}

export interface DistributionTable {
  id: string
  dataset_id: string
  title: string
  access_url: string | null
  download_url: string | null
  format: string | null
  media_type: string | null
  byte_size: number | null
  release_id: string | null
  created_at: string
}

export interface ReleaseTable {
  id: string
  dataset_id: string
  /** ISO date of the start of the period: the day, the 1st of the month or of the quarter. */
  planned_date: string
  precision: string
  first_planned_date: string
  first_precision: string
  state: string
  change_note: string | null
  released_at: string | null
  created_at: string
  updated_at: string
}

export interface ReleaseChangeTable {
  id: Generated<number>
  release_id: string
  changed_at: string
  actor_label: string
  from_date: string | null
  from_precision: string | null
  to_date: string | null
  to_precision: string | null
  from_state: string | null
  to_state: string | null
  note: string | null
}

export interface AuditRoundTable {
  id: string
  year: number
  title: string
  opened_at: string
  deadline: string
  closed_at: string | null
}

export interface AuditSignoffTable {
  id: string
  round_id: string
  organisation_id: string
  signed_off_by: string
  signed_off_by_name: string
  signed_off_at: string
  note: string | null
}

export interface DataRequestTable {
  id: string
  /** `new` (data not declared) or `early-release` (of a declared, unpublished dataset). */
  kind: string
  title: string
  description: string
  reason: string | null
  organisation_id: string | null
  dataset_id: string | null
  requester_id: string
  requester_name: string
  status: string
  decline_reason: string | null
  response: string | null
  release_id: string | null
  fulfilled_dataset_id: string | null
  due_date: string
  answered_at: string | null
  support_count: number
  created_at: string
  updated_at: string
}

export interface RequestSupportTable {
  request_id: string
  user_id: string
  created_at: string
}

export interface RequestFollowTable {
  request_id: string
  user_id: string
  created_at: string
}

export interface RequestCommentTable {
  id: string
  request_id: string
  user_id: string
  author_name: string
  body: string
  created_at: string
  hidden_at: string | null
  hidden_by: string | null
  hidden_reason: string | null
}

/** Messages waiting to be sent (or sent), so a failed send is retried and nothing is lost. */
export interface NotificationOutboxTable {
  id: Generated<number>
  recipient: string
  subject: string
  body: string
  reference: string
  created_at: string
  next_attempt_at: string
  attempts: number
  sent_at: string | null
  last_error: string | null
}
