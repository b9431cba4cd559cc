/*
 * The fixed lists an asset record is made from. Codes are what is stored and what the API
 * speaks; labels are what people read. `aliases` are other ways registers write the same thing
 * (compared with case, spaces and punctuation ignored), so imports understand them.
 */

export interface Term<C extends string = string> {
  code: C
  label: string
  aliases?: string[]
}

/** The CIPFA classes of a council's fixed-asset register (the Code of Practice on Local Authority Accounting). */
export const ASSET_CLASSES: Term[] = [
  { code: 'operational-land-buildings', label: 'Operational land and buildings', aliases: ['other land and buildings', 'land and buildings', 'olb'] },
  { code: 'council-dwellings', label: 'Council dwellings', aliases: ['dwellings', 'housing', 'hra dwellings'] },
  { code: 'vehicles-plant-equipment', label: 'Vehicles, plant, furniture and equipment', aliases: ['vehicles plant and equipment', 'vpfe', 'vpe', 'vehicles', 'plant', 'equipment', 'furniture'] },
  { code: 'infrastructure', label: 'Infrastructure', aliases: ['infrastructure assets'] },
  { code: 'community', label: 'Community assets', aliases: ['community'] },
  { code: 'heritage', label: 'Heritage assets', aliases: ['heritage'] },
  { code: 'investment-property', label: 'Investment property', aliases: ['investment properties', 'investment'] },
  { code: 'intangible', label: 'Intangible assets', aliases: ['intangible', 'software'] },
  { code: 'under-construction', label: 'Assets under construction', aliases: ['auc', 'under construction'] },
  { code: 'surplus', label: 'Surplus assets', aliases: ['surplus'] },
  { code: 'held-for-sale', label: 'Assets held for sale', aliases: ['held for sale', 'ahfs'] },
]

export type AssetStatus = 'in-use' | 'underused' | 'vacant' | 'surplus' | 'disposed'
export const ASSET_STATUSES: Term<AssetStatus>[] = [
  { code: 'in-use', label: 'In use', aliases: ['in use', 'occupied', 'operational', 'active'] },
  { code: 'underused', label: 'Underused', aliases: ['under used', 'under-utilised', 'underutilised', 'part occupied', 'partly vacant'] },
  { code: 'vacant', label: 'Vacant', aliases: ['empty', 'unoccupied'] },
  { code: 'surplus', label: 'Surplus', aliases: ['surplus to requirements'] },
  { code: 'disposed', label: 'Disposed of', aliases: ['disposed', 'sold'] },
]

/** The condition survey grades councils use (RICS/CIPFA): A good to D bad. */
export const CONDITIONS: Term[] = [
  { code: 'A', label: 'A – good', aliases: ['good'] },
  { code: 'B', label: 'B – satisfactory', aliases: ['satisfactory', 'fair'] },
  { code: 'C', label: 'C – poor', aliases: ['poor'] },
  { code: 'D', label: 'D – bad', aliases: ['bad', 'very poor'] },
]

export const DISPOSAL_METHODS: Term[] = [
  { code: 'sale', label: 'Sale on the open market', aliases: ['sold', 'open market sale', 'private treaty'] },
  { code: 'auction', label: 'Sale at auction' },
  { code: 'public-body-transfer', label: 'Transfer to another public body', aliases: ['transfer'] },
  { code: 'community-asset-transfer', label: 'Community asset transfer', aliases: ['cat'] },
  { code: 'demolition', label: 'Demolition', aliases: ['demolished'] },
  { code: 'scrapped', label: 'Scrapped or written off', aliases: ['scrap', 'written off', 'write off'] },
  { code: 'other', label: 'Other' },
]

/** Tenure as the Local Government Transparency Code has it. */
export const TENURES: Term[] = [
  { code: 'freehold', label: 'Freehold' },
  { code: 'leasehold', label: 'Leasehold' },
  { code: 'other', label: 'Other' },
]

/** The Transparency Code's holding type: land, buildings, or both. */
export const HOLDING_TYPES: Term[] = [
  { code: 'land', label: 'Land' },
  { code: 'buildings', label: 'Buildings', aliases: ['building'] },
  { code: 'land-and-buildings', label: 'Land and buildings', aliases: ['land/buildings', 'land & buildings', 'buildings and land', 'both'] },
]

export const DEPRECIATION_METHODS: Term[] = [
  { code: 'straight-line', label: 'Straight line (down to a floor)', aliases: ['straight line', 'sl', 'linear'] },
  { code: 'reducing-balance', label: 'Reducing balance', aliases: ['reducing balance', 'declining balance', 'rb'] },
  { code: 'none', label: 'None (not depreciated)', aliases: ['not depreciated', 'nil', 'n/a'] },
]

/** Energy ratings of Display Energy Certificates and Energy Performance Certificates. */
export const ENERGY_RATINGS = ['A+', 'A', 'B', 'C', 'D', 'E', 'F', 'G'] as const

export const COORDINATE_SYSTEMS: Term[] = [
  { code: 'EPSG:4326', label: 'WGS84 latitude and longitude', aliases: ['wgs84', 'wgs 84', '4326', 'epsg4326', 'latlong', 'latlon', 'gps', 'etrs89'] },
  { code: 'EPSG:27700', label: 'British National Grid easting and northing', aliases: ['bng', 'osgb', 'osgb36', 'osgb 1936', '27700', 'epsg27700', 'british national grid', 'national grid', 'osgb36 british national grid'] },
]

/** How precise an asset's point is. */
export const LOCATION_PRECISIONS: Term[] = [
  { code: 'exact', label: 'Exact: surveyed or mapped on the asset', aliases: ['surveyed', 'point'] },
  { code: 'address', label: 'Address: the point of its address or UPRN', aliases: ['uprn', 'address point'] },
  { code: 'postcode', label: 'Postcode: the centre of its postcode', aliases: ['postcode centroid'] },
  { code: 'approximate', label: 'Approximate: somewhere in the area', aliases: ['area', 'locality', 'estimated'] },
]

/**
 * Value bands for counting assets by value (the £1,000 rule's threshold is the first
 * boundary). Bounds are in pence, `min` inclusive and `max` exclusive.
 */
export const VALUE_BANDS: { code: string; label: string; min: number; max: number | null }[] = [
  { code: 'under-1k', label: 'Under £1,000', min: 0, max: 100_000 },
  { code: '1k-10k', label: '£1,000 to £9,999', min: 100_000, max: 1_000_000 },
  { code: '10k-100k', label: '£10,000 to £99,999', min: 1_000_000, max: 10_000_000 },
  { code: '100k-1m', label: '£100,000 to £999,999', min: 10_000_000, max: 100_000_000 },
  { code: '1m-10m', label: '£1 million to £9.9 million', min: 100_000_000, max: 1_000_000_000 },
  { code: '10m-plus', label: '£10 million or more', min: 1_000_000_000, max: null },
]

/** £1,000 in pence: assets worth this or more must carry a class and a CPV code. */
export const CATEGORISE_THRESHOLD_PENCE = 100_000

/** How a register's words are compared: case, spaces and punctuation do not matter. */
export function termKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9+]/g, '')
}

/** The term a register's words name, by code, label or alias. */
export function findTerm<C extends string>(terms: Term<C>[], text: string): Term<C> | undefined {
  const key = termKey(text)
  if (!key) return undefined
  return terms.find((t) => termKey(t.code) === key || termKey(t.label) === key || t.aliases?.some((a) => termKey(a) === key))
}

export function labelOf(terms: Term[], code: string | null | undefined): string | undefined {
  return code ? terms.find((t) => t.code === code)?.label : undefined
}

export function codesOf(terms: Term[]): string {
  return terms.map((t) => t.code).join(', ')
}
