import type { Generated } from 'kysely'

/*
 * The asset register's tables and what sharing adds to it (offers, requests, the chain of
 * custody, "check before you buy" searches), in the same conventions as schema.ts.
 */

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
