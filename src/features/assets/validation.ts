import { todayInUk } from '../../platform/uk-date.js'
import { FieldErrors } from '../../platform/errors.js'
import type { Location } from './coordinates.js'
import { parseCpv } from './cpv.js'
import type { DepreciationMethod } from './depreciation.js'
import { readLocation } from './location-input.js'
import { MAX_PENCE, parsePounds } from './money.js'
import { HECTARES, parseDate, parseDecimal, parseEnergyRating, parsePercent, parsePostcode, parseUprn, parseYesNo, SQUARE_METRES, textOf, type Parsed } from './parse-values.js'
import {
  ASSET_CLASSES,
  ASSET_STATUSES,
  CATEGORISE_THRESHOLD_PENCE,
  CONDITIONS,
  DEPRECIATION_METHODS,
  DISPOSAL_METHODS,
  findTerm,
  HOLDING_TYPES,
  LOCATION_PRECISIONS,
  TENURES,
  type AssetStatus,
  type Term,
} from './vocabularies.js'

/**
 * An asset as it arrives from a form, a CSV row or the API. Amounts ending `Pence` are integer
 * pence when a number (the API) and pounds when text (`£1,250.00`, from forms and files).
 */
export interface AssetInput {
  assetCode?: unknown
  uprn?: unknown
  parentAssetCode?: unknown
  name?: unknown
  description?: unknown
  assetClass?: unknown
  cpvCode?: unknown
  acquisitionDate?: unknown
  acquisitionCostPence?: unknown
  currentValuePence?: unknown
  valuationDate?: unknown
  depreciationMethod?: unknown
  usefulLifeYears?: unknown
  depreciationRatePercent?: unknown
  residualValuePence?: unknown
  condition?: unknown
  status?: unknown
  disposalDate?: unknown
  disposalMethod?: unknown
  disposalProceedsPence?: unknown
  utilisationPercent?: unknown
  utilisationMeasuredOn?: unknown
  tenure?: unknown
  tenureDetail?: unknown
  tenureOtherDetail?: unknown
  holdingType?: unknown
  floorAreaM2?: unknown
  landAreaHa?: unknown
  energyRating?: unknown
  custodianDepartment?: unknown
  streetNumber?: unknown
  streetName?: unknown
  postTown?: unknown
  postcode?: unknown
  lat?: unknown
  lon?: unknown
  easting?: unknown
  northing?: unknown
  /** Which pair was given, when both are (`EPSG:4326` or `EPSG:27700`, or their names). */
  sourceCrs?: unknown
  locationPrecision?: unknown
  effectiveDate?: unknown
  availableToShare?: unknown
}

export type AssetField = keyof AssetInput

/** An asset that has passed every check, ready to store. */
export interface AssetValues {
  assetCode: string
  uprn: string | null
  parentAssetCode: string | null
  name: string
  description: string | null
  assetClass: string | null
  cpvCode: string | null
  acquisitionDate: string | null
  acquisitionCostPence: number | null
  currentValuePence: number | null
  valuationDate: string | null
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
  location: Location | null
  locationPrecision: string | null
  effectiveDate: string | null
  availableToShare: boolean
}

/**
 * `strict` is for people and scripts editing one asset: the £1,000 rule and well-formed
 * postcodes are required. `import` reads whole registers as they are published: a Transparency
 * Code register has no class or CPV columns, so its assets are stored uncategorised (and counted
 * so on the coverage page) rather than refused, and a malformed postcode is kept with a note.
 */
export type ValidationMode = 'strict' | 'import'

export interface Checked {
  values?: AssetValues
  errors: FieldErrors
  /** What was accepted but is worth telling (import warnings). */
  notes: { name: AssetField; message: string }[]
}

/** `postcodeUnchanged`: the postcode is the one already stored, so a malformed one is kept rather than refused. */
export function validateAsset(input: AssetInput, mode: ValidationMode = 'strict', options: { postcodeUnchanged?: boolean } = {}): Checked {
  const errors = new FieldErrors()
  const notes: Checked['notes'] = []
  const today = todayInUk()
  const take = <T>(name: AssetField, parsed: Parsed<T>, label: string): T | null => {
    if ('problem' in parsed) {
      errors.add(name, `${label} ${parsed.problem}`)
      return null
    }
    return parsed.value
  }
  const text = (name: AssetField, label: string, max: number): string | null => {
    const value = textOf(input[name])
    if (value.length > max) errors.add(name, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    return value || null
  }
  const term = (name: AssetField, terms: Term[], label: string): string | null => {
    const value = textOf(input[name])
    if (!value) return null
    const found = findTerm(terms, value)
    if (!found) errors.add(name, `${label} “${value}” is not one of: ${terms.map((t) => t.label).join('; ')}`)
    return found?.code ?? null
  }
  const money = (name: AssetField, label: string): number | null => {
    const raw = input[name]
    if (typeof raw === 'number') {
      if (!Number.isSafeInteger(raw) || raw < 0 || raw > MAX_PENCE) errors.add(name, `${label} must be a whole number of pence from 0 to 1,000,000,000,000`)
      return Number.isSafeInteger(raw) ? raw : null
    }
    const parsed = parsePounds(textOf(raw))
    return take(name, 'problem' in parsed ? parsed : { value: parsed.pence }, label)
  }
  const pastDate = (name: AssetField, label: string): string | null => {
    const value = take(name, parseDate(input[name]), label)
    if (value && value > today) errors.add(name, `${label} must be today or in the past`)
    return value
  }

  const assetCode = text('assetCode', 'Asset code', 100)
  if (!assetCode) errors.add('assetCode', 'Enter the asset code: the body’s own unique reference for the asset')
  const name = text('name', 'Name', 300)
  if (!name) errors.add('name', 'Enter the name of the asset')
  const parentAssetCode = text('parentAssetCode', 'Parent asset code', 100)
  if (parentAssetCode && parentAssetCode === assetCode) errors.add('parentAssetCode', 'An asset cannot be part of itself')

  const assetClass = term('assetClass', ASSET_CLASSES, 'Asset class')
  const cpvText = textOf(input.cpvCode)
  const cpv = cpvText ? parseCpv(cpvText) : undefined
  if (cpv && 'problem' in cpv) errors.add('cpvCode', cpv.problem)
  const cpvCode = cpv && 'code' in cpv ? cpv.code : null

  const acquisitionDate = pastDate('acquisitionDate', 'Acquisition date')
  const acquisitionCostPence = money('acquisitionCostPence', 'Acquisition cost')
  const currentValuePence = money('currentValuePence', 'Current value')
  const valuationDate = pastDate('valuationDate', 'Valuation date')
  if (currentValuePence !== null && !valuationDate && mode === 'strict') errors.add('valuationDate', 'Enter the date of the valuation')
  if (valuationDate && acquisitionDate && valuationDate < acquisitionDate) errors.add('valuationDate', 'Valuation date must be on or after the acquisition date')

  const depreciationMethod = term('depreciationMethod', DEPRECIATION_METHODS, 'Depreciation method') as DepreciationMethod | null
  const usefulLifeYears = take('usefulLifeYears', parseDecimal(input.usefulLifeYears, /\s*(years?|yrs?)\s*$/i), 'Useful life')
  if (usefulLifeYears !== null && (usefulLifeYears <= 0 || usefulLifeYears > 250)) errors.add('usefulLifeYears', 'Useful life must be more than 0 and at most 250 years')
  const depreciationRatePercent = take('depreciationRatePercent', parsePercent(input.depreciationRatePercent), 'Depreciation rate')
  if (depreciationRatePercent !== null && (depreciationRatePercent <= 0 || depreciationRatePercent >= 100)) errors.add('depreciationRatePercent', 'Depreciation rate must be more than 0% and less than 100%')
  const residualValuePence = money('residualValuePence', 'Residual value')
  const startValue = currentValuePence ?? acquisitionCostPence
  if (residualValuePence !== null && startValue !== null && residualValuePence > startValue) errors.add('residualValuePence', 'Residual value must not be more than the value it depreciates from')
  if (depreciationMethod === 'straight-line' && usefulLifeYears === null) errors.add('usefulLifeYears', 'Enter the useful life in years: straight-line depreciation spreads the cost over it')
  if (depreciationMethod === 'reducing-balance' && depreciationRatePercent === null) errors.add('depreciationRatePercent', 'Enter the yearly rate: reducing balance writes off that share each year')
  const moneyErrors = ['acquisitionDate', 'acquisitionCostPence', 'currentValuePence', 'valuationDate'].some((f) => errors.has(f))
  if (depreciationMethod && depreciationMethod !== 'none' && !moneyErrors && !(acquisitionCostPence !== null && acquisitionDate) && !(currentValuePence !== null && valuationDate)) {
    errors.add('depreciationMethod', 'To depreciate, give the acquisition date and cost, or a current value and its valuation date')
  }

  const condition = term('condition', CONDITIONS, 'Condition')
  const status = term('status', ASSET_STATUSES, 'Status') as AssetStatus | null
  const disposalDate = pastDate('disposalDate', 'Disposal date')
  const disposalMethod = term('disposalMethod', DISPOSAL_METHODS, 'Disposal method')
  const disposalProceedsPence = money('disposalProceedsPence', 'Disposal proceeds')
  if (status === 'disposed') {
    if (!disposalDate && !errors.has('disposalDate')) errors.add('disposalDate', 'Enter the date the asset was disposed of')
    if (!disposalMethod && !errors.has('disposalMethod')) errors.add('disposalMethod', 'Select how the asset was disposed of')
    if (disposalDate && acquisitionDate && disposalDate < acquisitionDate) errors.add('disposalDate', 'Disposal date must be on or after the acquisition date')
  } else {
    for (const [field, value] of [['disposalDate', disposalDate], ['disposalMethod', disposalMethod], ['disposalProceedsPence', disposalProceedsPence]] as const) {
      if (value !== null) errors.add(field, 'Only a disposed asset has disposal details: dispose of the asset instead')
    }
  }

  const utilisationPercent = take('utilisationPercent', parsePercent(input.utilisationPercent), 'Utilisation')
  const utilisationMeasuredOn = pastDate('utilisationMeasuredOn', 'Date utilisation was measured')
  if (utilisationPercent !== null && !utilisationMeasuredOn && mode === 'strict' && !errors.has('utilisationMeasuredOn')) errors.add('utilisationMeasuredOn', 'Enter the date utilisation was measured')

  const tenure = term('tenure', TENURES, 'Tenure')
  const tenureDetail = text('tenureDetail', 'Tenure detail', 200)
  const tenureOtherDetail = text('tenureOtherDetail', 'Other tenure detail', 500)
  const holdingType = term('holdingType', HOLDING_TYPES, 'Holding type')
  const floorAreaM2 = take('floorAreaM2', parseDecimal(input.floorAreaM2, SQUARE_METRES), 'Floor area')
  if (floorAreaM2 !== null && (floorAreaM2 < 0 || floorAreaM2 > 10_000_000)) errors.add('floorAreaM2', 'Floor area must be between 0 and 10,000,000 square metres')
  const landAreaHa = take('landAreaHa', parseDecimal(input.landAreaHa, HECTARES), 'Land area')
  if (landAreaHa !== null && (landAreaHa < 0 || landAreaHa > 1_000_000)) errors.add('landAreaHa', 'Land area must be between 0 and 1,000,000 hectares')
  const energyRating = take('energyRating', parseEnergyRating(input.energyRating), 'Energy rating')
  const custodianDepartment = text('custodianDepartment', 'Custodian department', 200)

  const streetNumber = text('streetNumber', 'Building number or name', 200)
  const streetName = text('streetName', 'Street', 200)
  const postTown = text('postTown', 'Town', 200)
  const postcode = parsePostcode(input.postcode)
  if (!postcode.valid) {
    const message = `“${postcode.value}” is not a UK postcode, like M32 0TH (or its first part, like M32)`
    if (mode === 'strict' && !options.postcodeUnchanged) errors.add('postcode', message)
    else notes.push({ name: 'postcode', message: `${message}: it was kept as written` })
  }
  const uprn = take('uprn', parseUprn(input.uprn), 'UPRN')

  const location = readLocation(input, errors)
  const locationPrecision = location ? term('locationPrecision', LOCATION_PRECISIONS, 'Location precision') : null
  const effectiveDate = take('effectiveDate', parseDate(input.effectiveDate), 'Effective date')
  const availableToShare = take('availableToShare', parseYesNo(input.availableToShare), 'Available to share') ?? false
  const description = text('description', 'Description', 10_000)

  // The £1,000 rule: an asset in public ownership worth £1,000 or more must say what it is.
  if (mode === 'strict' && status !== 'disposed' && startValue !== null && startValue >= CATEGORISE_THRESHOLD_PENCE) {
    if (!assetClass && !errors.has('assetClass')) errors.add('assetClass', 'Select the asset class: every asset worth £1,000 or more must have one')
    if (!cpvCode && !errors.has('cpvCode')) errors.add('cpvCode', 'Enter the CPV code: every asset worth £1,000 or more must have one')
  }

  if (errors.list.length > 0) return { errors, notes }
  return {
    errors,
    notes,
    values: {
      assetCode: assetCode!, uprn, parentAssetCode, name: name!, description, assetClass, cpvCode,
      acquisitionDate, acquisitionCostPence, currentValuePence, valuationDate,
      depreciationMethod, usefulLifeYears, depreciationRatePercent, residualValuePence,
      condition, status, disposalDate, disposalMethod, disposalProceedsPence, utilisationPercent, utilisationMeasuredOn,
      tenure, tenureDetail, tenureOtherDetail, holdingType, floorAreaM2, landAreaHa, energyRating, custodianDepartment,
      streetNumber, streetName, postTown, postcode: postcode.value, location, locationPrecision, effectiveDate, availableToShare,
    },
  }
}
