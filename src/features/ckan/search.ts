import { sql } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { CatalogueEntry, DatasetCatalogue } from '../datasets/catalogue.js'
import type { DatasetRow } from '../datasets/repository.js'
import { fts5Query, searchTerms, tsQuery } from '../datasets/search.js'
import { compileQuery, publicCondition, textCondition, TRUE, type Condition } from './conditions.js'
import { countFacet, type FacetCount } from './facets.js'
import { datasetName } from './names.js'
import { fieldsOf, parseQuery } from './query-parser.js'
import { planSort, type SortPlan } from './sort.js'

export interface PackageSearchInput {
  q: string
  /** `fq` and every `fq_list` entry: all must hold. */
  fq: string[]
  sort: string
  rows: number
  start: number
  facetFields: string[]
  /** Negative: every value. */
  facetLimit: number
  facetMincount: number
  /** CKAN's `include_deleted`: withdrawn datasets too. */
  includeWithdrawn: boolean
}

export interface PackageSearchResult {
  count: number
  entries: CatalogueEntry[]
  /** Per facet field, values by count (most first). */
  facets: Record<string, FacetCount[]>
}

/** A search made SQL: what to match, and the words to rank by. */
interface Compiled {
  /** Everything but the free-text words. */
  where: Condition
  /** `where` and the words: the whole match. */
  whereAll: Condition
  terms: string[]
  /** False when the query moves with the clock (NOW), so its answers must not be kept. */
  cacheable: boolean
}

const CACHE_SIZE = 500
const CACHE_AGE_MS = 60_000
/** Page ends kept per query: every page of a 200,000-dataset catalogue read 1,000 at a time. */
const CURSORS_PER_QUERY = 256

/**
 * CKAN's package_search over the inventory, on both engines. Answers are a handful of
 * queries whatever the page size: one for the page, one for the count, one per facet, and
 * the catalogue's three to attach publishers, distributions and releases to the page.
 */
export class CkanSearch {
  private readonly counts = new Map<string, { version: string; at: number; count: number; facets: Record<string, FacetCount[]> }>()
  private readonly cursors = new Map<string, { version: string; at: number; positions: Map<number, unknown[]> }>()

  constructor(
    private readonly db: Db,
    private readonly catalogue: DatasetCatalogue,
  ) {}

  async search(input: PackageSearchInput): Promise<PackageSearchResult> {
    const compiled = this.compile(input)
    const plan = planSort(input.sort, this.db.engine, compiled.terms.length > 0)
    const version = await this.version()
    const [rows, counted] = await Promise.all([input.rows > 0 ? this.page(compiled, plan, input, version) : Promise.resolve([]), this.counted(compiled, input, version)])
    return { count: counted.count, entries: await this.catalogue.entriesFor(rows), facets: counted.facets }
  }

  /** Each body's count of public datasets, by organisation id. */
  async countsByOrganisation(): Promise<Map<string, number>> {
    const input = { q: '', fq: [], sort: '', rows: 0, start: 0, facetFields: ['owner_org'], facetLimit: -1, facetMincount: 1, includeWithdrawn: false }
    const counted = await this.counted(this.compile(input), input, await this.version())
    return new Map(counted.facets.owner_org!.map((f) => [f.name, f.count]))
  }

  /** Public datasets' names in id order (package_list); `limit` 0 is every one. */
  async names(limit: number, offset: number): Promise<string[]> {
    const rows = (
      await sql<{ id: string; title: string }>`
        select d.id, d.title from datasets d where ${publicCondition(false)} order by d.id
        ${limit > 0 ? sql`limit ${limit}` : this.db.engine === 'sqlite' && offset > 0 ? sql`limit -1` : sql``}
        ${offset > 0 ? sql`offset ${offset}` : sql``}`.execute(this.db.kysely)
    ).rows
    return rows.map((r) => datasetName(r.id, r.title))
  }

  private compile(input: PackageSearchInput): Compiled {
    const now = new Date()
    const engine = this.db.engine
    const conditions: Condition[] = []
    const fields = new Set<string>()
    let terms: string[] = []
    const q = input.q.trim()
    // As CKAN does: a q with a colon is a Solr query; any other is words to look for.
    if (q.includes(':')) {
      const node = parseQuery(q)
      fieldsOf(node).forEach((f) => fields.add(f))
      conditions.push(compileQuery(node, engine, now))
    } else {
      terms = searchTerms(q)
    }
    for (const fq of input.fq) {
      const node = parseQuery(fq)
      fieldsOf(node).forEach((f) => fields.add(f))
      conditions.push(compileQuery(node, engine, now))
    }
    // As CKAN does, a query that names the state chooses it; otherwise only active datasets.
    conditions.unshift(publicCondition(input.includeWithdrawn || fields.has('state')))
    const where = sql`(${sql.join(conditions, sql` and `)})`
    const whereAll = terms.length > 0 ? sql`(${where} and ${textCondition(engine, terms)})` : where
    const cacheable = !`${q} ${input.fq.join(' ')}`.includes('NOW')
    return { where, whereAll, terms, cacheable }
  }

  /** Any write moves the latest `updated_at`, which an index answers at once. */
  private async version(): Promise<string> {
    const row = await this.db.kysely
      .selectFrom('datasets')
      .select((eb) => eb.fn.max('updated_at').as('v'))
      .executeTakeFirst()
    return String(row?.v ?? '')
  }

  private async page(compiled: Compiled, plan: SortPlan, input: PackageSearchInput, version: string): Promise<DatasetRow[]> {
    const engine = this.db.engine
    if (plan.relevance) {
      const limit = sql`limit ${input.rows} offset ${input.start}`
      const query =
        engine === 'postgres'
          ? sql<DatasetRow>`
              select d.* from datasets_fts f join datasets d on d.id = f.dataset_id
              where f.document @@ to_tsquery('english', ${tsQuery(compiled.terms)}) and ${compiled.where}
              order by ts_rank_cd(f.document, to_tsquery('english', ${tsQuery(compiled.terms)})) desc, ${plan.order} ${limit}`
          : sql<DatasetRow>`
              select d.* from datasets_fts join datasets d on d.search_rowid = datasets_fts.rowid
              where datasets_fts match ${fts5Query(compiled.terms)} and ${compiled.where}
              order by bm25(datasets_fts, 0.0, 10.0, 1.0, 5.0, 3.0), ${plan.order} ${limit}`
      return (await query.execute(this.db.kysely)).rows
    }
    const cursorKey = plan.keyset && compiled.cacheable ? this.key(compiled.whereAll, plan.keyset) : undefined
    const cursor = cursorKey && input.start > 0 ? this.cursorBefore(cursorKey, version, input.start) : undefined
    const keysetCondition = cursor && plan.keyset ? afterCondition(plan.keyset, cursor.values) : TRUE
    const rows = (
      await sql<DatasetRow>`
        select d.* from datasets d where ${compiled.whereAll} and ${keysetCondition}
        order by ${plan.order} limit ${input.rows} offset ${input.start - (cursor?.position ?? 0)}`.execute(this.db.kysely)
    ).rows
    if (cursorKey && plan.keyset && rows.length === input.rows) {
      const last = rows.at(-1)!
      this.rememberCursor(cursorKey, version, input.start + rows.length, plan.keyset.columns.map((c) => last[c]))
    }
    return rows
  }

  private async counted(compiled: Compiled, input: PackageSearchInput, version: string) {
    const facetFields = [...new Set(input.facetFields)]
    const key = compiled.cacheable ? this.key(compiled.whereAll, [facetFields, input.facetLimit, input.facetMincount]) : undefined
    const cached = key ? this.counts.get(key) : undefined
    if (key && cached && cached.version === version && Date.now() - cached.at < CACHE_AGE_MS) {
      this.counts.delete(key)
      this.counts.set(key, cached)
      return cached
    }
    const [total, ...facetCounts] = await Promise.all([
      sql<{ n: number }>`select count(*) as n from datasets d where ${compiled.whereAll}`.execute(this.db.kysely),
      ...facetFields.map((field) => countFacet(this.db, field, compiled.whereAll, input.facetLimit, input.facetMincount)),
    ])
    const facets = Object.fromEntries(facetFields.map((field, i) => [field, facetCounts[i]!]))
    const value = { version, at: Date.now(), count: Number(total.rows[0]?.n ?? 0), facets }
    if (key) remember(this.counts, key, value)
    return value
  }

  private key(where: Condition, extra: unknown): string {
    const compiled = where.compile(this.db.kysely)
    return JSON.stringify([compiled.sql, compiled.parameters, extra])
  }

  /** The nearest remembered position at or before `start`, so only the rows between are counted past. */
  private cursorBefore(key: string, version: string, start: number): { position: number; values: unknown[] } | undefined {
    const entry = this.cursors.get(key)
    if (!entry || entry.version !== version || Date.now() - entry.at > CACHE_AGE_MS) return undefined
    let best: { position: number; values: unknown[] } | undefined
    for (const [position, values] of entry.positions) if (position <= start && (!best || position > best.position)) best = { position, values }
    return best
  }

  private rememberCursor(key: string, version: string, position: number, values: unknown[]): void {
    let entry = this.cursors.get(key)
    if (!entry || entry.version !== version) entry = { version, at: Date.now(), positions: new Map() }
    entry.at = Date.now()
    entry.positions.set(position, values)
    if (entry.positions.size > CURSORS_PER_QUERY) entry.positions.delete(entry.positions.keys().next().value!)
    remember(this.cursors, key, entry)
  }
}

/** Rows after the given sort key: a row-value comparison, which both engines serve from the index. */
function afterCondition(keyset: NonNullable<SortPlan['keyset']>, values: unknown[]): Condition {
  const op = sql.raw(keyset.direction === 'asc' ? '>' : '<')
  const columns = sql.join(keyset.columns.map((c) => sql.ref(`d.${c}`)))
  return sql`(${columns}) ${op} (${sql.join(values)})`
}

/** A bounded map whose most recently used keys are kept. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > CACHE_SIZE) map.delete(map.keys().next().value!)
}
