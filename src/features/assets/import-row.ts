import type { ImportProblem } from '../../platform/import-report.js'
import { readCoordinates, type Crs } from './coordinates.js'
import type { Header, ImportField } from './import-columns.js'
import { parseDecimal } from './parse-values.js'
import type { AssetField, AssetInput } from './validation.js'
import { COORDINATE_SYSTEMS, findTerm } from './vocabularies.js'

/** One data row of a register, as asset input, before it is checked against the register. */
export interface RowInput {
  line: number
  /** Only the fields the file has columns for: the others keep what is stored. */
  input: AssetInput
  /** Whether the row gives a location (or clears it): the file has coordinate columns. */
  locates: boolean
  problems: ImportProblem[]
  warnings: ImportProblem[]
}

const COORDINATE_FIELDS: ImportField[] = ['geoX', 'geoY', 'lat', 'lon', 'easting', 'northing', 'crs']

/** Reads a row's cells into asset input, settling repeated columns and which coordinate system the numbers are in. */
export function readRow(cells: string[], header: Header, line: number): RowInput {
  const problems: ImportProblem[] = []
  const warnings: ImportProblem[] = []
  const column = (field: ImportField) => header.names.get(field) ?? ''
  if (cells.length > header.width && cells.slice(header.width).some((cell) => cell.trim() !== '')) {
    problems.push({ line, column: '', reason: `This row has ${cells.length} values but the header has ${header.width} columns: check for a missing pair of quotes` })
  }
  const read = new Map<ImportField, string>()
  const cell = (field: ImportField): string | undefined => {
    const indexes = header.columns.get(field)
    if (!indexes) return undefined
    let value = read.get(field)
    if (value === undefined && indexes.length === 1) {
      value = (cells[indexes[0]!] ?? '').trim()
      read.set(field, value)
    } else if (value === undefined) {
      const given = [...new Set(indexes.map((i) => (cells[i] ?? '').trim()).filter((v) => v !== ''))]
      if (given.length > 1) problems.push({ line, column: column(field), reason: `The ${column(field)} columns disagree: ${given.map((v) => `“${v}”`).join(' and ')}` })
      value = given[0] ?? ''
      read.set(field, value)
    }
    return value
  }

  const input: AssetInput = {}
  for (const [field] of header.columns) {
    if (field === 'ignored' || COORDINATE_FIELDS.includes(field)) continue
    input[field as AssetField] = cell(field)
  }

  const locates = COORDINATE_FIELDS.some((field) => field !== 'crs' && header.columns.has(field))
  if (locates) {
    const located = readLocation(cell, column)
    if ('problem' in located) problems.push({ line, column: located.column, reason: located.problem })
    else {
      Object.assign(input, located.input)
      if (located.note) warnings.push({ line, column: located.column, reason: located.note })
    }
  }
  return { line, input, locates, problems, warnings }
}

type Located = { input: AssetInput; note?: string; column: string } | { problem: string; column: string }

/**
 * The row's coordinates as a clean pair with its system. GeoX/GeoY are told apart by their
 * range; latitude/longitude and easting/northing columns say what they are, but are checked by
 * range too (a swapped pair is common).
 */
function readLocation(cell: (field: ImportField) => string | undefined, column: (field: ImportField) => string): Located {
  const crsText = cell('crs') ?? ''
  const said = crsText ? (findTerm(COORDINATE_SYSTEMS, crsText)?.code as Crs | undefined) : undefined
  if (crsText && !said) return { problem: `“${crsText}” is not a coordinate system the register knows: use WGS84 (EPSG:4326) or British National Grid (EPSG:27700)`, column: column('crs') }

  const pairs: { x: ImportField; y: ImportField; crs: Crs | undefined }[] = [
    { x: 'geoX', y: 'geoY', crs: said },
    { x: 'lon', y: 'lat', crs: 'EPSG:4326' },
    { x: 'easting', y: 'northing', crs: 'EPSG:27700' },
  ]
  const given = pairs.filter((p) => (cell(p.x) ?? '') !== '' || (cell(p.y) ?? '') !== '')
  if (given.length === 0) return { input: {}, column: '' }
  // Both lat/long and easting/northing: keep the pair the CRS column names, else the latitude and longitude.
  const pair = given.find((p) => p.x === 'geoX') ?? (given.length > 1 && said === 'EPSG:27700' ? given.find((p) => p.x === 'easting')! : given[0]!)
  const xText = cell(pair.x) ?? ''
  const yText = cell(pair.y) ?? ''
  if (!xText || !yText) {
    const missing = xText ? pair.y : pair.x
    return { problem: `${column(missing)} is empty but ${column(xText ? pair.x : pair.y)} is not: give both coordinates or neither`, column: column(missing) }
  }
  const x = parseDecimal(xText)
  const y = parseDecimal(yText)
  if ('problem' in x || x.value === null) return { problem: `“${xText}” is not a number`, column: column(pair.x) }
  if ('problem' in y || y.value === null) return { problem: `“${yText}” is not a number`, column: column(pair.y) }
  const read = readCoordinates(x.value, y.value, pair.crs)
  if ('problem' in read) return { problem: read.problem, column: column(pair.x) }
  const location = read.location
  const input: AssetInput = !location
    ? {}
    : location.sourceCrs === 'EPSG:27700'
      ? { easting: location.easting, northing: location.northing, sourceCrs: 'EPSG:27700' }
      : { lat: location.lat, lon: location.lon, sourceCrs: 'EPSG:4326' }
  return { input, column: column(pair.x), ...(read.note ? { note: read.note } : {}) }
}
