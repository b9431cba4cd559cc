import type { AssetIndex } from './asset-index.js'
import type { CleanFilters, FacetName } from './filters.js'
import { CLASS_NUMBER, CONDITION_NUMBER, CPV_DIVISION_NUMBER, STATUS_NUMBER, VALUE_NUMBER } from './vocabulary.js'

/*
 * The assets of each facet value, as lists of positions (one counting sort per facet, rebuilt
 * when the register changes). A search filtered by a narrow value, such as one body or vacant
 * assets, then reads only those assets instead of all million. The chosen facet's own counts
 * are those of the same search without it, which the search reads (and caches) separately.
 */

interface ValueLists {
  /** Positions, value by value. */
  order: Int32Array
  /** Where each value's positions start in {@link order}; one more entry than there are values. */
  start: Int32Array
}

/** A filter worth reading by its lists: fewer than this share of the register passes it. */
const NARROW = 0.25

function listsOf(column: ArrayLike<number>, size: number, values: number, offset: number): ValueLists {
  const start = new Int32Array(values + 1)
  for (let i = 0; i < size; i++) start[column[i]! + offset + 1]!++
  for (let v = 0; v < values; v++) start[v + 1]! += start[v]!
  const next = start.slice(0, values)
  const order = new Int32Array(size)
  for (let i = 0; i < size; i++) order[next[column[i]! + offset]!++] = i
  return { order, start }
}

export class FacetLists {
  private readonly lists = new Map<FacetName, ValueLists>()

  constructor(private readonly index: AssetIndex) {}

  private listsFor(facet: FacetName): ValueLists {
    let lists = this.lists.get(facet)
    if (!lists) {
      const { index } = this
      const [column, values, offset] = {
        body: [index.organisation, index.organisations.length + 1, 1],
        class: [index.assetClass, CLASS_NUMBER.size, 0],
        cpv: [index.cpvDivision, CPV_DIVISION_NUMBER.size, 0],
        status: [index.status, STATUS_NUMBER.size, 0],
        condition: [index.condition, CONDITION_NUMBER.size, 0],
        available: [index.available, 2, 0],
        value: [index.valueBand, VALUE_NUMBER.size, 0],
      }[facet] as [ArrayLike<number>, number, number]
      lists = listsOf(column, index.size, values, offset)
      this.lists.set(facet, lists)
    }
    return lists
  }

  /** The chosen values of a facet, as numbers of its lists. */
  private chosen(facet: FacetName, filters: CleanFilters): number[] {
    const { index } = this
    const table = { class: CLASS_NUMBER, cpv: CPV_DIVISION_NUMBER, status: STATUS_NUMBER, condition: CONDITION_NUMBER, value: VALUE_NUMBER }
    if (facet === 'body') return filters.body.map((slug) => index.organisationBySlug(slug)).filter((o): o is number => o !== undefined).map((o) => o + 1)
    if (facet === 'available') return filters.available.length === 1 ? [filters.available[0] === 'yes' ? 1 : 0] : []
    return filters[facet].map((code) => table[facet].get(code)).filter((n): n is number => n !== undefined)
  }

  /**
   * The filtered facet passed by the fewest assets, with their positions, when it is narrow
   * enough to be worth reading alone; undefined otherwise.
   */
  narrowest(filters: CleanFilters, facets: readonly FacetName[]): { facet: FacetName; positions: Int32Array } | undefined {
    let best: { facet: FacetName; values: number[]; count: number } | undefined
    for (const facet of facets) {
      if (filters[facet].length === 0 || (facet === 'available' && filters.available.length !== 1)) continue
      const { start } = this.listsFor(facet)
      const values = this.chosen(facet, filters)
      const count = values.reduce((n, v) => n + start[v + 1]! - start[v]!, 0)
      if (!best || count < best.count) best = { facet, values, count }
    }
    if (!best || best.count > this.index.size * NARROW) return undefined
    const { order, start } = this.listsFor(best.facet)
    const positions = new Int32Array(best.count)
    let at = 0
    for (const v of best.values.sort((a, b) => a - b)) {
      positions.set(order.subarray(start[v]!, start[v + 1]!), at)
      at += start[v + 1]! - start[v]!
    }
    return { facet: best.facet, positions }
  }
}
