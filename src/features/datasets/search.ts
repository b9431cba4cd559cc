import { todayInUk } from '../../platform/uk-date.js'
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import { isOverdue } from './dates.js'
import { countFacets, type FacetCounts } from './facet-counts.js'
import { DatasetFacetIndex } from './facet-index.js'
import { toDataset, type Dataset } from './model.js'
import type { DatasetRow } from './repository.js'
import { best } from '../../platform/top-k.js'
import { phrasesOf, TextMatcher } from './text-matches.js'
import { WeightedCache } from './weighted-cache.js'
import { ACCESS_LEVELS, DATASET_STATUSES, DUE_WITHIN, LICENCES, THEMES, type DatePrecision, type DueWithin } from './vocabularies.js'

export { DUE_WITHIN, type DueWithin }

/** What a search is narrowed by. Values within a facet are alternatives; facets combine. */
export interface DatasetFilters {
  q?: string
  /** Organisation slugs. */
  publisher?: string[]
  theme?: string[]
  status?: string[]
  access?: string[]
  /** Distribution formats, as stored (upper case: `CSV`). */
  format?: string[]
  licence?: string[]
  /** Only datasets whose next release falls between today and this far ahead. */
  due?: DueWithin
}

export type DatasetSort = 'relevance' | 'title' | 'updated' | 'next-release'
export type FacetName = 'publisher' | 'theme' | 'status' | 'access' | 'format' | 'licence' | 'due'

export const SORTS: { code: DatasetSort; label: string }[] = [
  { code: 'relevance', label: 'Best match' },
  { code: 'title', label: 'Title (A to Z)' },
  { code: 'updated', label: 'Recently updated' },
  { code: 'next-release', label: 'Next release' },
]

export interface Publisher {
  id: string
  slug: string
  name: string
}

export interface DatasetSearchItem extends Dataset {
  publisher: Publisher
  /** A planned release whose period has passed unreleased. */
  overdue: boolean
}

export interface FacetValue {
  value: string
  label: string
  count: number
  selected: boolean
}

export interface PublisherFacetValue extends FacetValue {
  id: string
  slug: string
  name: string
}

export interface SearchFacets {
  publisher: PublisherFacetValue[]
  theme: FacetValue[]
  status: FacetValue[]
  access: FacetValue[]
  format: FacetValue[]
  licence: FacetValue[]
  due: FacetValue[]
}

export interface DatasetSearchResult extends Page<DatasetSearchItem> {
  facets: SearchFacets
  /** The sort actually applied (relevance needs search words). */
  sort: DatasetSort
  /** The filters as applied, after unknown values were dropped. */
  filters: Required<Omit<DatasetFilters, 'q' | 'due'>> & { q: string; due?: DueWithin }
  /** The words searched for, once stop words and punctuation are gone; empty when none. */
  terms: string[]
}

const PUBLISHER_FACET_SIZE = 20
const FORMAT_FACET_SIZE = 30
const MAX_TERMS = 12
const MAX_VALUES = 50
/** Positions kept by each cache (4 bytes each): searches repeat, and a catalogue is bounded. */
const CACHE_POSITIONS = 4_000_000
/**
 * Positions kept of single words' matches: more than of whole searches, because new searches are
 * mostly made of words already looked up, and a word in most datasets costs 100 ms or more to
 * score again (40 MB at most).
 */
const WORD_CACHE_POSITIONS = 10_000_000
/** Beyond this page depth, sorting everything is quicker than keeping the best so far. */
const MAX_PARTIAL_SORT = 1000
/** Pages of results kept with each cached search. */
const PAGES_KEPT = 10

/*
 * PostgreSQL's English stop words (tsearch_data/english.stop). PostgreSQL drops these from
 * queries; FTS5 would insist on them. Dropping them here, before either engine sees the query,
 * is what makes the two return the same datasets.
 */
const STOP_WORDS = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having do does did doing a an the and but if or because as until while of at by for with about against between into through during before after above below to from up down in out on off over under again further then once here there when where why how all any both each few more most other some such no nor not only own same so than too very s t can will just don should now`.split(
    ' ',
  ),
)

/**
 * The words of a search, as both engines' tokenisers see them: runs of letters and digits,
 * lower-cased, stop words dropped. Everything else (quotes, operators, brackets, `*`, `-`) is a
 * separator, so no input can change the shape of the query.
 */
export function searchTerms(text: string | undefined): string[] {
  const words = (text ?? '')
    .slice(0, 500)
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w && w.length <= 100 && !STOP_WORDS.has(w))
  return [...new Set(words)].slice(0, MAX_TERMS)
}

/** An FTS5 MATCH expression: every term quoted (so AND, NEAR, `:` mean nothing), ANDed. */
export function fts5Query(terms: string[]): string {
  return phrasesOf(terms)
    .map((p) => p.fts5)
    .join(' ')
}

/** A `to_tsquery` expression with the same meaning as {@link fts5Query}. */
export function tsQuery(terms: string[]): string {
  return phrasesOf(terms)
    .map((p) => p.tsquery)
    .join(' & ')
}

type Condition = RawBuilder<unknown>

/** A dataset (`d`) published by one of these bodies (slugs). */
export function publisherCondition(slugs: string[]): Condition {
  return sql`d.organisation_id in (select id from organisations where slug in (${sql.join(slugs)}))`
}

/**
 * A dataset (`d`) with any of these themes. Themes are a JSON array of fixed codes, so a quoted
 * code can only match that theme, and the same text test works on both engines.
 */
export function themeCondition(codes: string[]): Condition {
  return sql`(${sql.join(
    codes.map((code) => sql`d.themes like ${`%"${code}"%`}`),
    sql` or `,
  )})`
}

function pick(values: string[] | undefined, allowed?: Set<string>, normalise: (v: string) => string = (v) => v): string[] {
  const out = (values ?? []).map((v) => normalise(String(v).trim())).filter((v) => v && v.length <= 100 && (!allowed || allowed.has(v)))
  return [...new Set(out)].slice(0, MAX_VALUES)
}

const THEME_CODES = new Set(THEMES.map((t) => t.code))
const STATUS_CODES = new Set(DATASET_STATUSES.map((s) => s.code as string))
const ACCESS_CODES = new Set(ACCESS_LEVELS.map((a) => a.code as string))
const LICENCE_CODES = new Set(LICENCES.map((l) => l.code))

/** Keeps only values a facet can hold, so a hand-edited URL narrows nothing by accident. */
export function cleanFilters(filters: DatasetFilters): DatasetSearchResult['filters'] {
  const licenceByLower = new Map(LICENCES.map((l) => [l.code.toLowerCase(), l.code]))
  return {
    q: (filters.q ?? '').trim().slice(0, 200),
    publisher: pick(filters.publisher, undefined, (v) => v.toLowerCase()),
    theme: pick(filters.theme, THEME_CODES, (v) => v.toUpperCase()),
    status: pick(filters.status, STATUS_CODES, (v) => v.toLowerCase()),
    access: pick(filters.access, ACCESS_CODES, (v) => v.toLowerCase()),
    format: pick(filters.format, undefined, (v) => v.toUpperCase()).filter((v) => v.length <= 20),
    licence: pick(filters.licence, LICENCE_CODES, (v) => licenceByLower.get(v.toLowerCase()) ?? v),
    ...(filters.due && DUE_WITHIN.some((d) => d.code === filters.due) ? { due: filters.due } : {}),
  }
}

/**
 * Finds declared datasets: full-text search ranked by relevance, narrowed by facets, with the
 * count of each facet value. The words are matched by SQLite's FTS5 index or PostgreSQL's
 * tsvector, prepared identically so both find the same datasets; filtering, counting and
 * ordering then happen over the in-memory facet index, the same code on both engines.
 */
export class DatasetSearch {
  private readonly index: DatasetFacetIndex
  private readonly text: TextMatcher
  /** Counts and ordered pages for a search. */
  private readonly counted = new WeightedCache<CountedSearch>(CACHE_POSITIONS)

  constructor(
    private readonly db: Db,
    private readonly today: () => string = () => todayInUk(),
  ) {
    this.index = new DatasetFacetIndex(db)
    this.text = new TextMatcher(db, this.index, WORD_CACHE_POSITIONS)
  }

  /** Reads the index ahead of the first search (a server calls this once it is listening). */
  async warmUp(): Promise<void> {
    await this.index.catchUp()
  }

  async search(input: DatasetFilters, page: PageRequest, requestedSort?: DatasetSort): Promise<DatasetSearchResult> {
    const filters = cleanFilters(input)
    const terms = searchTerms(filters.q)
    const today = this.today()
    // Without words there is nothing to rank by; newest first is what people browsing want.
    const sort: DatasetSort = requestedSort && (requestedSort !== 'relevance' || terms.length > 0) ? requestedSort : terms.length > 0 ? 'relevance' : 'updated'
    const version = await this.index.catchUp()
    const counted = await this.count(filters, terms, today, version)
    counted.facets ??= this.facets(counted.counts, filters)
    // A page's rows can only change with the version, which is part of the cache key.
    const pageKey = `${sort}|${page.page}|${page.pageSize}`
    let items = counted.pages.get(pageKey)
    if (!items) {
      items = await this.rowsAt(this.pageOf(counted, sort, page), today)
      if (counted.pages.size >= PAGES_KEPT) counted.pages.delete(counted.pages.keys().next().value!)
      counted.pages.set(pageKey, items)
    }
    return { items, total: counted.counts.passing.length, ...page, facets: counted.facets, sort, filters, terms }
  }

  private async count(filters: DatasetSearchResult['filters'], terms: string[], today: string, version: string): Promise<CountedSearch> {
    const key = JSON.stringify([version, today, terms, { ...filters, q: undefined }])
    const cached = this.counted.get(key)
    if (cached) return cached
    const candidates = terms.length > 0 ? await this.text.match(terms, version) : null
    const counted: CountedSearch = { counts: countFacets(this.index, candidates, filters, today), sorted: new Map(), pages: new Map() }
    this.counted.set(key, counted, counted.counts.passing.length * 3 + 1)
    return counted
  }

  /** The page's positions in the order asked for, keeping the best so far rather than sorting all. */
  private pageOf(counted: CountedSearch, sort: DatasetSort, page: PageRequest): Int32Array {
    const offset = (page.page - 1) * page.pageSize
    const wanted = offset + page.pageSize
    const { passing, passingScores } = counted.counts
    let sorted = counted.sorted.get(sort)
    if (!sorted || (sorted.length < wanted && sorted.length < passing.length)) {
      // Orders compare indexes into `passing`, so the relevance order can reach the scores.
      const byTitle = this.compare('title')
      const compare =
        sort === 'relevance'
          ? (a: number, b: number) => passingScores[b]! - passingScores[a]! || byTitle(passing[a]!, passing[b]!)
          : ((order) => (a: number, b: number) => order(passing[a]!, passing[b]!))(this.compare(sort))
      const chosen = wanted > MAX_PARTIAL_SORT ? Int32Array.from(passing.keys()).sort(compare) : best(passing.length, wanted, compare)
      sorted = chosen.map((i) => passing[i]!)
      if (wanted > MAX_PARTIAL_SORT) return sorted.subarray(offset, wanted)
      counted.sorted.set(sort, sorted)
    }
    return sorted.subarray(offset, wanted)
  }

  private compare(sort: Exclude<DatasetSort, 'relevance'>): (a: number, b: number) => number {
    const { ids, titleKey, updated, nextRelease } = this.index
    const byId = (a: number, b: number) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0)
    const byTitle = (a: number, b: number) => (titleKey[a]! < titleKey[b]! ? -1 : titleKey[a]! > titleKey[b]! ? 1 : byId(a, b))
    if (sort === 'title') return byTitle
    if (sort === 'updated') return (a, b) => updated[b]! - updated[a]! || byId(b, a)
    return (a, b) => {
      const x = nextRelease[a]
      const y = nextRelease[b]
      if (x == null || y == null) return x == null && y == null ? byTitle(a, b) : x == null ? 1 : -1
      return x < y ? -1 : x > y ? 1 : byTitle(a, b)
    }
  }

  /**
   * The page's datasets with their publishers, in the order given, and whether each has a
   * release overdue: one query, the releases due before today gathered into a column of each row.
   */
  private async rowsAt(positions: Int32Array, today: string): Promise<DatasetSearchItem[]> {
    if (positions.length === 0) return []
    const ids = Array.from(positions, (p) => this.index.ids[p]!)
    // Date, precision and state of each: `2027-03-31 month confirmed`. The state is tested in
    // Node rather than in SQL, where it would tempt SQLite to use the (state, planned_date) index
    // and read every open release instead of this dataset's. A dataset's next release is its
    // earliest still open, so only one due before today can have an overdue release to read
    // (a withdrawn dataset has none, its releases cancelled, but is read to be sure).
    const release = sql`r.planned_date || ' ' || r.precision || ' ' || r.state`
    const gathered = this.db.engine === 'postgres' ? sql`string_agg(${release}, ',')` : sql`group_concat(${release}, ',')`
    const rows = (
      await sql<ResultRow & { past_releases: string | null }>`
        select d.*, o.slug as publisher_slug, o.name as publisher_name,
          case when d.next_release_date < ${today} or d.status = 'withdrawn'
            then (select ${gathered} from releases r where r.dataset_id = d.id and r.planned_date < ${today}) end as past_releases
        from datasets d join organisations o on o.id = d.organisation_id
        where d.id in (${sql.join(ids)})`.execute(this.db.kysely)
    ).rows
    const byId = new Map(rows.map((r) => [r.id, r]))
    const items: DatasetSearchItem[] = []
    for (const id of ids) {
      const row = byId.get(id)
      if (!row) continue
      // Built up rather than spread from the row and the dataset: copying every field of twenty
      // rows twice over was a twentieth of a loaded server's time.
      const item = toDataset(row) as DatasetSearchItem
      item.publisher = { id: row.organisation_id, slug: row.publisher_slug, name: row.publisher_name }
      item.overdue = anyOverdue(row.past_releases, today)
      items.push(item)
    }
    return items
  }

  private facets(counts: FacetCounts, filters: DatasetSearchResult['filters']): SearchFacets {
    const vocabulary = (list: { code: string; label: string }[], values: number[], selected: string[]) =>
      list.map((e, i) => ({ value: e.code, label: e.label, count: values[i] ?? 0, selected: selected.includes(e.code) })).filter((v) => v.count > 0 || v.selected)
    const chosenPublishers = new Set(filters.publisher)
    const publisher = this.index.organisations
      .map((o, i) => ({ value: o.slug, label: o.name, id: o.id, slug: o.slug, name: o.name, count: counts.publisher[i] ?? 0, selected: chosenPublishers.has(o.slug) }))
      .filter((v) => v.count > 0)
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    const chosenFormats = new Set(filters.format)
    const format: FacetValue[] = this.index.formatNames
      .map((name, i) => ({ value: name, label: name, count: counts.format[i] ?? 0, selected: chosenFormats.has(name) }))
      .filter((v) => v.count > 0)
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    for (const name of chosenFormats) if (!format.some((v) => v.value === name)) format.push({ value: name, label: name, count: 0, selected: true })
    return {
      publisher: keepTopAndSelected(publisher, PUBLISHER_FACET_SIZE),
      theme: vocabulary(THEMES, counts.theme, filters.theme),
      status: vocabulary(DATASET_STATUSES, counts.status, filters.status),
      access: vocabulary(ACCESS_LEVELS, counts.access, filters.access),
      format: keepTopAndSelected(format, FORMAT_FACET_SIZE),
      licence: vocabulary(LICENCES, counts.licence, filters.licence),
      due: vocabulary(DUE_WITHIN, counts.due, filters.due ? [filters.due] : []),
    }
  }
}

interface CountedSearch {
  counts: FacetCounts
  /** The first positions in each order asked for so far. */
  sorted: Map<DatasetSort, Int32Array>
  facets?: SearchFacets
  /** Pages already read, by sort, page and page size. */
  pages: Map<string, DatasetSearchItem[]>
}

type ResultRow = DatasetRow & { publisher_slug: string; publisher_name: string }

/** The biggest values, plus any selected value outside them so it can still be unticked. */
function keepTopAndSelected<T extends FacetValue>(values: T[], size: number): T[] {
  const top = values.slice(0, size)
  return [...top, ...values.slice(size).filter((v) => v.selected)]
}

/** Whether any of the releases gathered by {@link DatasetSearch.rowsAt} (`date precision state`, comma-separated) is overdue. */
function anyOverdue(gathered: string | null, today: string): boolean {
  if (!gathered) return false
  return gathered.split(',').some((release) => {
    const [date, precision, state] = release.split(' ') as [string, DatePrecision, string]
    return isOverdue({ date, precision }, state, today)
  })
}
