import { FieldErrors } from '../../../platform/errors.js'
import type { AssetIndex } from '../search/asset-index.js'
import type { Bbox } from '../search/filters.js'
import { CLASS_NUMBER, CLASS_TERMS, STATUS_NUMBER } from '../search/vocabulary.js'
import { NO_REGION, NO_REGION_LABEL, ReportCache, regionNumber, regionsOf } from './regions.js'

/*
 * Underused capital: assets a body records as underused, vacant or surplus, or whose measured
 * utilisation is below a threshold, with what they are worth on the books. One pass over the
 * index's columns counts them by body, class, region and reason; the result is kept for the
 * index's version and the filters, so the page, its downloads, the map and the API share it.
 */

export const DEFAULT_THRESHOLD = 40

export type UnderusedReason = 'underused' | 'vacant' | 'surplus' | 'low-utilisation'
export const REASONS: { code: UnderusedReason; label: string }[] = [
  { code: 'underused', label: 'Recorded as underused' },
  { code: 'vacant', label: 'Recorded as vacant' },
  { code: 'surplus', label: 'Recorded as surplus' },
  { code: 'low-utilisation', label: 'Utilisation below the threshold' },
]

export interface UnderusedFilters {
  /** Percent: assets used less than this count. */
  threshold?: number
  /** The owning body's slug. */
  body?: string
  /** An asset class code (`none`: not classified). */
  class?: string
  /** The owning body's region (`none`: not recorded). */
  region?: string
}

export interface CleanUnderusedFilters {
  threshold: number
  body: string | null
  class: string | null
  region: string | null
}

export interface UnderusedTotals {
  count: number
  /** The sum of the book values known (pence). */
  bookValuePence: number
  /** Assets counted with no book value. */
  unvalued: number
}

export interface UnderusedBodyRow extends UnderusedTotals {
  slug: string
  name: string
  type: string
  region: string | null
  /** The book value of the body's assets in the report's scope (its class and region), not disposed of. */
  registerBookValuePence: number
  /** The underused book value as a share of that, to one decimal place; null when that is nothing. */
  sharePercent: number | null
}

export interface UnderusedClassRow extends UnderusedTotals {
  code: string
  label: string
}

export interface UnderusedRegionRow extends UnderusedTotals {
  /** The filter value: the region's name, or `none`. */
  value: string
  label: string
}

export interface UnderusedReasonRow extends UnderusedTotals {
  reason: UnderusedReason
  label: string
}

export interface UnderusedReport {
  version: string
  filters: CleanUnderusedFilters
  total: UnderusedTotals & { bodies: number; registerBookValuePence: number; sharePercent: number | null }
  byReason: UnderusedReasonRow[]
  /** Bodies, classes and regions with any underused asset, by book value (highest first). */
  byBody: UnderusedBodyRow[]
  byClass: UnderusedClassRow[]
  byRegion: UnderusedRegionRow[]
  /** Where the mapped ones are, for the map's first view; null when none is mapped. */
  extent: Bbox | null
  /** The underused assets' positions in the index, in index order. */
  positions: Int32Array
  /** Per body position: assets in scope, their book value, and the underused book value and count. */
  scope: { assets: Int32Array; registerBook: Float64Array; underusedBook: Float64Array; underusedCount: Int32Array }
  /** The positions by book value (highest first), worked out when a whole list is first wanted (see underused-order.ts). */
  sorted?: Int32Array
}

/** Positions kept by the cache, 4 bytes each. */
const CACHE_POSITIONS = 8_000_000
const cache = new ReportCache<UnderusedReport>(CACHE_POSITIONS)

export const oneDecimal = (n: number) => Math.round(n * 10) / 10
export const shareOf = (part: number, whole: number): number | null => (whole > 0 ? oneDecimal((part * 100) / whole) : null)

/** The filters with defaults; a value that is not one is named in a ValidationError. */
export function cleanUnderusedFilters(index: AssetIndex, input: UnderusedFilters): CleanUnderusedFilters {
  const errors = new FieldErrors()
  const threshold = input.threshold ?? DEFAULT_THRESHOLD
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100) errors.add('threshold', 'Utilisation threshold must be a percentage from 0 to 100')
  const body = input.body?.trim().toLowerCase() || null
  if (body && index.organisationBySlug(body) === undefined) errors.add('body', 'Choose a body from the list')
  const assetClass = input.class?.trim().toLowerCase() || null
  if (assetClass && !CLASS_NUMBER.has(assetClass)) errors.add('class', 'Choose an asset class from the list')
  const region = input.region?.trim() || null
  if (region && regionNumber(regionsOf(index), region) === undefined) errors.add('region', 'Choose a region from the list')
  errors.throwIfAny()
  return { threshold, body, class: assetClass, region }
}

/** The report for the index as it is now (caught up first), from the cache when nothing changed. */
export async function underusedReport(index: AssetIndex, input: UnderusedFilters = {}): Promise<UnderusedReport> {
  const version = await index.catchUp()
  const filters = cleanUnderusedFilters(index, input)
  const key = JSON.stringify(filters)
  const held = cache.get(index, version, key)
  if (held) return held
  const report = computeUnderused(index, filters, version)
  cache.set(index, version, key, report, report.positions.length + 1)
  return report
}

/**
 * The report in one pass over the index (as it is: call `catchUp()` first). Disposed assets are
 * never counted; assets lent to another body are in the register but not underused, since the
 * borrower is using them.
 */
export function computeUnderused(index: AssetIndex, filters: CleanUnderusedFilters, version = ''): UnderusedReport {
  const { size, organisation, assetClass, status, utilisation, bookValue, holder, lat, lon } = index
  const bodies = index.organisations.length
  const regions = regionsOf(index)
  const regionOf = regions.of
  const onlyBody = filters.body === null ? -1 : index.organisationBySlug(filters.body)!
  const onlyClass = filters.class === null ? -1 : CLASS_NUMBER.get(filters.class)!
  const onlyRegion = filters.region === null ? -1 : regionNumber(regions, filters.region)!
  const threshold = filters.threshold
  const disposed = STATUS_NUMBER.get('disposed')!
  // Status number → reason number (0 underused, 1 vacant, 2 surplus), or -1.
  const reasonOfStatus = new Int8Array(STATUS_NUMBER.size).fill(-1)
  reasonOfStatus[STATUS_NUMBER.get('underused')!] = 0
  reasonOfStatus[STATUS_NUMBER.get('vacant')!] = 1
  reasonOfStatus[STATUS_NUMBER.get('surplus')!] = 2
  const LOW = 3

  const scopeAssets = new Int32Array(bodies)
  const registerBook = new Float64Array(bodies)
  const count = { body: new Int32Array(bodies), class: new Int32Array(CLASS_TERMS.length), region: new Int32Array(regions.names.length + 1), reason: new Int32Array(4) }
  const book = { body: new Float64Array(bodies), class: new Float64Array(CLASS_TERMS.length), region: new Float64Array(regions.names.length + 1), reason: new Float64Array(4) }
  const unvalued = { body: new Int32Array(bodies), class: new Int32Array(CLASS_TERMS.length), region: new Int32Array(regions.names.length + 1), reason: new Int32Array(4) }
  const positions = new Int32Array(size)
  let found = 0
  let minLon = Infinity
  let minLat = Infinity
  let maxLon = -Infinity
  let maxLat = -Infinity

  for (let i = 0; i < size; i++) {
    const o = organisation[i]!
    if (o < 0) continue
    const s = status[i]!
    if (s === disposed) continue
    if (onlyBody >= 0 && o !== onlyBody) continue
    const c = assetClass[i]!
    if (onlyClass >= 0 && c !== onlyClass) continue
    const r = regionOf[o]!
    if (onlyRegion >= 0 && r !== onlyRegion) continue
    const b = bookValue[i]!
    const valued = b === b
    scopeAssets[o]!++
    if (valued) registerBook[o]! += b
    if (holder[i]! >= 0) continue
    let reason: number = reasonOfStatus[s]!
    // NaN (not measured) fails the comparison.
    if (reason < 0) {
      if (utilisation[i]! < threshold) reason = LOW
      else continue
    }
    positions[found++] = i
    count.body[o]!++
    count.class[c]!++
    count.region[r]!++
    count.reason[reason]!++
    if (valued) {
      book.body[o]! += b
      book.class[c]! += b
      book.region[r]! += b
      book.reason[reason]! += b
    } else {
      unvalued.body[o]!++
      unvalued.class[c]!++
      unvalued.region[r]!++
      unvalued.reason[reason]!++
    }
    const y = lat[i]!
    if (y === y) {
      const x = lon[i]!
      if (x < minLon) minLon = x
      if (x > maxLon) maxLon = x
      if (y < minLat) minLat = y
      if (y > maxLat) maxLat = y
    }
  }

  const totals = (kind: 'body' | 'class' | 'region' | 'reason', k: number): UnderusedTotals => ({ count: count[kind][k]!, bookValuePence: book[kind][k]!, unvalued: unvalued[kind][k]! })
  const byValue = <T extends UnderusedTotals>(rows: T[], name: (row: T) => string) =>
    rows.filter((row) => row.count > 0).sort((a, b) => b.bookValuePence - a.bookValuePence || b.count - a.count || name(a).localeCompare(name(b)))

  const byBody = byValue(
    index.organisations.map((org, o) => ({
      slug: org.slug,
      name: org.name,
      type: org.type,
      region: org.region,
      ...totals('body', o),
      registerBookValuePence: registerBook[o]!,
      sharePercent: shareOf(book.body[o]!, registerBook[o]!),
    })),
    (row) => row.name,
  )
  const byClass = byValue(
    CLASS_TERMS.map((term, c) => ({ code: term.code, label: term.label, ...totals('class', c) })),
    (row) => row.label,
  )
  const byRegion = byValue(
    [...regions.names, null].map((name, r) => ({ value: name ?? NO_REGION, label: name ?? NO_REGION_LABEL, ...totals('region', r) })),
    (row) => row.label,
  )
  const byReason = REASONS.map((reason, k) => ({ reason: reason.code, label: reason.label, ...totals('reason', k) }))
  let registerTotal = 0
  for (let o = 0; o < bodies; o++) registerTotal += registerBook[o]!
  const sum = (key: keyof UnderusedTotals) => byReason.reduce((n, row) => n + row[key], 0)
  const bookTotal = sum('bookValuePence')
  return {
    version,
    filters,
    total: { count: found, bookValuePence: bookTotal, unvalued: sum('unvalued'), bodies: byBody.length, registerBookValuePence: registerTotal, sharePercent: shareOf(bookTotal, registerTotal) },
    byReason,
    byBody,
    byClass,
    byRegion,
    extent: minLon <= maxLon ? [minLon, minLat, maxLon, maxLat] : null,
    positions: positions.slice(0, found),
    scope: { assets: scopeAssets, registerBook, underusedBook: book.body, underusedCount: count.body },
  }
}
