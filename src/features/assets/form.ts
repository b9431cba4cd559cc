import type { FormBody } from '../../platform/forms.js'
import type { Asset } from './model.js'
import { penceInput } from './money.js'
import type { AssetInput } from './validation.js'
import { ASSET_CLASSES, ASSET_STATUSES, CONDITIONS, COORDINATE_SYSTEMS, DEPRECIATION_METHODS, DISPOSAL_METHODS, ENERGY_RATINGS, HOLDING_TYPES, LOCATION_PRECISIONS, TENURES, type Term } from './vocabularies.js'

/*
 * The asset form: its fields, in sections, described once so the template lays them out the
 * same way and every field's id is the name the service's errors use.
 */

interface Field {
  name: keyof AssetInput
  label: string
  hint?: string
  /** A hint with a link in it (trusted markup, written here). */
  hintHtml?: string
  kind: 'input' | 'textarea' | 'select' | 'checkbox'
  classes?: string
  prefix?: string
  suffix?: string
  inputmode?: 'decimal' | 'numeric'
  code?: boolean
  options?: { value: string; text: string }[]
}

const options = (terms: Term[], blank: string) => [{ value: '', text: blank }, ...terms.map((t) => ({ value: t.code, text: t.label }))]
const money = (name: keyof AssetInput, label: string, hint?: string): Field => ({ name, label, kind: 'input', prefix: '£', classes: 'govuk-input--width-10', inputmode: 'decimal', ...(hint ? { hint } : {}) })
const isoDate = (name: keyof AssetInput, label: string, hint = 'Year, month and day, like 2019-04-01'): Field => ({ name, label, hint, kind: 'input', classes: 'govuk-input--width-10', code: true })

export function formSections(options_: { disposed: boolean }) {
  const statusOptions = ASSET_STATUSES.filter((s) => s.code !== 'disposed').map((s) => ({ value: s.code, text: s.label }))
  const about: Field[] = [
    { name: 'assetCode', label: 'Asset code', hint: 'The body’s own unique reference for the asset, like TMBC0001', kind: 'input', classes: 'govuk-input--width-20', code: true },
    { name: 'name', label: 'Name', hint: 'What people call it, like Altrincham Town Hall', kind: 'input' },
    { name: 'description', label: 'Description (optional)', kind: 'textarea' },
    { name: 'parentAssetCode', label: 'Part of (optional)', hint: 'The asset code of the site or building this is in or part of', kind: 'input', classes: 'govuk-input--width-20', code: true },
    { name: 'uprn', label: 'UPRN (optional)', hint: 'The Unique Property Reference Number, up to 12 digits', kind: 'input', classes: 'govuk-input--width-20', inputmode: 'numeric', code: true },
    { name: 'assetClass', label: 'Asset class', hint: 'Needed for every asset worth £1,000 or more', kind: 'select', options: options(ASSET_CLASSES, 'Select a class') },
    {
      name: 'cpvCode',
      label: 'CPV code',
      hintHtml: 'What the asset is in the Common Procurement Vocabulary, like 30200000 for computer equipment. Needed for every asset worth £1,000 or more. <a class="govuk-link" href="/assets/cpv" target="_blank" rel="noopener">Find a CPV code (opens in new tab)</a>',
      kind: 'input',
      classes: 'govuk-input--width-10',
      code: true,
    },
    ...(options_.disposed ? [] : [{ name: 'status', label: 'Status', kind: 'select', options: statusOptions } satisfies Field]),
    { name: 'condition', label: 'Condition (optional)', kind: 'select', options: options(CONDITIONS, 'Not surveyed') },
    { name: 'custodianDepartment', label: 'Custodian department (optional)', kind: 'input' },
    { name: 'availableToShare', label: 'Other public bodies can ask to use or share it', kind: 'checkbox' },
  ]
  const value: Field[] = [
    isoDate('acquisitionDate', 'Acquisition date (optional)'),
    money('acquisitionCostPence', 'Acquisition cost (optional)', 'In pounds, like 1250 or 1,250.00'),
    money('currentValuePence', 'Current value (optional)', 'In pounds. The £1,000 rule goes by this, or by the cost when there is no valuation'),
    isoDate('valuationDate', 'Valuation date (optional)', 'Needed with a current value, like 2024-03-31'),
    { name: 'depreciationMethod', label: 'Depreciation method (optional)', kind: 'select', options: options(DEPRECIATION_METHODS, 'Not depreciated here') },
    { name: 'usefulLifeYears', label: 'Useful life (optional)', hint: 'Needed for straight-line depreciation', kind: 'input', suffix: 'years', classes: 'govuk-input--width-5', inputmode: 'decimal' },
    { name: 'depreciationRatePercent', label: 'Yearly depreciation rate (optional)', hint: 'Needed for reducing balance', kind: 'input', suffix: '%', classes: 'govuk-input--width-5', inputmode: 'decimal' },
    money('residualValuePence', 'Residual value (optional)', 'Depreciation stops at this value'),
  ]
  const use: Field[] = [
    { name: 'utilisationPercent', label: 'Utilisation (optional)', hint: 'How much of it is used', kind: 'input', suffix: '%', classes: 'govuk-input--width-5', inputmode: 'decimal' },
    isoDate('utilisationMeasuredOn', 'Date utilisation was measured (optional)', 'Needed with a utilisation, like 2025-01-31'),
    { name: 'tenure', label: 'Tenure (optional)', kind: 'select', options: options(TENURES, 'Not recorded') },
    { name: 'tenureDetail', label: 'Tenure detail (optional)', hint: 'Like Owner Occupied, Leasehold Out, Licence or Vacant', kind: 'input' },
    { name: 'tenureOtherDetail', label: 'Other tenure detail (optional)', kind: 'input' },
    { name: 'holdingType', label: 'Holding (optional)', kind: 'select', options: options(HOLDING_TYPES, 'Not land or buildings') },
    { name: 'floorAreaM2', label: 'Floor area (optional)', hint: 'Gross internal area', kind: 'input', suffix: 'm²', classes: 'govuk-input--width-10', inputmode: 'decimal' },
    { name: 'landAreaHa', label: 'Land area (optional)', kind: 'input', suffix: 'hectares', classes: 'govuk-input--width-10', inputmode: 'decimal' },
    { name: 'energyRating', label: 'Energy rating (optional)', kind: 'select', options: [{ value: '', text: 'None' }, ...ENERGY_RATINGS.map((r) => ({ value: r, text: r }))] },
    isoDate('effectiveDate', 'Facts true on (optional)', 'The date this record was last checked, like 2025-01-10'),
  ]
  const place: Field[] = [
    { name: 'streetNumber', label: 'Building number or name (optional)', kind: 'input', classes: 'govuk-input--width-20' },
    { name: 'streetName', label: 'Street (optional)', kind: 'input' },
    { name: 'postTown', label: 'Town (optional)', kind: 'input', classes: 'govuk-input--width-20' },
    { name: 'postcode', label: 'Postcode (optional)', hint: 'Or its first part, like M32, for land without one', kind: 'input', classes: 'govuk-input--width-10' },
    { name: 'sourceCrs', label: 'Which coordinates are you giving? (optional)', hint: 'Give one pair: the other is worked out from it', kind: 'select', options: options(COORDINATE_SYSTEMS, 'No location') },
    { name: 'lat', label: 'Latitude', hint: 'Like 53.3879587', kind: 'input', classes: 'govuk-input--width-10', inputmode: 'decimal', code: true },
    { name: 'lon', label: 'Longitude', hint: 'Like -2.3520922', kind: 'input', classes: 'govuk-input--width-10', inputmode: 'decimal', code: true },
    { name: 'easting', label: 'Easting', hint: 'Metres, like 376680', kind: 'input', classes: 'govuk-input--width-10', inputmode: 'decimal', code: true },
    { name: 'northing', label: 'Northing', hint: 'Metres, like 387960', kind: 'input', classes: 'govuk-input--width-10', inputmode: 'decimal', code: true },
    { name: 'locationPrecision', label: 'How precise is the point? (optional)', kind: 'select', options: options(LOCATION_PRECISIONS, 'Not recorded') },
  ]
  return [
    { id: 'about', title: 'What it is', fields: about },
    { id: 'value', title: 'Value', fields: value },
    { id: 'use', title: 'Use and tenure', fields: use },
    { id: 'place', title: 'Where it is', fields: place },
  ]
}

/** The sections with what the person entered, ready for the template. */
export function filledSections(values: FormBody, disposed: boolean) {
  return formSections({ disposed }).map((section) => ({
    ...section,
    fields: section.fields.map((field) => ({
      ...field,
      value: values[field.name] ?? '',
      items: field.options?.map((o) => ({ ...o, selected: (values[field.name] ?? '') === o.value })),
    })),
  }))
}

export const DISPOSAL_OPTIONS = [{ value: '', text: 'Select how' }, ...DISPOSAL_METHODS.map((m) => ({ value: m.code, text: m.label }))]

/** The stored asset as the form shows it for editing. */
export function formValuesOf(asset: Asset, parentCode: string | null): FormBody {
  const text = (value: string | number | null) => (value === null ? '' : String(value))
  return {
    assetCode: asset.assetCode,
    name: asset.name,
    description: text(asset.description),
    parentAssetCode: parentCode ?? '',
    uprn: text(asset.uprn),
    assetClass: text(asset.assetClass),
    cpvCode: text(asset.cpvCode),
    status: text(asset.status),
    condition: text(asset.condition),
    custodianDepartment: text(asset.custodianDepartment),
    availableToShare: asset.availableToShare ? 'yes' : '',
    acquisitionDate: text(asset.acquisitionDate),
    acquisitionCostPence: penceInput(asset.acquisitionCostPence),
    currentValuePence: penceInput(asset.currentValuePence),
    valuationDate: text(asset.valuationDate),
    depreciationMethod: text(asset.depreciationMethod),
    usefulLifeYears: text(asset.usefulLifeYears),
    depreciationRatePercent: text(asset.depreciationRatePercent),
    residualValuePence: penceInput(asset.residualValuePence),
    utilisationPercent: text(asset.utilisationPercent),
    utilisationMeasuredOn: text(asset.utilisationMeasuredOn),
    tenure: text(asset.tenure),
    tenureDetail: text(asset.tenureDetail),
    tenureOtherDetail: text(asset.tenureOtherDetail),
    holdingType: text(asset.holdingType),
    floorAreaM2: text(asset.floorAreaM2),
    landAreaHa: text(asset.landAreaHa),
    energyRating: text(asset.energyRating),
    effectiveDate: text(asset.effectiveDate),
    streetNumber: text(asset.streetNumber),
    streetName: text(asset.streetName),
    postTown: text(asset.postTown),
    postcode: text(asset.postcode),
    sourceCrs: text(asset.sourceCrs),
    lat: text(asset.lat),
    lon: text(asset.lon),
    easting: text(asset.easting),
    northing: text(asset.northing),
    locationPrecision: text(asset.locationPrecision),
    version: String(asset.version),
  }
}

/** The posted form as service input. An unticked box is not posted at all, so it is read as "no". */
export function formInput(values: FormBody, fields: { name: keyof AssetInput }[]): AssetInput {
  const input: AssetInput = {}
  for (const { name } of fields) input[name] = values[name] ?? ''
  input.availableToShare = values.availableToShare ? 'yes' : 'no'
  return input
}
