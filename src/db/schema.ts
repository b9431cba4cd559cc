import type { Generated } from 'kysely'

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

/** The register of public assets. Amounts are integer pence; areas m² (floor) and hectares (land). */
export interface AssetTable {
  id: Generated<number>
  organisation_id: string
  /** The body's own asset code (the Transparency Code's "unique asset identity"), unique within the body. */
  asset_code: string
  /** Text, so leading zeros survive; several assets can share one. */
  uprn: string | null
  parent_id: number | null
  name: string
  description: string | null
  asset_class: string | null
  /** CPV 2008, the eight digits without the check digit. */
  cpv_code: string | null
  /** The CPV code's first two digits, for counting by division. */
  cpv_division: string | null
  acquisition_date: string | null
  acquisition_cost_pence: number | null
  current_value_pence: number | null
  valuation_date: string | null
  /** Current value, else acquisition cost: what the £1,000 rule and value bands go by. */
  value_pence: number | null
  depreciation_method: string | null
  useful_life_years: number | null
  depreciation_rate_percent: number | null
  residual_value_pence: number | null
  condition_grade: string | null
  status: string | null
  disposal_date: string | null
  disposal_method: string | null
  disposal_proceeds_pence: number | null
  utilisation_percent: number | null
  utilisation_measured_on: string | null
  tenure: string | null
  tenure_detail: string | null
  tenure_other_detail: string | null
  holding_type: string | null
  floor_area_m2: number | null
  land_area_ha: number | null
  energy_rating: string | null
  custodian_department: string | null
  street_number: string | null
  street_name: string | null
  post_town: string | null
  postcode: string | null
  lat: number | null
  lon: number | null
  easting: number | null
  northing: number | null
  source_crs: string | null
  location_precision: string | null
  /** The date the register says its facts were true on (the Transparency Code's EffectiveDate). */
  effective_date: string | null
  available_to_share: number
  /** Who has the asset while it is out on loan; null while its owner holds it. */
  holder_organisation_id: string | null
  /** Optimistic lock: bumped on every write, compared on edit. */
  version: number
  created_at: string
  updated_at: string
}

/** An owner's offer of an asset: first to its own departments, then to every public body. */
export interface AssetOfferTable {
  id: string
  asset_id: number
  organisation_id: string
  /** `loan`, `transfer` or `sale`. */
  kind: string
  price_pence: number | null
  available_from: string
  available_until: string | null
  window_working_days: number
  /** Until this day only the owner's own departments see the offer. */
  open_to_all_on: string
  terms: string | null
  /** `open`, `withdrawn` or `closed`. */
  state: string
  created_by: string
  created_at: string
  updated_at: string
  closed_at: string | null
}

/** A body asking for another's asset: requested → approved | declined → handed over → returned (loans). */
export interface ShareRequestTable {
  id: string
  asset_id: number
  offer_id: string | null
  search_id: string | null
  owner_organisation_id: string
  requesting_organisation_id: string
  requested_by: string | null
  requester_label: string
  kind: string
  needed_from: string
  needed_until: string | null
  purpose: string
  /** The estimated cost of the purchase the share avoids, in pence. */
  avoided_cost_pence: number | null
  state: string
  decline_reason: string | null
  decided_by: string | null
  decided_at: string | null
  handed_over_at: string | null
  returned_at: string | null
  version: number
  created_at: string
  updated_at: string
}

/** One move of an asset between bodies. */
export interface AssetCustodyTable {
  id: Generated<number>
  asset_id: number
  /** `transfer`, `loan` or `return`. */
  event: string
  from_organisation_id: string
  to_organisation_id: string
  share_request_id: string | null
  actor_label: string
  occurred_at: string
}

/** One "check before you buy" search by an officer, and what came of it. */
export interface PurchaseSearchTable {
  id: string
  organisation_id: string
  user_id: string | null
  actor_label: string
  cpv_code: string | null
  words: string | null
  asset_class: string | null
  lat: number | null
  lon: number | null
  radius_km: number | null
  needed_from: string | null
  kind: string | null
  result_count: number
  /** `requested` or `purchased`; null until the officer says. */
  outcome: string | null
  outcome_at: string | null
  estimated_cost_pence: number | null
  created_at: string
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
