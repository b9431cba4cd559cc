import { sql } from 'kysely'
import type { Db } from '../../db/connection.js'
import { LICENCES, THEMES } from '../datasets/vocabularies.js'
import type { Condition } from './conditions.js'

export interface FacetCount {
  /** The value as the index holds it (what `fq` filters by). */
  name: string
  /** What people read: the organisation's or licence's title; otherwise the value itself. */
  displayName: string
  count: number
}

const LICENCE_TITLES = new Map(LICENCES.map((l) => [l.code, l.label]))
const THEME_TITLES = new Map(THEMES.map((t) => [t.code.toLowerCase(), t.label]))

/**
 * How many matching datasets have each value of a facet field, most first and then by value
 * (as Solr orders facets). A field CKAN would not facet on has no values.
 */
export async function countFacet(db: Db, field: string, where: Condition, limit: number, mincount: number): Promise<FacetCount[]> {
  const pg = db.engine === 'postgres'
  let rows: { value: string; title?: string; n: number }[]
  switch (field) {
    case 'organization':
      rows = (
        await sql<{ value: string; title: string; n: number }>`
          select o.slug as value, o.name as title, c.n from (
            select d.organisation_id, count(*) as n from datasets d where ${where} group by d.organisation_id
          ) c join organisations o on o.id = c.organisation_id`.execute(db.kysely)
      ).rows
      break
    case 'owner_org':
      rows = (await sql<{ value: string; n: number }>`select d.organisation_id as value, count(*) as n from datasets d where ${where} group by d.organisation_id`.execute(db.kysely)).rows
      break
    case 'license_id':
      rows = (await sql<{ value: string; n: number }>`select d.licence as value, count(*) as n from datasets d where ${where} group by d.licence`.execute(db.kysely)).rows
      break
    case 'res_format':
      rows = (
        await sql<{ value: string; n: number }>`
          select x.format as value, count(distinct x.dataset_id) as n
          from distributions x join datasets d on d.id = x.dataset_id
          where x.format is not null and ${where} group by x.format`.execute(db.kysely)
      ).rows
      break
    case 'tags':
    case 'groups': {
      // Keywords can be many thousands of values, so the database keeps only the top ones.
      const column = field === 'tags' ? sql`d.keywords` : sql`d.themes`
      const top = limit >= 0 ? sql`order by n desc, value${pg ? sql` collate "C"` : sql``} limit ${limit}` : sql``
      const having = sql`having count(distinct d.id) >= ${Math.max(1, mincount)}`
      const query = pg
        ? sql<{ value: string; n: number }>`
            select k.value, count(distinct d.id) as n
            from datasets d cross join lateral jsonb_array_elements_text(${column}::jsonb) as k(value)
            where ${where} group by k.value ${having} ${top}`
        : sql<{ value: string; n: number }>`
            select k.value as value, count(distinct d.id) as n
            from datasets d, json_each(${column}) k
            where ${where} group by k.value ${having} ${top}`
      rows = (await query.execute(db.kysely)).rows
      if (field === 'groups') rows = rows.map((r) => ({ ...r, value: r.value.toLowerCase() }))
      break
    }
    default:
      return []
  }
  const values = rows
    .map((r) => ({ name: r.value, displayName: r.title ?? titleOf(field, r.value), count: Number(r.n) }))
    .filter((v) => v.count >= Math.max(1, mincount))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return limit >= 0 ? values.slice(0, limit) : values
}

function titleOf(field: string, value: string): string {
  if (field === 'license_id') return LICENCE_TITLES.get(value) ?? value
  if (field === 'groups') return THEME_TITLES.get(value) ?? value
  return value
}
