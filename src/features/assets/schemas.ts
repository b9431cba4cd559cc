import { Type, type TSchema } from 'typebox'
import { ENERGY_RATINGS, ASSET_CLASSES, ASSET_STATUSES, CONDITIONS, DEPRECIATION_METHODS, DISPOSAL_METHODS, HOLDING_TYPES, LOCATION_PRECISIONS, TENURES, codesOf } from './vocabularies.js'

/*
 * The API's shapes for the asset register. Request fields are loose (any text for a code, null to
 * clear): the service checks them and answers 422 naming every failing field as the form does.
 * Amounts are integer pence.
 */

const nullable = <T extends TSchema>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {})

export const AssetIdParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'The asset’s platform id' }) })

export const Asset = Type.Object({
  id: Type.Integer(),
  organisationId: Type.String({ description: 'The owning body' }),
  assetCode: Type.String({ description: 'The body’s own code for the asset, unique within the body' }),
  uprn: nullable(Type.String(), 'Unique Property Reference Number, as text'),
  parentId: nullable(Type.Integer(), 'The site or building it is part of'),
  name: Type.String(),
  description: nullable(Type.String()),
  assetClass: nullable(Type.String(), `CIPFA class: ${codesOf(ASSET_CLASSES)}`),
  assetClassLabel: nullable(Type.String()),
  cpvCode: nullable(Type.String({ description: 'CPV 2008, eight digits' })),
  cpvLabel: nullable(Type.String()),
  acquisitionDate: nullable(Type.String()),
  acquisitionCostPence: nullable(Type.Integer()),
  currentValuePence: nullable(Type.Integer()),
  valuationDate: nullable(Type.String()),
  valuePence: nullable(Type.Integer(), 'Current value, else acquisition cost: what the £1,000 rule goes by'),
  bookValuePence: nullable(Type.Integer(), 'Worked out today from the depreciation method'),
  depreciationMethod: nullable(Type.String(), codesOf(DEPRECIATION_METHODS)),
  usefulLifeYears: nullable(Type.Number()),
  depreciationRatePercent: nullable(Type.Number()),
  residualValuePence: nullable(Type.Integer()),
  condition: nullable(Type.String(), codesOf(CONDITIONS)),
  status: nullable(Type.String(), codesOf(ASSET_STATUSES)),
  disposalDate: nullable(Type.String()),
  disposalMethod: nullable(Type.String(), codesOf(DISPOSAL_METHODS)),
  disposalProceedsPence: nullable(Type.Integer()),
  utilisationPercent: nullable(Type.Number()),
  utilisationMeasuredOn: nullable(Type.String()),
  tenure: nullable(Type.String(), codesOf(TENURES)),
  tenureDetail: nullable(Type.String()),
  tenureOtherDetail: nullable(Type.String()),
  holdingType: nullable(Type.String(), codesOf(HOLDING_TYPES)),
  floorAreaM2: nullable(Type.Number()),
  landAreaHa: nullable(Type.Number()),
  energyRating: nullable(Type.String(), ENERGY_RATINGS.join(', ')),
  custodianDepartment: nullable(Type.String()),
  streetNumber: nullable(Type.String()),
  streetName: nullable(Type.String()),
  postTown: nullable(Type.String()),
  postcode: nullable(Type.String()),
  address: nullable(Type.String()),
  lat: nullable(Type.Number(), 'WGS84 latitude'),
  lon: nullable(Type.Number(), 'WGS84 longitude'),
  easting: nullable(Type.Number(), 'British National Grid (EPSG:27700) metres'),
  northing: nullable(Type.Number()),
  sourceCrs: nullable(Type.String(), 'Which pair was given: EPSG:4326 or EPSG:27700; the other is converted from it'),
  locationPrecision: nullable(Type.String(), codesOf(LOCATION_PRECISIONS)),
  effectiveDate: nullable(Type.String()),
  availableToShare: Type.Boolean(),
  mustBeCategorised: Type.Boolean({ description: 'Worth £1,000 or more and not disposed of: it must have a class and a CPV code' }),
  categorised: Type.Boolean(),
  mapped: Type.Boolean(),
  version: Type.Integer({ description: 'Send it back with a change: a stale version is refused with 409' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const text = (description: string, maxLength = 1000) => Type.Optional(nullable(Type.String({ maxLength }), description))
const pence = (description: string) => Type.Optional(nullable(Type.Integer(), `${description}, in pence`))
const number = (description: string) => Type.Optional(nullable(Type.Number(), description))

export const assetFields = {
  assetCode: text('Required: the body’s own unique code for the asset', 200),
  uprn: text('Up to 12 digits, as a string', 50),
  parentAssetCode: text('The asset code of the site or building it is part of', 200),
  name: text('Required'),
  description: text('What it is and what it is for', 20_000),
  assetClass: text(`CIPFA class: ${codesOf(ASSET_CLASSES)}. Required when worth £1,000 or more`, 200),
  cpvCode: text('CPV 2008 code, with or without its check digit (30200000 or 30200000-1). Required when worth £1,000 or more', 200),
  acquisitionDate: text('Like 2019-04-01', 50),
  acquisitionCostPence: pence('What it cost'),
  currentValuePence: pence('Its current value'),
  valuationDate: text('When it was valued: needed with a current value', 50),
  depreciationMethod: text(codesOf(DEPRECIATION_METHODS), 50),
  usefulLifeYears: number('Needed for straight-line depreciation'),
  depreciationRatePercent: number('Yearly rate, needed for reducing balance'),
  residualValuePence: pence('The value depreciation stops at'),
  condition: text(codesOf(CONDITIONS), 50),
  status: text(`${codesOf(ASSET_STATUSES)} (a new asset is in-use unless given)`, 50),
  disposalDate: text('For a disposed asset', 50),
  disposalMethod: text(`For a disposed asset: ${codesOf(DISPOSAL_METHODS)}`, 100),
  disposalProceedsPence: pence('For a disposed asset: what it raised'),
  utilisationPercent: number('0 to 100'),
  utilisationMeasuredOn: text('When utilisation was measured: needed with it', 50),
  tenure: text(codesOf(TENURES), 50),
  tenureDetail: text('Like Owner Occupied, Leasehold Out, Licence, Vacant', 500),
  tenureOtherDetail: text('What an other tenure is', 1000),
  holdingType: text(codesOf(HOLDING_TYPES), 50),
  floorAreaM2: number('Gross internal area, square metres'),
  landAreaHa: number('Hectares'),
  energyRating: text(`${ENERGY_RATINGS.join(', ')}`, 20),
  custodianDepartment: text('The department that looks after it', 500),
  streetNumber: text('Building number or name', 500),
  streetName: text('Street', 500),
  postTown: text('Town', 500),
  postcode: text('Like M32 0TH, or its first part', 20),
  lat: number('WGS84 latitude: give latitude and longitude, or easting and northing'),
  lon: number('WGS84 longitude'),
  easting: number('British National Grid easting, metres'),
  northing: number('British National Grid northing, metres'),
  sourceCrs: text('Which pair to keep when both are given: EPSG:4326 or EPSG:27700', 50),
  locationPrecision: text(codesOf(LOCATION_PRECISIONS), 50),
  effectiveDate: text('The date these facts were true on', 50),
  availableToShare: Type.Optional(Type.Boolean({ description: 'Other public bodies may borrow or share it' })),
}

export const CreateAssetBody = Type.Object({
  organisation: Type.Optional(Type.String({ maxLength: 100, description: 'The body’s slug. Optional: it can only be the token’s own body' })),
  ...assetFields,
})

export const UpdateAssetBody = Type.Object({
  ...assetFields,
  version: Type.Integer({ minimum: 1, description: 'The version you read: a stale one is refused with 409' }),
})

export const AssetListQuery = Type.Object({
  body: Type.Optional(Type.String({ maxLength: 100, description: 'Only this body’s assets (its slug)' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

export const CpvQuery = Type.Object({
  q: Type.String({ maxLength: 200, description: 'Digits of a code (302, 30200000, 30200000-1) or words of its label' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})

export const CpvResults = Type.Object({
  total: Type.Integer({ description: 'How many codes match' }),
  items: Type.Array(Type.Object({ code: Type.String(), checkDigit: Type.String(), label: Type.String() })),
})
