import type { ImportProblem } from '../../platform/import-report.js'
import type { AssetField } from './validation.js'

/*
 * The columns an asset register can have. Registers name them differently from year to year
 * and body to body, so each field is recognised by the platform template's name, the Local
 * Government Transparency Code's name, and the other names seen in published registers
 * (compared with case, spaces and punctuation ignored).
 */

export type ImportFormat = 'transparency-code' | 'generic'

/** A field of the file: an asset field, or the coordinate columns whose system is told by range. */
export type ImportField = Exclude<AssetField, 'sourceCrs'> | 'geoX' | 'geoY' | 'crs' | 'ignored'

export interface ColumnSpec {
  field: ImportField
  /** The platform template's heading. */
  template?: string
  /** The Transparency Code's heading. */
  code?: string
  synonyms?: string[]
  guide: string
}

export const COLUMN_SPECS: ColumnSpec[] = [
  { field: 'assetCode', template: 'asset_code', code: 'AssetCode', synonyms: ['UniqueAssetIdentity', 'UniqueAssetID', 'AssetID', 'AssetRef', 'AssetReference', 'AssetNumber', 'AssetNo', 'PropertyReference', 'PropertyRef', 'PropertyCode'], guide: 'Required. The body’s own unique reference for the asset. Importing again matches assets by it.' },
  { field: 'name', template: 'name', code: 'PropertyName', synonyms: ['AssetName', 'SiteName', 'BuildingName', 'PropertyTitle', 'Title'], guide: 'Required. What the asset is called, like Altrincham Town Hall.' },
  { field: 'description', template: 'description', synonyms: ['AssetDescription', 'PropertyDescription'], guide: 'What the asset is and what it is used for.' },
  { field: 'uprn', template: 'uprn', code: 'UPRN', synonyms: ['UniquePropertyReferenceNumber'], guide: 'Up to 12 digits. Format the column as text so a spreadsheet keeps every digit. Several assets can share one.' },
  { field: 'parentAssetCode', template: 'parent_asset_code', synonyms: ['ParentCode', 'ParentAsset', 'ParentAssetReference', 'ParentAssetID'], guide: 'The asset code of the site or building this is part of. List the parent on an earlier line than its parts.' },
  { field: 'assetClass', template: 'asset_class', synonyms: ['Class', 'CIPFAClass', 'AssetCategory', 'Category', 'AssetType'], guide: 'The CIPFA class, like Operational land and buildings. Needed for every asset worth £1,000 or more.' },
  { field: 'cpvCode', template: 'cpv_code', synonyms: ['CPV', 'CPV2008', 'CPVCode2008'], guide: 'The CPV 2008 code, like 30200000 or 30200000-1. Needed for every asset worth £1,000 or more.' },
  { field: 'acquisitionDate', template: 'acquisition_date', synonyms: ['DateAcquired', 'DateOfAcquisition', 'PurchaseDate', 'AcquiredOn'], guide: 'Like 2019-04-01 or 01/04/2019.' },
  { field: 'acquisitionCostPence', template: 'acquisition_cost', synonyms: ['Cost', 'PurchasePrice', 'HistoricCost', 'HistoricalCost', 'OriginalCost'], guide: 'In pounds, like 1250, 1,250.00 or £1250.' },
  { field: 'currentValuePence', template: 'current_value', synonyms: ['Value', 'Valuation', 'CurrentValuation', 'AssetValue', 'CarryingValue', 'ValuationAmount'], guide: 'In pounds, like 250000 or £250,000.' },
  { field: 'valuationDate', template: 'valuation_date', synonyms: ['DateOfValuation', 'ValuedOn', 'LastValuationDate'], guide: 'When it was last valued.' },
  { field: 'depreciationMethod', template: 'depreciation_method', synonyms: ['Depreciation'], guide: 'straight-line, reducing-balance or none.' },
  { field: 'usefulLifeYears', template: 'useful_life_years', synonyms: ['UsefulLife', 'EconomicLife', 'Life', 'AssetLife'], guide: 'In years. Needed for straight-line depreciation.' },
  { field: 'depreciationRatePercent', template: 'depreciation_rate_percent', synonyms: ['DepreciationRate'], guide: 'The yearly percentage, like 25. Needed for reducing balance.' },
  { field: 'residualValuePence', template: 'residual_value', synonyms: ['ResidualValue', 'ScrapValue', 'DepreciationFloor'], guide: 'In pounds: the value depreciation stops at.' },
  { field: 'condition', template: 'condition', synonyms: ['ConditionGrade', 'ConditionRating', 'ConditionCategory'], guide: 'A (good), B (satisfactory), C (poor) or D (bad).' },
  { field: 'status', template: 'status', synonyms: ['AssetStatus', 'OccupancyStatus'], guide: 'in use, underused, vacant, surplus or disposed.' },
  { field: 'disposalDate', template: 'disposal_date', synonyms: ['DateDisposed', 'DateOfDisposal'], guide: 'For a disposed asset.' },
  { field: 'disposalMethod', template: 'disposal_method', synonyms: ['MethodOfDisposal'], guide: 'For a disposed asset: sale, auction, public-body-transfer, community-asset-transfer, demolition, scrapped or other.' },
  { field: 'disposalProceedsPence', template: 'disposal_proceeds', synonyms: ['DisposalProceeds', 'SaleProceeds', 'Proceeds', 'SalePrice'], guide: 'In pounds, for a disposed asset.' },
  { field: 'utilisationPercent', template: 'utilisation_percent', synonyms: ['Utilisation', 'Utilization', 'UtilisationPercentage', 'OccupancyRate', 'Occupancy'], guide: 'How much of the asset is used, like 60 for 60%.' },
  { field: 'utilisationMeasuredOn', template: 'utilisation_measured_on', synonyms: ['UtilisationDate', 'UtilisationMeasured', 'OccupancyDate'], guide: 'When utilisation was measured.' },
  { field: 'tenure', template: 'tenure', code: 'TenureType', synonyms: ['Tenure'], guide: 'Freehold, Leasehold or Other.' },
  { field: 'tenureDetail', template: 'tenure_detail', code: 'TenureDetail', synonyms: ['TenureDetails'], guide: 'Like Owner Occupied, Leasehold Out, Vacant, Licence.' },
  { field: 'tenureOtherDetail', template: 'tenure_other_detail', code: 'OtherDetail', synonyms: ['OtherDetails', 'OtherTenureDetail'], guide: 'What an Other tenure is.' },
  { field: 'holdingType', template: 'holding_type', code: 'HoldingType', synonyms: ['Holding'], guide: 'Land, Buildings or Land/Buildings.' },
  { field: 'floorAreaM2', template: 'floor_area_m2', code: 'BuildingSize', synonyms: ['GIA', 'GrossInternalArea', 'FloorArea', 'FloorAreaSqm', 'BuildingSizeSqm', 'GIAm2'], guide: 'Gross internal area in square metres.' },
  { field: 'landAreaHa', template: 'land_area_ha', code: 'LandArea', synonyms: ['LandAreaHectares', 'LandAreaHa', 'SiteArea', 'SiteAreaHa', 'SiteAreaHectares'], guide: 'In hectares.' },
  { field: 'energyRating', template: 'energy_rating', code: 'EnergyRating', synonyms: ['DECRating', 'EPCRating', 'DEC', 'EPC', 'EnergyPerformanceRating'], guide: 'The Display Energy Certificate or EPC letter, A+ to G.' },
  { field: 'custodianDepartment', template: 'custodian_department', synonyms: ['Custodian', 'Department', 'ServiceArea', 'Directorate', 'ResponsibleDepartment'], guide: 'The department that looks after it.' },
  { field: 'streetNumber', template: 'street_number', code: 'StreetNumber', synonyms: ['BuildingNumber', 'HouseNumber', 'Number', 'PAON'], guide: 'The building’s number or name.' },
  { field: 'streetName', template: 'street_name', code: 'StreetName', synonyms: ['Street', 'Road', 'AddressLine1', 'Address1', 'Address'], guide: 'The street.' },
  { field: 'postTown', template: 'post_town', code: 'PostTown', synonyms: ['Town', 'City', 'Locality'], guide: 'The town.' },
  { field: 'postcode', template: 'postcode', code: 'PostCode', synonyms: ['PostalCode', 'Postcode'], guide: 'Like M32 0TH, or its first part (M32) for land without one.' },
  { field: 'geoX', code: 'GeoX', synonyms: ['X', 'XCoordinate', 'CoordinateX'], guide: 'Longitude or easting: which is told from the coordinate system column or, without one, from the number.' },
  { field: 'geoY', code: 'GeoY', synonyms: ['Y', 'YCoordinate', 'CoordinateY'], guide: 'Latitude or northing, as GeoX.' },
  { field: 'crs', template: 'coordinate_system', code: 'CoordinateReferenceSystem', synonyms: ['CRS', 'CoordinateSystem', 'SRS', 'Projection', 'SpatialReferenceSystem'], guide: 'WGS84 (EPSG:4326) or British National Grid (EPSG:27700). Optional: the numbers tell them apart.' },
  { field: 'lat', template: 'latitude', synonyms: ['Lat'], guide: 'WGS84 latitude, like 53.3879587.' },
  { field: 'lon', template: 'longitude', synonyms: ['Long', 'Lon', 'Lng'], guide: 'WGS84 longitude, like -2.3520922.' },
  { field: 'easting', template: 'easting', synonyms: ['Eastings', 'GridEasting'], guide: 'British National Grid easting in metres, like 376680.' },
  { field: 'northing', template: 'northing', synonyms: ['Northings', 'GridNorthing'], guide: 'British National Grid northing in metres, like 387960.' },
  { field: 'locationPrecision', template: 'location_precision', synonyms: ['Precision', 'LocationAccuracy'], guide: 'exact, address, postcode or approximate.' },
  { field: 'effectiveDate', template: 'effective_date', code: 'EffectiveDate', synonyms: ['AsAtDate', 'DateEffective'], guide: 'The date the row’s facts were true on.' },
  { field: 'availableToShare', template: 'available_to_share', synonyms: ['Shareable', 'AvailableForSharing'], guide: 'yes if other public bodies may borrow or share it.' },
  // About the body, which the import is already for.
  { field: 'ignored', code: 'OrganisationLabel', synonyms: ['OrganisationURI', 'Organisation', 'OrganisationName', 'Council'], guide: '' },
]

/** Headings compared with case, spaces and punctuation ignored. */
export function headingKey(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9]/g, '')
}

const BY_KEY = new Map<string, ColumnSpec>()
for (const spec of COLUMN_SPECS) {
  for (const name of [spec.template, spec.code, ...(spec.synonyms ?? [])]) if (name) BY_KEY.set(headingKey(name), spec)
}

/** Headings only the Transparency Code uses: two of them and the file is read as a Code register. */
const CODE_ONLY = new Set(['geox', 'geoy', 'propertyname', 'tenuretype', 'organisationlabel', 'organisationuri', 'buildingsize', 'coordinatereferencesystem'])

export interface Header {
  line: number
  format: ImportFormat
  /** For each field, the columns holding it (more than one when a heading is repeated). */
  columns: Map<ImportField, number[]>
  /** The file's own heading for each field, for naming columns in problems. */
  names: Map<ImportField, string>
  width: number
}

export function readHeader(cells: string[], line: number, format: ImportFormat | undefined, warnings: ImportProblem[], rejected: ImportProblem[]): Header | undefined {
  const columns = new Map<ImportField, number[]>()
  const names = new Map<ImportField, string>()
  let codeHeadings = 0
  cells.forEach((cell, index) => {
    const heading = cell.trim()
    const key = headingKey(heading)
    if (!key) return
    if (CODE_ONLY.has(key)) codeHeadings++
    const spec = BY_KEY.get(key)
    if (!spec) {
      warnings.push({ line, column: heading, reason: 'This column is not one the register knows, so it was ignored' })
      return
    }
    const seen = columns.get(spec.field)
    if (seen && spec.field !== 'ignored') {
      warnings.push({ line, column: heading, reason: `This is another ${names.get(spec.field)} column: a row’s first value is used, and a row whose values differ is rejected` })
    }
    columns.set(spec.field, [...(seen ?? []), index])
    if (!names.has(spec.field)) names.set(spec.field, heading)
  })
  const detected: ImportFormat = format ?? (codeHeadings >= 2 ? 'transparency-code' : 'generic')
  const required: ImportField[] = ['assetCode', 'name']
  const missing = required.filter((field) => !columns.has(field))
  for (const field of missing) {
    const spec = COLUMN_SPECS.find((s) => s.field === field)!
    const heading = detected === 'transparency-code' ? spec.code! : spec.template!
    rejected.push({ line, column: heading, reason: `The file has no ${heading} column: ${detected === 'transparency-code' ? 'a Transparency Code register names each asset with AssetCode and PropertyName' : 'start from the template'}` })
  }
  if (missing.length > 0) return undefined
  return { line, format: detected, columns, names, width: cells.length }
}
