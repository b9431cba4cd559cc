import { cpvDepth } from './need.js'

/*
 * How well an asset's CPV code fits the code of a need, from numeric ranges alone (the index
 * holds codes as numbers): the same code or one under it is the best fit; sharing the need's
 * class (four digits), group (three) or division (two) are weaker ones.
 */

export const FIT_SAME = 4
export const FIT_CLASS = 3
export const FIT_GROUP = 2
export const FIT_DIVISION = 1

export type FitName = 'same' | 'class' | 'group' | 'division' | 'asset-class'

/** Half-open ranges of code numbers, one pair per level, best first: [sameLo, sameHi, classLo, classHi, …]. */
export function fitRanges(code: string): Float64Array {
  const n = Number(code)
  const range = (digits: number) => {
    const span = 10 ** (8 - digits)
    const lo = Math.floor(n / span) * span
    return [lo, lo + span]
  }
  return Float64Array.from([...range(cpvDepth(code)), ...range(4), ...range(3), ...range(2)])
}

/** The best fit of an asset's code (a number; negative for none) to any of the needs' ranges; 0 for none. */
export function fitOf(code: number, ranges: Float64Array[]): number {
  if (code < 0) return 0
  let best = 0
  for (const r of ranges) {
    if (code >= r[0]! && code < r[1]!) return FIT_SAME
    const fit = code >= r[2]! && code < r[3]! ? FIT_CLASS : code >= r[4]! && code < r[5]! ? FIT_GROUP : code >= r[6]! && code < r[7]! ? FIT_DIVISION : 0
    if (fit > best) best = fit
  }
  return best
}

/** What a fit number means, for people and the API. */
export function fitName(fit: number, byClassOnly: boolean): FitName {
  if (byClassOnly) return 'asset-class'
  return fit === FIT_SAME ? 'same' : fit === FIT_CLASS ? 'class' : fit === FIT_GROUP ? 'group' : 'division'
}

export const FIT_LABELS: Record<FitName, string> = {
  same: 'What you asked for',
  class: 'Same CPV class',
  group: 'Same CPV group',
  division: 'Same CPV division',
  'asset-class': 'Same asset class',
}

const EARTH_RADIUS_KM = 6371.0088
const RAD = Math.PI / 180

/** Great-circle distance in kilometres between two WGS84 points. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD
  const dLon = (lon2 - lon1) * RAD
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)))
}

/**
 * A box holding every point within `radiusKm` of the centre, so most assets are ruled out by
 * four comparisons before any trigonometry. Longitude is not bounded near the poles or when
 * the circle crosses the antimeridian.
 */
export function boundingBox(lat: number, lon: number, radiusKm: number): { minLat: number; maxLat: number; minLon: number; maxLon: number } {
  // A hair wider than the circle, so a point exactly on it is not lost to rounding; the distance decides.
  const dLat = (radiusKm / (EARTH_RADIUS_KM * RAD)) * (1 + 1e-9)
  const minLat = lat - dLat
  const maxLat = lat + dLat
  const cos = Math.cos(Math.max(Math.abs(minLat), Math.abs(maxLat)) * RAD)
  if (maxLat >= 90 || minLat <= -90 || cos < 1e-6) return { minLat, maxLat, minLon: -Infinity, maxLon: Infinity }
  const dLon = dLat / cos
  if (lon - dLon < -180 || lon + dLon > 180) return { minLat, maxLat, minLon: -Infinity, maxLon: Infinity }
  return { minLat, maxLat, minLon: lon - dLon, maxLon: lon + dLon }
}
