import type { AssetIndex } from './asset-index.js'
import { AVAILABLE_TERMS, CLASS_NUMBER, CONDITION_NUMBER, CPV_DIVISION_NUMBER, STATUS_NUMBER, VALUE_NUMBER } from './vocabulary.js'

/** What a search of the register is narrowed by. Values within a facet are alternatives; facets combine. */
export interface AssetFilters {
  q?: string
  /** Owning bodies' slugs. */
  body?: string[]
  class?: string[]
  /** CPV divisions: the first two digits (`30`), or `none`. */
  cpv?: string[]
  status?: string[]
  condition?: string[]
  /** `yes` or `no`. */
  available?: string[]
  /** Value band codes, or `unknown`. */
  value?: string[]
  /** Only assets mapped inside `minLon,minLat,maxLon,maxLat` (WGS84). */
  bbox?: string | Bbox
}

export type Bbox = [number, number, number, number]

export interface CleanFilters {
  q: string
  body: string[]
  class: string[]
  cpv: string[]
  status: string[]
  condition: string[]
  available: string[]
  value: string[]
  bbox?: Bbox
}

export const FACETS = ['body', 'class', 'cpv', 'status', 'condition', 'available', 'value'] as const
export type FacetName = (typeof FACETS)[number]

const MAX_VALUES = 50

function pick(values: string[] | undefined, allowed?: Map<string, number>, normalise: (v: string) => string = (v) => v): string[] {
  const out = (values ?? []).map((v) => normalise(String(v).trim())).filter((v) => v && v.length <= 100 && (!allowed || allowed.has(v)))
  return [...new Set(out)].slice(0, MAX_VALUES)
}

/** `minLon,minLat,maxLon,maxLat` in WGS84 degrees, or why it is not one. */
export function parseBbox(text: string): Bbox | { problem: string } {
  const parts = text.split(',').map((p) => p.trim())
  const numbers = parts.map(Number)
  if (parts.length !== 4 || parts.some((p) => p === '') || numbers.some((n) => !Number.isFinite(n))) {
    return { problem: 'bbox must be four numbers: minLon,minLat,maxLon,maxLat' }
  }
  const [minLon, minLat, maxLon, maxLat] = numbers as Bbox
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) return { problem: 'bbox longitudes must be from -180 to 180 and latitudes from -90 to 90' }
  if (minLon > maxLon || minLat > maxLat) return { problem: 'bbox must give the south-west corner first: minLon,minLat,maxLon,maxLat' }
  return [minLon, minLat, maxLon, maxLat]
}

const AVAILABLE_CODES = new Map(AVAILABLE_TERMS.map((t, i) => [t.code, i]))

/** Keeps only values a facet can hold, so a hand-edited address narrows nothing by accident. */
export function cleanFilters(filters: AssetFilters): CleanFilters {
  const lower = (v: string) => v.toLowerCase()
  const bbox = typeof filters.bbox === 'string' ? parseBbox(filters.bbox) : filters.bbox
  return {
    q: (filters.q ?? '').trim().slice(0, 200),
    body: pick(filters.body, undefined, lower),
    class: pick(filters.class, CLASS_NUMBER, lower),
    cpv: pick(filters.cpv, CPV_DIVISION_NUMBER, (v) => (/^\d{1,2}$/.test(v) ? v.padStart(2, '0') : /^\d{8}/.test(v) ? v.slice(0, 2) : v.toLowerCase())),
    status: pick(filters.status, STATUS_NUMBER, lower),
    condition: pick(filters.condition, CONDITION_NUMBER, (v) => (v.length === 1 ? v.toUpperCase() : v.toLowerCase())),
    available: pick(filters.available, AVAILABLE_CODES, lower),
    value: pick(filters.value, VALUE_NUMBER, lower),
    ...(bbox && Array.isArray(bbox) ? { bbox } : {}),
  }
}

/** Whether any filter narrows the register (words aside). */
export function narrows(filters: CleanFilters): boolean {
  return FACETS.some((f) => filters[f].length > 0) || filters.bbox !== undefined
}

/** Whether an asset is mapped inside the box (NaN, unmapped, is never inside). */
export function insideBbox(index: AssetIndex, [minLon, minLat, maxLon, maxLat]: Bbox): (i: number) => boolean {
  const { lat, lon } = index
  return (i) => {
    const y = lat[i]!
    const x = lon[i]!
    return y >= minLat && y <= maxLat && x >= minLon && x <= maxLon
  }
}
