import { Readable } from 'node:stream'
import type { Db } from '../../../db/connection.js'
import { csvCell } from '../../datasets/audit-routes.js'
import { cpvLabel } from '../cpv.js'
import type { AssetRow } from '../model.js'
import { ASSET_CLASSES, ASSET_STATUSES, HOLDING_TYPES, TENURES, labelOf } from '../vocabularies.js'
import { narrows, type AssetFilters } from './filters.js'
import type { AssetSearch } from './search.js'

/*
 * The register as files, filtered like the search page: CSV in the Local Government
 * Transparency Code's land and buildings layout, and GeoJSON (RFC 7946). Both are streamed a
 * batch of assets at a time, so a million rows need no more memory than a thousand.
 */

/** The Transparency Code's 20 columns, in its order. */
export const TRANSPARENCY_CODE_COLUMNS = [
  'OrganisationLabel',
  'OrganisationURI',
  'EffectiveDate',
  'UPRN',
  'AssetCode',
  'PropertyName',
  'StreetNumber',
  'StreetName',
  'PostTown',
  'PostCode',
  'CoordinateReferenceSystem',
  'GeoX',
  'GeoY',
  'TenureType',
  'TenureDetail',
  'OtherDetail',
  'HoldingType',
  'BuildingSize',
  'LandArea',
  'EnergyRating',
] as const

const BATCH = 1000
const GSS_CODE = /^[EWSN]\d{8}$/
const STATISTICAL_GEOGRAPHY = 'http://statistics.data.gov.uk/id/statistical-geography/'

type ExportRow = AssetRow & { owner_name: string; owner_slug: string; owner_identifier: string | null }

/**
 * The matching assets' rows in id order, a batch at a time. The whole register is read by id
 * ranges; a filtered one by the ids the search index found.
 */
export async function* exportBatches(db: Db, search: AssetSearch, filters: AssetFilters): AsyncGenerator<ExportRow[]> {
  const found = await search.find(filters)
  const select = () =>
    db.kysely
      .selectFrom('assets as a')
      .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
      .selectAll('a')
      .select(['o.name as owner_name', 'o.slug as owner_slug', 'o.identifier as owner_identifier'])
  if (found.terms.length === 0 && !narrows(found.filters)) {
    let after = 0
    for (;;) {
      const rows = (await select().where('a.id', '>', after).orderBy('a.id').limit(BATCH).execute()) as ExportRow[]
      if (rows.length === 0) return
      yield rows
      after = Number(rows[rows.length - 1]!.id)
    }
  }
  const { ids } = search.index
  const wanted = Float64Array.from(found.counted.counts.passing, (p) => ids[p]!).sort()
  for (let i = 0; i < wanted.length; i += BATCH) {
    const slice = Array.from(wanted.subarray(i, i + BATCH))
    yield (await select().where('a.id', 'in', slice).orderBy('a.id').execute()) as ExportRow[]
  }
}

/** The body's URI: its ONS statistical geography for a council, else its page here. */
function organisationUri(row: ExportRow, baseUrl: string): string {
  return row.owner_identifier && GSS_CODE.test(row.owner_identifier) ? `${STATISTICAL_GEOGRAPHY}${row.owner_identifier}` : `${baseUrl}/organisations/${row.owner_slug}`
}

/** One asset as a Transparency Code row. Coordinates go out as they were given (easting and northing, or longitude and latitude). */
export function transparencyCodeCells(row: ExportRow, baseUrl: string): (string | number | null)[] {
  const bng = row.source_crs === 'EPSG:27700'
  const mapped = row.lat !== null && row.lon !== null
  return [
    row.owner_name,
    organisationUri(row, baseUrl),
    row.effective_date ?? row.updated_at.slice(0, 10),
    row.uprn,
    row.asset_code,
    row.name,
    row.street_number,
    row.street_name,
    row.post_town,
    row.postcode,
    mapped ? (bng ? 'OSGB36' : 'WGS84') : null,
    mapped ? (bng ? row.easting : row.lon) : null,
    mapped ? (bng ? row.northing : row.lat) : null,
    labelOf(TENURES, row.tenure) ?? null,
    row.tenure_detail,
    row.tenure_other_detail,
    labelOf(HOLDING_TYPES, row.holding_type) ?? null,
    row.floor_area_m2,
    row.land_area_ha,
    row.energy_rating,
  ]
}

export function csvExport(db: Db, search: AssetSearch, filters: AssetFilters, baseUrl: string): Readable {
  async function* lines() {
    yield `${TRANSPARENCY_CODE_COLUMNS.join(',')}\r\n`
    for await (const rows of exportBatches(db, search, filters)) {
      yield rows.map((row) => `${transparencyCodeCells(row, baseUrl).map(csvCell).join(',')}\r\n`).join('')
    }
  }
  return Readable.from(lines())
}

/** One asset as an RFC 7946 feature; an asset not yet mapped has no geometry. */
export function geoJsonFeature(row: ExportRow, baseUrl: string) {
  const id = Number(row.id)
  const mapped = row.lat !== null && row.lon !== null
  return {
    type: 'Feature',
    id,
    geometry: mapped ? { type: 'Point', coordinates: [row.lon, row.lat] } : null,
    properties: {
      id,
      url: `${baseUrl}/assets/${id}`,
      assetCode: row.asset_code,
      name: row.name,
      owner: row.owner_name,
      ownerSlug: row.owner_slug,
      uprn: row.uprn,
      assetClass: row.asset_class,
      assetClassLabel: labelOf(ASSET_CLASSES, row.asset_class) ?? null,
      cpvCode: row.cpv_code,
      cpvLabel: cpvLabel(row.cpv_code) ?? null,
      status: row.status,
      statusLabel: labelOf(ASSET_STATUSES, row.status) ?? null,
      condition: row.condition_grade,
      valuePence: row.value_pence === null ? null : Number(row.value_pence),
      availableToShare: Number(row.available_to_share) === 1,
      streetNumber: row.street_number,
      streetName: row.street_name,
      postTown: row.post_town,
      postcode: row.postcode,
      updatedAt: row.updated_at,
    },
  }
}

export function geoJsonExport(db: Db, search: AssetSearch, filters: AssetFilters, baseUrl: string): Readable {
  async function* chunks() {
    yield '{"type":"FeatureCollection","features":['
    let first = true
    for await (const rows of exportBatches(db, search, filters)) {
      const text = rows.map((row) => JSON.stringify(geoJsonFeature(row, baseUrl))).join(',')
      if (!text) continue
      yield first ? text : `,${text}`
      first = false
    }
    yield ']}\n'
  }
  return Readable.from(chunks())
}
