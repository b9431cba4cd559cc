import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import { addMonths, isOverdue, todayInUk } from './dates.js'
import { toDataset, type Dataset } from './model.js'
import type { DatasetRow } from './repository.js'
import { ACCESS_LEVELS, DATASET_STATUSES, LICENCES, THEMES, type DatePrecision } from './vocabularies.js'

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

export type DueWithin = 'month' | 'quarter' | 'year'
export type DatasetSort = 'relevance' | 'title' | 'updated' | 'next-release'
export type FacetName = 'publisher' | 'theme' | 'status' | 'access' | 'format' | 'licence' | 'due'

export const DUE_WITHIN: { code: DueWithin; label: string; months: number }[] = [
  { code: 'month', label: 'Next month', months: 1 },
  { code: 'quarter', label: 'Next 3 months', months: 3 },
  { code: 'year', label: 'Next 12 months', months: 12 },
]
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
/** Prefix-matching one or two letters would expand to most of the index. */
const MIN_PREFIX_LENGTH = 3
const COUNT_CACHE_SIZE = 500
const COUNT_CACHE_AGE_MS = 60_000

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
  return terms.map((t, i) => (i === terms.length - 1 && t.length >= MIN_PREFIX_LENGTH ? `"${t}"*` : `"${t}"`)).join(' ')
}

/** A `to_tsquery` expression with the same meaning as {@link fts5Query}. */
export function tsQuery(terms: string[]): string {
  return terms.map((t, i) => (i === terms.length - 1 && t.length >= MIN_PREFIX_LENGTH ? `${t}:*` : t)).join(' & ')
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
 * count of each facet value. SQLite searches its FTS5 index and PostgreSQL its tsvector, with
 * the words prepared identically so both return the same datasets.
 */
export class DatasetSearch {
  private readonly cache = new Map<string, { version: string; at: number; value: Counted }>()

  constructor(
    private readonly db: Db,
    private readonly today: () => string = () => todayInUk(),
  ) {}

  async search(input: DatasetFilters, page: PageRequest, requestedSort?: DatasetSort): Promise<DatasetSearchResult> {
    const filters = cleanFilters(input)
    const terms = searchTerms(filters.q)
    const today = this.today()
    // Without words there is nothing to rank by; newest first is also what the index serves fastest.
    const sort: DatasetSort = requestedSort && (requestedSort !== 'relevance' || terms.length > 0) ? requestedSort : terms.length > 0 ? 'relevance' : 'updated'
    const context: QueryContext = { filters, terms, today }
    const [items, counted] = await Promise.all([this.page(context, page, sort), this.counted(context)])
    return {
      items: await this.withOverdue(items, today),
      total: counted.total,
      ...page,
      facets: counted.facets,
      sort,
      filters,
      terms,
    }
  }

  /**
   * The total and the facets, which cost a scan of every matching dataset, are kept for the
   * same search until any dataset changes: every write moves the latest `updated_at`, which an
   * index answers at once. The age limit covers two writes within one millisecond.
   */
  private async counted(context: QueryContext): Promise<Counted> {
    const key = JSON.stringify([context.filters, context.terms, context.today])
    const latest = await this.db.kysely
      .selectFrom('datasets')
      .select((eb) => eb.fn.max('updated_at').as('v'))
      .executeTakeFirst()
    const version = String(latest?.v ?? '')
    const cached = this.cache.get(key)
    if (cached && cached.version === version && Date.now() - cached.at < COUNT_CACHE_AGE_MS) {
      // Re-inserting keeps the most used searches at the young end of the map.
      this.cache.delete(key)
      this.cache.set(key, cached)
      return cached.value
    }
    const [vocabulary, publisher, format] = await Promise.all([this.vocabularyFacets(context), this.publisherFacet(context), this.formatFacet(context)])
    const value: Counted = { total: vocabulary.total, facets: { publisher, format, ...vocabulary.facets } }
    this.cache.set(key, { version, at: Date.now(), value })
    if (this.cache.size > COUNT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!)
    return value
  }

  // ---- the query ----

  /** Every filter as SQL over `d` (datasets), leaving out one facet's own. */
  private where({ filters, terms, today }: QueryContext, omit?: FacetName, withText = true): Condition {
    const conditions: Condition[] = []
    if (withText && terms.length > 0) conditions.push(this.textCondition(terms))
    if (omit !== 'publisher' && filters.publisher.length > 0) conditions.push(publisherCondition(filters.publisher))
    if (omit !== 'theme' && filters.theme.length > 0) conditions.push(themeCondition(filters.theme))
    if (omit !== 'status' && filters.status.length > 0) conditions.push(sql`d.status in (${sql.join(filters.status)})`)
    if (omit !== 'access' && filters.access.length > 0) conditions.push(sql`d.access_level in (${sql.join(filters.access)})`)
    if (omit !== 'licence' && filters.licence.length > 0) conditions.push(sql`d.licence in (${sql.join(filters.licence)})`)
    if (omit !== 'format' && filters.format.length > 0) {
      conditions.push(sql`exists (select 1 from distributions x where x.dataset_id = d.id and x.format in (${sql.join(filters.format)}))`)
    }
    if (omit !== 'due' && filters.due) conditions.push(dueCondition(filters.due, today))
    return conditions.length > 0 ? sql`(${sql.join(conditions, sql` and `)})` : sql`1 = 1`
  }

  private textCondition(terms: string[]): Condition {
    if (this.db.engine === 'postgres') {
      return sql`d.id in (select dataset_id from datasets_fts where document @@ to_tsquery('english', ${tsQuery(terms)}))`
    }
    return sql`d.search_rowid in (select rowid from datasets_fts where datasets_fts match ${fts5Query(terms)})`
  }

  private async page(context: QueryContext, page: PageRequest, sort: DatasetSort): Promise<ResultRow[]> {
    const limit = sql`limit ${page.pageSize} offset ${(page.page - 1) * page.pageSize}`
    const columns = sql`d.*, o.slug as publisher_slug, o.name as publisher_name`
    const byTitle = this.db.engine === 'postgres' ? sql`lower(d.title) collate "C", d.id` : sql`lower(d.title), d.id`
    if (sort === 'relevance') {
      // The rank needs the index row itself, so the text match drives the join here.
      const where = this.where(context, undefined, false)
      const query =
        this.db.engine === 'postgres'
          ? sql<ResultRow>`
              select ${columns} from datasets_fts f
              join datasets d on d.id = f.dataset_id
              join organisations o on o.id = d.organisation_id
              where f.document @@ to_tsquery('english', ${tsQuery(context.terms)}) and ${where}
              order by ts_rank_cd(f.document, to_tsquery('english', ${tsQuery(context.terms)})) desc, ${byTitle}
              ${limit}`
          : sql<ResultRow>`
              select ${columns} from datasets_fts
              join datasets d on d.search_rowid = datasets_fts.rowid
              join organisations o on o.id = d.organisation_id
              where datasets_fts match ${fts5Query(context.terms)} and ${where}
              order by bm25(datasets_fts, 0.0, 10.0, 1.0, 5.0, 3.0), ${byTitle}
              ${limit}`
      return (await query.execute(this.db.kysely)).rows
    }
    const order =
      sort === 'updated'
        ? sql`d.updated_at desc, d.id desc`
        : sort === 'next-release'
          ? sql`case when d.next_release_date is null then 1 else 0 end, d.next_release_date, ${byTitle}`
          : byTitle
    const query = sql<ResultRow>`
      select ${columns} from datasets d
      join organisations o on o.id = d.organisation_id
      where ${this.where(context)}
      order by ${order}
      ${limit}`
    return (await query.execute(this.db.kysely)).rows
  }

  /**
   * Theme, status, access, licence and "due within" come from fixed lists, so each is a column
   * of conditional counts. Facets whose own filter is not in use see the same datasets, so they
   * share one scan (which also gives the total); a facet in use gets a scan without its filter.
   */
  private async vocabularyFacets(context: QueryContext) {
    const { filters, today } = context
    const facetColumns: Record<VocabularyFacet, { value: string; label: string; test: Condition }[]> = {
      theme: THEMES.map((t) => ({ value: t.code, label: t.label, test: themeCondition([t.code]) })),
      status: DATASET_STATUSES.map((s) => ({ value: s.code, label: s.label, test: sql`d.status = ${s.code}` })),
      access: ACCESS_LEVELS.map((a) => ({ value: a.code, label: a.label, test: sql`d.access_level = ${a.code}` })),
      licence: LICENCES.map((l) => ({ value: l.code, label: l.label, test: sql`d.licence = ${l.code}` })),
      due: DUE_WITHIN.map((d) => ({ value: d.code, label: d.label, test: dueCondition(d.code, today) })),
    }
    const active = (name: VocabularyFacet) => (name === 'due' ? filters.due !== undefined : filters[name].length > 0)
    const groups = new Map<VocabularyFacet | 'all', VocabularyFacet[]>([['all', []]])
    for (const name of VOCABULARY_FACETS) {
      if (active(name)) groups.set(name, [name])
      else groups.get('all')!.push(name)
    }
    const counts = await Promise.all(
      [...groups].map(async ([omit, names]) => {
        const tests = names.flatMap((name) => facetColumns[name].map((c) => c.test))
        const sums = tests.map((test, i) => sql`sum(case when ${test} then 1 else 0 end) as ${sql.ref(`c${i}`)}`)
        const row = (
          await sql<Record<string, number | null>>`
            select ${sql.join([sql`count(*) as total`, ...sums])}
            from datasets d where ${this.where(context, omit === 'all' ? undefined : omit)}`.execute(this.db.kysely)
        ).rows[0]!
        return { omit, names, row }
      }),
    )
    const facets = {} as Record<VocabularyFacet, FacetValue[]>
    let total = 0
    for (const { omit, names, row } of counts) {
      if (omit === 'all') total = Number(row.total ?? 0)
      let i = 0
      for (const name of names) {
        const selected: (string | undefined)[] = name === 'due' ? [filters.due] : filters[name]
        facets[name] = facetColumns[name]
          .map((c) => ({ value: c.value, label: c.label, count: Number(row[`c${i++}`] ?? 0), selected: selected.includes(c.value) }))
          .filter((v) => v.count > 0 || v.selected)
      }
    }
    return { total, facets }
  }

  private async publisherFacet(context: QueryContext): Promise<PublisherFacetValue[]> {
    const rows = (
      await sql<{ id: string; slug: string; name: string; n: number }>`
        select o.id, o.slug, o.name, c.n from (
          select d.organisation_id, count(*) as n from datasets d
          where ${this.where(context, 'publisher')}
          group by d.organisation_id
        ) c join organisations o on o.id = c.organisation_id`.execute(this.db.kysely)
    ).rows
    const selected = new Set(context.filters.publisher)
    const values = rows
      .map((r) => ({ value: r.slug, label: r.name, id: r.id, slug: r.slug, name: r.name, count: Number(r.n), selected: selected.has(r.slug) }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    return keepTopAndSelected(values, PUBLISHER_FACET_SIZE)
  }

  private async formatFacet(context: QueryContext): Promise<FacetValue[]> {
    const rows = (
      await sql<{ format: string; n: number }>`
        select x.format, count(distinct x.dataset_id) as n
        from distributions x join datasets d on d.id = x.dataset_id
        where x.format is not null and ${this.where(context, 'format')}
        group by x.format`.execute(this.db.kysely)
    ).rows
    const selected = new Set(context.filters.format)
    const values = rows
      .map((r) => ({ value: r.format, label: r.format, count: Number(r.n), selected: selected.has(r.format) }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    for (const format of selected) if (!values.some((v) => v.value === format)) values.push({ value: format, label: format, count: 0, selected: true })
    return keepTopAndSelected(values, FORMAT_FACET_SIZE)
  }

  /** One query for the page's releases that have passed unreleased. */
  private async withOverdue(rows: ResultRow[], today: string): Promise<DatasetSearchItem[]> {
    const ids = rows.map((r) => r.id)
    const late = new Set<string>()
    if (ids.length > 0) {
      const releases = await this.db.kysely
        .selectFrom('releases')
        .select(['dataset_id', 'planned_date', 'precision', 'state'])
        .where('dataset_id', 'in', ids)
        .where('state', 'in', ['provisional', 'confirmed'])
        .where('planned_date', '<', today)
        .execute()
      for (const r of releases) if (isOverdue({ date: r.planned_date, precision: r.precision as DatePrecision }, r.state, today)) late.add(r.dataset_id)
    }
    return rows.map((row) => ({
      ...toDataset(row),
      publisher: { id: row.organisation_id, slug: row.publisher_slug, name: row.publisher_name },
      overdue: late.has(row.id),
    }))
  }
}

interface Counted {
  total: number
  facets: SearchFacets
}

interface QueryContext {
  filters: DatasetSearchResult['filters']
  terms: string[]
  today: string
}

type ResultRow = DatasetRow & { publisher_slug: string; publisher_name: string }
type VocabularyFacet = 'theme' | 'status' | 'access' | 'licence' | 'due'
const VOCABULARY_FACETS: VocabularyFacet[] = ['theme', 'status', 'access', 'licence', 'due']

function dueCondition(due: DueWithin, today: string): Condition {
  const months = DUE_WITHIN.find((d) => d.code === due)!.months
  return sql`(d.next_release_date >= ${today} and d.next_release_date <= ${addMonths(today, months)})`
}

/** The biggest values, plus any selected value outside them so it can still be unticked. */
function keepTopAndSelected<T extends FacetValue>(values: T[], size: number): T[] {
  const top = values.slice(0, size)
  return [...top, ...values.slice(size).filter((v) => v.selected)]
}
