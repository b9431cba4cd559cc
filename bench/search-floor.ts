import { sql, type CompiledQuery } from 'kysely'
import type { Db } from '../src/db/connection.js'
import { fts5Query, searchTerms, tsQuery } from '../src/features/datasets/search.js'

/**
 * The most direct SQL for a search with facets: the matches ranked for the page, one grouped
 * scan of the matches for every vocabulary facet and the publishers (grouping by the facet
 * columns together, so one scan serves all of them), and one for formats. This is the floor the
 * app's search is compared with.
 */
export function floorQueries(db: Db, url: string): CompiledQuery[] {
  const params = new URL(url, 'http://x').searchParams
  const terms = searchTerms(params.get('q') ?? '')
  const theme = params.get('theme')
  const page = Number(params.get('page') ?? 1)
  const matches =
    db.engine === 'postgres'
      ? sql`select dataset_id as id, ts_rank_cd(document, q) as score from datasets_fts, to_tsquery('english', ${tsQuery(terms)}) q where document @@ q`
      : sql`select dataset_id as id, -bm25(datasets_fts, 0.0, 10.0, 1.0, 5.0, 3.0) as score from datasets_fts where datasets_fts match ${fts5Query(terms)}`
  const themeTest = theme ? sql`d.themes like ${`%"${theme}"%`}` : sql`1 = 1`
  return [
    sql`with m as (${matches})
        select d.*, o.slug, o.name from m join datasets d on d.id = m.id join organisations o on o.id = d.organisation_id
        where ${themeTest} order by m.score desc, lower(d.title), d.id limit 20 offset ${(page - 1) * 20}`.compile(db.kysely),
    sql`with m as (${matches})
        select d.organisation_id, d.status, d.access_level, d.licence, d.themes, d.next_release_date, count(*) as n
        from m join datasets d on d.id = m.id group by d.organisation_id, d.status, d.access_level, d.licence, d.themes, d.next_release_date`.compile(db.kysely),
    sql`with m as (${matches})
        select x.format, count(distinct x.dataset_id) as n from m join datasets d on d.id = m.id join distributions x on x.dataset_id = d.id
        where ${themeTest} group by x.format`.compile(db.kysely),
  ]
}
