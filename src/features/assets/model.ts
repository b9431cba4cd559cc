import { todayInUk } from '../../platform/uk-date.js'
import type { Insertable, Selectable } from 'kysely'
import type { AssetTable } from '../../db/schema.js'
import { cpvLabel } from './cpv.js'
import { bookValue, registerValue, type DepreciationMethod } from './depreciation.js'
import type { AssetInput, AssetValues } from './validation.js'
import { ASSET_CLASSES, CATEGORISE_THRESHOLD_PENCE, labelOf, type AssetStatus } from './vocabularies.js'

export type AssetRow = Selectable<AssetTable>
export type NewAssetRow = Insertable<AssetTable>

/** An asset as services, pages and the API see it. */
export interface Asset {
  id: number
  organisationId: string
  assetCode: string
  uprn: string | null
  parentId: number | null
  name: string
  description: string | null
  assetClass: string | null
  assetClassLabel: string | null
  cpvCode: string | null
  cpvLabel: string | null
  acquisitionDate: string | null
  acquisitionCostPence: number | null
  currentValuePence: number | null
  valuationDate: string | null
  /** Current value, else acquisition cost. */
  valuePence: number | null
  /** Worked out today from the depreciation method. */
  bookValuePence: number | null
  depreciationMethod: DepreciationMethod | null
  usefulLifeYears: number | null
  depreciationRatePercent: number | null
  residualValuePence: number | null
  condition: string | null
  status: AssetStatus | null
  disposalDate: string | null
  disposalMethod: string | null
  disposalProceedsPence: number | null
  utilisationPercent: number | null
  utilisationMeasuredOn: string | null
  tenure: string | null
  tenureDetail: string | null
  tenureOtherDetail: string | null
  holdingType: string | null
  floorAreaM2: number | null
  landAreaHa: number | null
  energyRating: string | null
  custodianDepartment: string | null
  streetNumber: string | null
  streetName: string | null
  postTown: string | null
  postcode: string | null
  /** The address parts on one line. */
  address: string | null
  lat: number | null
  lon: number | null
  easting: number | null
  northing: number | null
  sourceCrs: string | null
  locationPrecision: string | null
  effectiveDate: string | null
  availableToShare: boolean
  /** The body holding it while it is out on loan; null while its owner holds it. */
  holderOrganisationId: string | null
  /** The £1,000 rule: worth £1,000 or more and not disposed of, so it must have a class and a CPV code. */
  mustBeCategorised: boolean
  /** Has both a class and a CPV code. */
  categorised: boolean
  /** Has a location. */
  mapped: boolean
  version: number
  createdAt: string
  updatedAt: string
}

export function toAsset(row: AssetRow, today = todayInUk()): Asset {
  const value = registerValue({ currentValuePence: row.current_value_pence, acquisitionCostPence: row.acquisition_cost_pence })
  const street = [row.street_number, row.street_name].filter(Boolean).join(' ')
  const address = [street, row.post_town, row.postcode].filter(Boolean).join(', ') || null
  return {
    id: Number(row.id),
    organisationId: row.organisation_id,
    assetCode: row.asset_code,
    uprn: row.uprn,
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    name: row.name,
    description: row.description,
    assetClass: row.asset_class,
    assetClassLabel: labelOf(ASSET_CLASSES, row.asset_class) ?? null,
    cpvCode: row.cpv_code,
    cpvLabel: cpvLabel(row.cpv_code) ?? null,
    acquisitionDate: row.acquisition_date,
    acquisitionCostPence: row.acquisition_cost_pence,
    currentValuePence: row.current_value_pence,
    valuationDate: row.valuation_date,
    valuePence: value,
    bookValuePence: bookValue(
      {
        method: row.depreciation_method as DepreciationMethod | null,
        acquisitionDate: row.acquisition_date,
        acquisitionCostPence: row.acquisition_cost_pence,
        currentValuePence: row.current_value_pence,
        valuationDate: row.valuation_date,
        usefulLifeYears: row.useful_life_years,
        ratePercent: row.depreciation_rate_percent,
        floorPence: row.residual_value_pence,
      },
      today,
    ),
    depreciationMethod: row.depreciation_method as DepreciationMethod | null,
    usefulLifeYears: row.useful_life_years,
    depreciationRatePercent: row.depreciation_rate_percent,
    residualValuePence: row.residual_value_pence,
    condition: row.condition_grade,
    status: row.status as AssetStatus | null,
    disposalDate: row.disposal_date,
    disposalMethod: row.disposal_method,
    disposalProceedsPence: row.disposal_proceeds_pence,
    utilisationPercent: row.utilisation_percent,
    utilisationMeasuredOn: row.utilisation_measured_on,
    tenure: row.tenure,
    tenureDetail: row.tenure_detail,
    tenureOtherDetail: row.tenure_other_detail,
    holdingType: row.holding_type,
    floorAreaM2: row.floor_area_m2,
    landAreaHa: row.land_area_ha,
    energyRating: row.energy_rating,
    custodianDepartment: row.custodian_department,
    streetNumber: row.street_number,
    streetName: row.street_name,
    postTown: row.post_town,
    postcode: row.postcode,
    address,
    lat: row.lat,
    lon: row.lon,
    easting: row.easting,
    northing: row.northing,
    sourceCrs: row.source_crs,
    locationPrecision: row.location_precision,
    effectiveDate: row.effective_date,
    availableToShare: row.available_to_share === 1,
    holderOrganisationId: row.holder_organisation_id ?? null,
    mustBeCategorised: row.status !== 'disposed' && value !== null && value >= CATEGORISE_THRESHOLD_PENCE,
    categorised: row.asset_class !== null && row.cpv_code !== null,
    mapped: row.lat !== null && row.lon !== null,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** The stored columns that follow from checked values (everything but identity, parent and bookkeeping). */
export type AssetColumns = Omit<AssetTable, 'id' | 'organisation_id' | 'parent_id' | 'holder_organisation_id' | 'version' | 'created_at' | 'updated_at'>

export function columnsOf(v: AssetValues): AssetColumns {
  const location = v.location
  return {
    asset_code: v.assetCode,
    uprn: v.uprn,
    name: v.name,
    description: v.description,
    asset_class: v.assetClass,
    cpv_code: v.cpvCode,
    cpv_division: v.cpvCode ? v.cpvCode.slice(0, 2) : null,
    acquisition_date: v.acquisitionDate,
    acquisition_cost_pence: v.acquisitionCostPence,
    current_value_pence: v.currentValuePence,
    valuation_date: v.valuationDate,
    value_pence: registerValue(v),
    depreciation_method: v.depreciationMethod,
    useful_life_years: v.usefulLifeYears,
    depreciation_rate_percent: v.depreciationRatePercent,
    residual_value_pence: v.residualValuePence,
    condition_grade: v.condition,
    status: v.status,
    disposal_date: v.disposalDate,
    disposal_method: v.disposalMethod,
    disposal_proceeds_pence: v.disposalProceedsPence,
    utilisation_percent: v.utilisationPercent,
    utilisation_measured_on: v.utilisationMeasuredOn,
    tenure: v.tenure,
    tenure_detail: v.tenureDetail,
    tenure_other_detail: v.tenureOtherDetail,
    holding_type: v.holdingType,
    floor_area_m2: v.floorAreaM2,
    land_area_ha: v.landAreaHa,
    energy_rating: v.energyRating,
    custodian_department: v.custodianDepartment,
    street_number: v.streetNumber,
    street_name: v.streetName,
    post_town: v.postTown,
    postcode: v.postcode,
    lat: location?.lat ?? null,
    lon: location?.lon ?? null,
    easting: location?.easting ?? null,
    northing: location?.northing ?? null,
    source_crs: location?.sourceCrs ?? null,
    location_precision: v.locationPrecision,
    effective_date: v.effectiveDate,
    available_to_share: v.availableToShare ? 1 : 0,
  }
}

/** Whether a stored row already has these columns (and parent): an import then leaves it alone. */
export function sameColumns(row: AssetRow, columns: AssetColumns, parentId: number | null): boolean {
  if ((row.parent_id === null ? null : Number(row.parent_id)) !== parentId) return false
  for (const key of Object.keys(columns) as (keyof AssetColumns)[]) {
    if (row[key] !== columns[key]) return false
  }
  return true
}

/**
 * A stored asset as input again, so a change of some fields (an API PATCH, a file with fewer
 * columns) is checked as a whole. The location is given as the pair it was given in.
 */
export function inputOf(row: AssetRow, parentAssetCode: string | null): AssetInput {
  const bng = row.source_crs === 'EPSG:27700'
  return {
    assetCode: row.asset_code,
    uprn: row.uprn,
    parentAssetCode,
    name: row.name,
    description: row.description,
    assetClass: row.asset_class,
    cpvCode: row.cpv_code,
    acquisitionDate: row.acquisition_date,
    acquisitionCostPence: row.acquisition_cost_pence,
    currentValuePence: row.current_value_pence,
    valuationDate: row.valuation_date,
    depreciationMethod: row.depreciation_method,
    usefulLifeYears: row.useful_life_years,
    depreciationRatePercent: row.depreciation_rate_percent,
    residualValuePence: row.residual_value_pence,
    condition: row.condition_grade,
    status: row.status,
    disposalDate: row.disposal_date,
    disposalMethod: row.disposal_method,
    disposalProceedsPence: row.disposal_proceeds_pence,
    utilisationPercent: row.utilisation_percent,
    utilisationMeasuredOn: row.utilisation_measured_on,
    tenure: row.tenure,
    tenureDetail: row.tenure_detail,
    tenureOtherDetail: row.tenure_other_detail,
    holdingType: row.holding_type,
    floorAreaM2: row.floor_area_m2,
    landAreaHa: row.land_area_ha,
    energyRating: row.energy_rating,
    custodianDepartment: row.custodian_department,
    streetNumber: row.street_number,
    streetName: row.street_name,
    postTown: row.post_town,
    postcode: row.postcode,
    ...(row.source_crs ? (bng ? { easting: row.easting, northing: row.northing } : { lat: row.lat, lon: row.lon }) : {}),
    sourceCrs: row.source_crs,
    locationPrecision: row.location_precision,
    effectiveDate: row.effective_date,
    availableToShare: row.available_to_share === 1,
  }
}

/** The fields of the location: a change to any replaces the whole location. */
export const LOCATION_FIELDS = ['lat', 'lon', 'easting', 'northing', 'sourceCrs'] as const
