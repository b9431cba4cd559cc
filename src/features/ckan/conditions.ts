import { sql, type RawBuilder } from 'kysely'
import type { Engine } from '../../db/connection.js'
import { containsIgnoringCase } from '../../db/dialect.js'
import { fts5Query, publisherCondition, searchTerms, themeCondition, tsQuery } from '../datasets/search.js'
import { LICENCES, THEMES } from '../datasets/vocabularies.js'
import { idOfName } from './names.js'
import { QuerySyntaxError, type QueryNode } from './query-parser.js'
import { parseSolrDate } from './solr-dates.js'

/*
 * CKAN's search-index fields as SQL over the inventory (`d` is the datasets table). A field
 * the index would not know matches nothing, as an undefined dynamic field does in Solr.
 */

export type Condition = RawBuilder<unknown>

export const TRUE: Condition = sql`1 = 1`
const FALSE: Condition = sql`1 = 0`

/** What CKAN shows anonymous callers: open datasets, and withdrawn ones only when asked. */
export function publicCondition(includeWithdrawn: boolean): Condition {
  return includeWithdrawn ? sql`d.access_level = 'open'` : sql`(d.access_level = 'open' and d.status <> 'withdrawn')`
}

/** Every word must match (the last may be the start of a word), as the inventory's own search. */
export function textCondition(engine: Engine, terms: string[]): Condition {
  if (terms.length === 0) return TRUE
  if (engine === 'postgres') {
    return sql`d.id in (select dataset_id from datasets_fts where document @@ to_tsquery('english', ${tsQuery(terms)}))`
  }
  return sql`(d.search_rowid is not null and d.search_rowid in (select rowid from datasets_fts where datasets_fts match ${fts5Query(terms)}))`
}

/** Fields that hold one value every public dataset shares: they match it, and nothing else. */
const CONSTANT_FIELDS: Record<string, string[]> = {
  dataset_type: ['dataset'],
  type: ['dataset'],
  capacity: ['public'],
  private: ['false'],
  entity_type: ['package'],
  site_id: [],
}

const THEME_CODES = new Set(THEMES.map((t) => t.code))
const LICENCE_BY_LOWER = new Map(LICENCES.map((l) => [l.code.toLowerCase(), l.code]))

export function compileQuery(node: QueryNode, engine: Engine, now: Date): Condition {
  switch (node.kind) {
    case 'all':
      return TRUE
    case 'and':
    case 'or':
      return sql`(${sql.join(
        node.nodes.map((n) => compileQuery(n, engine, now)),
        node.kind === 'and' ? sql` and ` : sql` or `,
      )})`
    case 'not':
      return sql`not (${compileQuery(node.node, engine, now)})`
    case 'range':
      return rangeCondition(node, engine, now)
    case 'term':
      return termCondition(node.field, node.value, engine, now)
  }
}

function termCondition(field: string | null, value: string, engine: Engine, now: Date): Condition {
  if (field === null || field === 'text' || field === 'notes') return textCondition(engine, searchTerms(value))
  if (value === '*') return existsCondition(field)
  if (field in CONSTANT_FIELDS) {
    const values = CONSTANT_FIELDS[field]!
    return values.length === 0 || values.includes(value.toLowerCase()) ? TRUE : FALSE
  }
  switch (field) {
    case 'organization':
      return publisherCondition([value])
    case 'owner_org':
      return sql`d.organisation_id = ${value}`
    case 'id':
      return sql`d.id = ${value}`
    case 'name':
      return sql`d.id = ${idOfName(value)}`
    case 'title':
      return containsIgnoringCase(engine, sql.ref('d.title'), value)
    case 'tags':
      return tagCondition(value, engine)
    case 'groups':
      return THEME_CODES.has(value.toUpperCase()) ? themeCondition([value.toUpperCase()]) : FALSE
    case 'res_format':
      return sql`exists (select 1 from distributions x where x.dataset_id = d.id and x.format = ${value.toUpperCase()})`
    case 'license_id':
      return sql`d.licence = ${LICENCE_BY_LOWER.get(value.toLowerCase()) ?? value}`
    case 'state':
      return value === 'active' ? sql`d.status <> 'withdrawn'` : value === 'deleted' ? sql`d.status = 'withdrawn'` : FALSE
    case 'metadata_modified':
    case 'metadata_created':
    case 'num_resources':
    case 'num_tags':
      return rangeCondition({ kind: 'range', field, from: value, to: value, fromInclusive: true, toInclusive: true }, engine, now)
    default:
      return FALSE
  }
}

/**
 * A keyword, exactly. The text test is a cheap first pass over the stored JSON array; the JSON
 * test then rules out a match inside another keyword.
 */
function tagCondition(tag: string, engine: Engine): Condition {
  const needle = JSON.stringify(tag)
  if (engine === 'postgres') {
    return sql`(strpos(d.keywords, ${needle}) > 0 and exists (select 1 from jsonb_array_elements_text(d.keywords::jsonb) k where k = ${tag}))`
  }
  return sql`(instr(d.keywords, ${needle}) > 0 and exists (select 1 from json_each(d.keywords) k where k.value = ${tag}))`
}

function existsCondition(field: string): Condition {
  switch (field) {
    case 'tags':
      return sql`d.keywords <> '[]'`
    case 'res_format':
      return sql`exists (select 1 from distributions x where x.dataset_id = d.id and x.format is not null)`
    case 'groups':
      return sql`d.themes <> '[]'`
    default:
      // Every other field CKAN indexes is set on every dataset; one it does not index, on none.
      return field in CONSTANT_FIELDS || KNOWN_FIELDS.has(field) || field in RANGE_COLUMNS ? TRUE : FALSE
  }
}

type Range = Extract<QueryNode, { kind: 'range' }>

function rangeCondition(range: Range, engine: Engine, now: Date): Condition {
  const column = RANGE_COLUMNS[range.field]?.(engine)
  if (!column) {
    if (range.field in CONSTANT_FIELDS || KNOWN_FIELDS.has(range.field)) throw new QuerySyntaxError(`Ranges are not supported on ${range.field}`)
    return FALSE
  }
  const parts: Condition[] = []
  const bound = (value: string | null, inclusive: boolean, lower: boolean) => {
    if (value === null) return
    if (range.field === 'metadata_modified' || range.field === 'metadata_created') {
      // Stored instants have milliseconds; a bound with finer digits falls strictly between two.
      const { iso, beyondMillis } = parseSolrDate(value, now)
      const op = lower ? (inclusive && !beyondMillis ? '>=' : '>') : inclusive || beyondMillis ? '<=' : '<'
      parts.push(sql`${column} ${sql.raw(op)} ${iso}`)
      return
    }
    if (range.field === 'id') {
      parts.push(sql`${column} ${sql.raw(lower ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<')} ${value}`)
      return
    }
    if (!/^\d{1,9}$/.test(value)) throw new QuerySyntaxError(`${range.field} takes whole numbers, not “${value}”`)
    parts.push(sql`${column} ${sql.raw(lower ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<')} ${Number(value)}`)
  }
  bound(range.from, range.fromInclusive, true)
  bound(range.to, range.toInclusive, false)
  return parts.length === 0 ? TRUE : sql`(${sql.join(parts, sql` and `)})`
}

const RANGE_COLUMNS: Record<string, (engine: Engine) => Condition> = {
  metadata_modified: () => sql`d.updated_at`,
  metadata_created: () => sql`d.created_at`,
  id: () => sql`d.id`,
  num_resources: () => sql`(select count(*) from distributions x where x.dataset_id = d.id)`,
  num_tags: (engine) => (engine === 'postgres' ? sql`jsonb_array_length(d.keywords::jsonb)` : sql`json_array_length(d.keywords)`),
}

const KNOWN_FIELDS = new Set(['organization', 'owner_org', 'name', 'title', 'tags', 'groups', 'res_format', 'license_id', 'state', 'text', 'notes'])
