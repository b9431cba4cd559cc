import { formatDate } from '../../platform/views.js'
import type { Asset } from './model.js'
import { formatPence } from './money.js'
import type { AssetDetail } from './service.js'
import {
  ASSET_STATUSES,
  CONDITIONS,
  COORDINATE_SYSTEMS,
  DEPRECIATION_METHODS,
  DISPOSAL_METHODS,
  HOLDING_TYPES,
  LOCATION_PRECISIONS,
  TENURES,
  labelOf,
  type AssetStatus,
} from './vocabularies.js'

/* What the asset pages show: an asset's facts as GOV.UK summary lists. */

const STATUS_CLASSES: Record<AssetStatus, string> = {
  'in-use': 'govuk-tag--green',
  underused: 'govuk-tag--yellow',
  vacant: 'govuk-tag--orange',
  surplus: 'govuk-tag--purple',
  disposed: 'govuk-tag--grey',
}

export function statusTag(status: AssetStatus | null): { text: string; classes: string } {
  if (!status) return { text: 'Status not recorded', classes: 'govuk-tag--grey' }
  return { text: labelOf(ASSET_STATUSES, status) ?? status, classes: STATUS_CLASSES[status] }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

type Row = { key: { text: string }; value: { text: string } | { html: string } }

const NOT_RECORDED = 'Not recorded'
const row = (key: string, value: string | null | undefined): Row => ({ key: { text: key }, value: { text: value || NOT_RECORDED } })
const htmlRow = (key: string, html: string): Row => ({ key: { text: key }, value: { html } })
const date = (value: string | null) => (value ? formatDate(value) : null)
const number = (value: number | null, unit: string) => (value === null ? null : `${value.toLocaleString('en-GB', { maximumFractionDigits: 2 })} ${unit}`)

/** The sections of an asset's page, each a summary list. */
export function assetSections({ asset, owner, parent, children, childCount }: AssetDetail) {
  const a = asset
  const link = (href: string, text: string) => `<a class="govuk-link" href="${escapeHtml(href)}">${escapeHtml(text)}</a>`
  const what: Row[] = [
    htmlRow('Owned by', link(`/organisations/${owner.slug}`, owner.name)),
    row('Asset code', a.assetCode),
    row('UPRN', a.uprn),
    parent ? htmlRow('Part of', link(`/assets/${parent.id}`, `${parent.name} (${parent.assetCode})`)) : row('Part of', 'Not part of another asset'),
    row('Asset class', a.assetClassLabel),
    row('CPV code', a.cpvCode ? `${a.cpvCode} ${a.cpvLabel ?? ''}`.trim() : null),
    row('Custodian department', a.custodianDepartment),
    row('Available to share', a.availableToShare ? 'Yes: other public bodies can ask to use it' : 'No'),
  ]
  if (childCount > 0) {
    const items = children.map((c) => `<li>${link(`/assets/${c.id}`, `${c.name} (${c.assetCode})`)}</li>`).join('')
    const more = childCount > children.length ? `<p class="govuk-body">And ${(childCount - children.length).toLocaleString('en-GB')} more.</p>` : ''
    what.push(htmlRow('Its parts', `<ul class="govuk-list">${items}</ul>${more}`))
  }
  const money: Row[] = [
    row('Acquired', date(a.acquisitionDate)),
    row('Acquisition cost', formatPence(a.acquisitionCostPence)),
    row('Current value', a.currentValuePence === null ? null : `${formatPence(a.currentValuePence)}${a.valuationDate ? `, valued ${formatDate(a.valuationDate)}` : ''}`),
    row('Depreciation', depreciationText(a)),
    row('Book value today', formatPence(a.bookValuePence)),
  ]
  const state: Row[] = [
    row('Status', labelOf(ASSET_STATUSES, a.status)),
    row('Condition', labelOf(CONDITIONS, a.condition)),
    row('Utilisation', a.utilisationPercent === null ? null : `${a.utilisationPercent}%${a.utilisationMeasuredOn ? `, measured ${formatDate(a.utilisationMeasuredOn)}` : ''}`),
    row('Tenure', [labelOf(TENURES, a.tenure), a.tenureDetail, a.tenureOtherDetail].filter(Boolean).join(': ')),
    row('Holding', labelOf(HOLDING_TYPES, a.holdingType)),
    row('Floor area', number(a.floorAreaM2, 'square metres')),
    row('Land area', number(a.landAreaHa, 'hectares')),
    row('Energy rating', a.energyRating),
    row('Facts true on', date(a.effectiveDate)),
  ]
  if (a.status === 'disposed') {
    state.push(row('Disposed of', date(a.disposalDate)), row('How', labelOf(DISPOSAL_METHODS, a.disposalMethod)), row('Proceeds', formatPence(a.disposalProceedsPence)))
  }
  const place: Row[] = [row('Address', a.address)]
  if (a.mapped) {
    place.push(
      row('Latitude, longitude (WGS84)', `${a.lat}, ${a.lon}`),
      row('Easting, northing (British National Grid)', `${a.easting}, ${a.northing}`),
      row('Given as', labelOf(COORDINATE_SYSTEMS, a.sourceCrs)),
      row('Precision', labelOf(LOCATION_PRECISIONS, a.locationPrecision)),
      htmlRow('On a map', `<a class="govuk-link" href="https://www.openstreetmap.org/?mlat=${a.lat}&amp;mlon=${a.lon}#map=17/${a.lat}/${a.lon}" rel="noopener">View on OpenStreetMap<span class="govuk-visually-hidden"> (${escapeHtml(a.name)})</span></a>`),
    )
  } else {
    place.push(row('Location', 'Not mapped yet'))
  }
  return [
    { id: 'what-it-is', title: 'What it is', rows: what },
    { id: 'value', title: 'Value', rows: money },
    { id: 'state', title: 'State and use', rows: state },
    { id: 'place', title: 'Where it is', rows: place },
  ]
}

function depreciationText(a: Asset): string | null {
  if (!a.depreciationMethod) return null
  const method = labelOf(DEPRECIATION_METHODS, a.depreciationMethod) ?? a.depreciationMethod
  const parts = [method]
  if (a.usefulLifeYears !== null) parts.push(`useful life ${a.usefulLifeYears} years`)
  if (a.depreciationRatePercent !== null) parts.push(`${a.depreciationRatePercent}% a year`)
  if (a.residualValuePence !== null) parts.push(`down to ${formatPence(a.residualValuePence)}`)
  return parts.join(', ')
}
