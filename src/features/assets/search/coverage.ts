import { CATEGORISE_THRESHOLD_PENCE } from '../vocabularies.js'
import type { AssetSearch } from './search.js'
import { CLASS_NUMBER, CPV_DIVISION_NUMBER, NONE, STATUS_NUMBER } from './vocabulary.js'

/*
 * The £1,000 rule's progress: of the assets worth £1,000 or more (current value, else
 * acquisition cost), how many carry a class and a CPV code, how many are mapped, and how many
 * both, for each body and for the whole public sector. Cheaper assets do not count, nor do
 * disposed ones (they have left public ownership).
 */

export interface CoverageCounts {
  /** Assets the rule applies to. */
  counted: number
  categorised: number
  mapped: number
  both: number
}

export interface CoverageRow extends CoverageCounts {
  slug: string
  name: string
  /** Every asset the body has recorded, whatever its value. */
  recorded: number
}

export type CoverageSort = 'name' | 'counted' | 'categorised' | 'mapped' | 'both'
export const COVERAGE_SORTS: CoverageSort[] = ['name', 'counted', 'categorised', 'mapped', 'both']

export interface Coverage {
  rows: CoverageRow[]
  total: CoverageCounts & { recorded: number; bodies: number }
}

/** A share of the counted assets, in whole percent rounded down (99.6 % is not yet 100 %); null when nothing counts. */
export function percentOf(part: number, counted: number): number | null {
  return counted === 0 ? null : Math.floor((part * 100) / counted)
}

/** The latest coverage of each search index, until an asset changes. */
const cache = new WeakMap<AssetSearch, { version: string; coverage: Coverage }>()

/** The coverage of every body with assets in the register, in one pass over the index. */
export async function assetCoverage(search: AssetSearch): Promise<Coverage> {
  const version = await search.index.catchUp()
  const cached = cache.get(search)
  if (cached?.version === version) return cached.coverage
  const { size, organisations, organisation, value, status, assetClass, cpvDivision, lat } = search.index
  const bodies = organisations.length
  const recorded = new Int32Array(bodies)
  const counted = new Int32Array(bodies)
  const categorised = new Int32Array(bodies)
  const mapped = new Int32Array(bodies)
  const both = new Int32Array(bodies)
  const disposed = STATUS_NUMBER.get('disposed')!
  const noClass = CLASS_NUMBER.get(NONE)!
  const noCpv = CPV_DIVISION_NUMBER.get(NONE)!
  for (let i = 0; i < size; i++) {
    const o = organisation[i]!
    if (o < 0) continue
    recorded[o]!++
    // NaN (not valued) fails the comparison, so unvalued assets do not count.
    if (!(value[i]! >= CATEGORISE_THRESHOLD_PENCE) || status[i] === disposed) continue
    counted[o]!++
    const isCategorised = assetClass[i] !== noClass && cpvDivision[i] !== noCpv
    const isMapped = !Number.isNaN(lat[i]!)
    if (isCategorised) categorised[o]!++
    if (isMapped) mapped[o]!++
    if (isCategorised && isMapped) both[o]!++
  }
  const rows: CoverageRow[] = []
  const total = { recorded: 0, counted: 0, categorised: 0, mapped: 0, both: 0, bodies: 0 }
  for (let o = 0; o < bodies; o++) {
    if (recorded[o] === 0) continue
    const row = { slug: organisations[o]!.slug, name: organisations[o]!.name, recorded: recorded[o]!, counted: counted[o]!, categorised: categorised[o]!, mapped: mapped[o]!, both: both[o]! }
    rows.push(row)
    total.bodies++
    for (const key of ['recorded', 'counted', 'categorised', 'mapped', 'both'] as const) total[key] += row[key]
  }
  rows.sort((a, b) => a.name.localeCompare(b.name))
  const coverage = { rows, total }
  cache.set(search, { version, coverage })
  return coverage
}

/** The rows in an order: by name, by how many count, or by a share of them (lowest first when ascending). */
export function sortCoverage(rows: CoverageRow[], sort: CoverageSort, direction: 'asc' | 'desc'): CoverageRow[] {
  const sign = direction === 'asc' ? 1 : -1
  const key = (row: CoverageRow): number => (sort === 'counted' ? row.counted : (percentOf(row[sort as 'both'], row.counted) ?? -1))
  const byName = (a: CoverageRow, b: CoverageRow) => a.name.localeCompare(b.name)
  return [...rows].sort((a, b) => (sort === 'name' ? sign * byName(a, b) : sign * (key(a) - key(b)) || byName(a, b)))
}
