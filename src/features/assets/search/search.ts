import { todayInUk } from '../../../platform/uk-date.js'
import { sql } from 'kysely'
import type { Db } from '../../../db/connection.js'
import { perDatabase } from '../../../db/per-database.js'
import type { Page, PageRequest } from '../../../platform/pagination.js'
import { searchTerms } from '../../datasets/search.js'
import { WeightedCache } from '../../datasets/weighted-cache.js'
import { toAsset, type Asset, type AssetRow } from '../model.js'
import { AssetIndex } from './asset-index.js'
import { countFacets, type AssetFacetCounts } from './facet-counts.js'
import { FacetLists } from './facet-lists.js'
import { FACETS, cleanFilters, type AssetFilters, type CleanFilters, type FacetName } from './filters.js'
import { TermMatches } from './term-matches.js'
import { best } from '../../../platform/top-k.js'
import { AVAILABLE_TERMS, CLASS_TERMS, CONDITION_TERMS, CPV_DIVISION_TERMS, STATUS_TERMS, VALUE_TERMS, type FacetTerm } from './vocabulary.js'

export type AssetSort = 'relevance' | 'name' | 'value' | 'updated'

export const ASSET_SORTS: { code: AssetSort; label: string }[] = [
  { code: 'relevance', label: 'Best match' },
  { code: 'name', label: 'Name (A to Z)' },
  { code: 'value', label: 'Value (highest first)' },
  { code: 'updated', label: 'Recently updated' },
]

export interface Owner {
  id: string
  slug: string
  name: string
}

export interface AssetSearchItem extends Asset {
  owner: Owner
}

export interface FacetValue {
  value: string
  label: string
  count: number
  selected: boolean
}

export type AssetFacets = Record<FacetName, FacetValue[]>

export interface AssetSearchResult extends Page<AssetSearchItem> {
  facets: AssetFacets
  sort: AssetSort
  filters: CleanFilters
  terms: string[]
}

const BODY_FACET_SIZE = 20
/** Positions kept by each cache (4 bytes each). */
const CACHE_POSITIONS = 8_000_000
const MAX_PARTIAL_SORT = 1000
/** Pages of results kept with each cached search. */
const PAGES_KEPT = 3
/** What a kept page of assets weighs in positions (20 assets of a few kilobytes each). */
const PAGE_WEIGHT = 10_000

export interface CountedSearch {
  counts: AssetFacetCounts
  score?: (position: number) => number
  sorted: Map<AssetSort, Int32Array>
  facets?: AssetFacets
  pages: Map<string, AssetSearchItem[]>
}

/**
 * Finds assets in the register: words matched by the full-text index, then filtering, facet
 * counts and ordering over the in-memory index. Results are cached per search until any asset
 * changes.
 */
export class AssetSearch {
  readonly index: AssetIndex
  private readonly terms: TermMatches
  private readonly counted = new WeightedCache<CountedSearch>(CACHE_POSITIONS)
  private lists?: { version: string; lists: FacetLists }

  constructor(private readonly db: Db) {
    this.index = new AssetIndex(db)
    this.terms = new TermMatches(db, this.index)
  }

  /** Reads the index ahead of the first search. */
  async warmUp(): Promise<void> {
    await this.index.catchUp()
  }

  /**
   * The positions of the assets matching the words and filters, with the facet counts (cached
   * by the index's version). Exports and the map start from here too.
   */
  async find(input: AssetFilters): Promise<{ key: string; filters: CleanFilters; terms: string[]; version: string; counted: CountedSearch }> {
    const filters = cleanFilters(input)
    const terms = searchTerms(filters.q)
    const version = await this.index.catchUp()
    const key = JSON.stringify([version, terms, { ...filters, q: undefined }])
    let counted = this.counted.get(key)
    if (!counted) {
      // Ranked by how many of the words are in the name (so "library" puts libraries before the
      // assets of Library Road), the same on both engines.
      const match = terms.length > 0 ? await this.terms.matching(terms, version) : null
      const counts = match ? countFacets(this.index, match.positions, filters) : await this.countWithoutWords(filters, version)
      counted = { counts, ...(match ? { score: match.score } : {}), sorted: new Map(), pages: new Map() }
      this.counted.set(key, counted, counted.counts.passing.length + 1 + PAGES_KEPT * PAGE_WEIGHT)
    }
    return { key, filters, terms, version, counted }
  }

  /**
   * Counts the facets over the assets of the narrowest filter when one is narrow (its own
   * facet's counts are those of the search without it), else over every asset.
   */
  private async countWithoutWords(filters: CleanFilters, version: string): Promise<AssetFacetCounts> {
    if (this.lists?.version !== version) this.lists = { version, lists: new FacetLists(this.index) }
    const narrow = this.lists.lists.narrowest(filters, FACETS)
    if (!narrow) return countFacets(this.index, null, filters)
    const counts = countFacets(this.index, narrow.positions, filters)
    const without = await this.find({ ...filters, [narrow.facet]: [] })
    return { ...counts, [narrow.facet]: without.counted.counts[narrow.facet] }
  }

  async search(input: AssetFilters, page: PageRequest, requestedSort?: AssetSort): Promise<AssetSearchResult> {
    const { filters, terms, counted } = await this.find(input)
    const sort: AssetSort = requestedSort && (requestedSort !== 'relevance' || terms.length > 0) ? requestedSort : terms.length > 0 ? 'relevance' : 'name'
    counted.facets ??= this.facets(counted.counts, filters)
    const pageKey = `${sort}|${page.page}|${page.pageSize}`
    let items = counted.pages.get(pageKey)
    if (!items) {
      items = await this.rowsAt(this.pageOf(counted, sort, page))
      if (counted.pages.size >= PAGES_KEPT) counted.pages.delete(counted.pages.keys().next().value!)
      counted.pages.set(pageKey, items)
    }
    return { items, total: counted.counts.passing.length, ...page, facets: counted.facets, sort, filters, terms }
  }

  private pageOf(counted: CountedSearch, sort: AssetSort, page: PageRequest): Int32Array {
    const offset = (page.page - 1) * page.pageSize
    const wanted = offset + page.pageSize
    const { passing } = counted.counts
    let sorted = counted.sorted.get(sort)
    if (!sorted || (sorted.length < wanted && sorted.length < passing.length)) {
      const compare = this.compare(sort, counted.score)
      if (wanted > MAX_PARTIAL_SORT) return Int32Array.from(passing).sort(compare).subarray(offset, wanted)
      sorted = best(passing.length, wanted, (a, b) => compare(passing[a]!, passing[b]!)).map((i) => passing[i]!)
      counted.sorted.set(sort, sorted)
    }
    return sorted.subarray(offset, wanted)
  }

  /** Orders of positions; every one ends with the id so pages never overlap. */
  compare(sort: AssetSort, score?: (position: number) => number): (a: number, b: number) => number {
    const { ids, nameKey, value, updated } = this.index
    const byId = (a: number, b: number) => ids[a]! - ids[b]!
    const byName = (a: number, b: number) => (nameKey[a]! < nameKey[b]! ? -1 : nameKey[a]! > nameKey[b]! ? 1 : byId(a, b))
    if (sort === 'relevance') return score ? (a, b) => score(b) - score(a) || byName(a, b) : byName
    if (sort === 'name') return byName
    if (sort === 'updated') return (a, b) => updated[b]! - updated[a]! || byId(b, a)
    return (a, b) => {
      const x = value[a]!
      const y = value[b]!
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? byName(a, b) : Number.isNaN(x) ? 1 : -1
      return y - x || byName(a, b)
    }
  }

  private async rowsAt(positions: Int32Array): Promise<AssetSearchItem[]> {
    const ids = Array.from(positions, (p) => this.index.ids[p]!)
    const byId = await assetsWithOwners(this.db, ids)
    return ids.map((id) => byId.get(id)).filter((item) => item !== undefined)
  }

  private facets(counts: AssetFacetCounts, filters: CleanFilters): AssetFacets {
    const vocabulary = (terms: FacetTerm[], values: Int32Array, selected: string[]): FacetValue[] =>
      terms.map((t, i) => ({ value: t.code, label: t.label, count: values[i] ?? 0, selected: selected.includes(t.code) })).filter((v) => v.count > 0 || v.selected)
    const chosen = new Set(filters.body)
    const bodies = this.index.organisations
      .map((o, i) => ({ value: o.slug, label: o.name, count: counts.body[i] ?? 0, selected: chosen.has(o.slug) }))
      .filter((v) => v.count > 0 || v.selected)
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
    return {
      body: [...bodies.slice(0, BODY_FACET_SIZE), ...bodies.slice(BODY_FACET_SIZE).filter((v) => v.selected)],
      class: vocabulary(CLASS_TERMS, counts.class, filters.class),
      cpv: vocabulary(CPV_DIVISION_TERMS, counts.cpv, filters.cpv).sort((a, b) => b.count - a.count),
      status: vocabulary(STATUS_TERMS, counts.status, filters.status),
      condition: vocabulary(CONDITION_TERMS, counts.condition, filters.condition),
      available: vocabulary(AVAILABLE_TERMS, counts.available, filters.available),
      value: vocabulary(VALUE_TERMS, counts.value, filters.value),
    }
  }
}

/** The assets with these ids, each with its owner, by id: the rows of a page of results. */
export async function assetsWithOwners(db: Db, ids: readonly number[]): Promise<Map<number, AssetSearchItem>> {
  if (ids.length === 0) return new Map()
  const rows = (
    await sql<AssetRow & { owner_slug: string; owner_name: string }>`
      select a.*, o.slug as owner_slug, o.name as owner_name
      from assets a join organisations o on o.id = a.organisation_id
      where a.id in (${sql.join(ids)})`.execute(db.kysely)
  ).rows
  const today = todayInUk()
  return new Map(rows.map(({ owner_slug, owner_name, ...row }) => [Number(row.id), { ...toAsset(row, today), owner: { id: row.organisation_id, slug: owner_slug, name: owner_name } }]))
}

/** The search of a database: one per process and database, shared by pages, API, map and exports. */
export const assetSearchFor = perDatabase((db) => new AssetSearch(db))
