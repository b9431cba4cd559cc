import { sql } from 'kysely'
import type { Engine } from '../../db/connection.js'
import type { Condition } from './conditions.js'
import { QuerySyntaxError } from './query-parser.js'

/** CKAN's `ckan.search.default_package_sort`. */
export const DEFAULT_SORT = 'score desc, metadata_modified desc'

type Direction = 'asc' | 'desc'

export interface SortPlan {
  /** Rank by relevance first (only when there are words to rank by). */
  relevance: boolean
  /** The ORDER BY after any relevance, always ending in the id so pages never overlap. */
  order: Condition
  /**
   * When the order is one an index serves — `id`, or `metadata_modified` then `id`, all one
   * way — the columns and direction, so a next page can start after the last row instead of
   * counting past every row before it.
   */
  keyset: { columns: ('updated_at' | 'id')[]; direction: Direction } | null
}

const COLUMNS: Record<string, (engine: Engine) => Condition> = {
  metadata_modified: () => sql`d.updated_at`,
  metadata_created: () => sql`d.created_at`,
  id: () => sql`d.id`,
  // Solr's title_string sorts by code point, which is what "C" collation and SQLite compare by.
  title_string: (engine) => (engine === 'postgres' ? sql`d.title collate "C"` : sql`d.title`),
}
// Names are the title's slug and the id, so they sort as the title does.
COLUMNS.name = COLUMNS.title_string!
COLUMNS.title = COLUMNS.title_string!

export function planSort(text: string, engine: Engine, hasWords: boolean): SortPlan {
  const parts = text.split(',').map((p) => p.trim())
  if (parts.some((p) => p === '')) throw invalidSort()
  const keys: { field: string; direction: Direction }[] = []
  for (const part of parts) {
    const [field, direction, ...rest] = part.split(/\s+/)
    const dir = direction?.toLowerCase()
    if (rest.length > 0 || (dir !== 'asc' && dir !== 'desc')) throw invalidSort()
    if (field !== 'score' && !(field! in COLUMNS)) throw invalidSort()
    keys.push({ field: field!, direction: dir })
  }
  // Without words every score is the same, so a score key orders nothing.
  const relevance = hasWords && keys[0]?.field === 'score' && keys[0].direction === 'desc'
  const ordered = keys.filter((k) => k.field !== 'score')
  const last = ordered.at(-1)?.direction ?? 'desc'
  if (!ordered.some((k) => k.field === 'id')) ordered.push({ field: 'id', direction: last })
  const order = sql.join(ordered.map((k) => sql`${COLUMNS[k.field]!(engine)} ${sql.raw(k.direction)}`))
  const fields = ordered.map((k) => k.field).join(',')
  const sameWay = ordered.every((k) => k.direction === ordered[0]!.direction)
  const keyset =
    !relevance && sameWay && (fields === 'id' || fields === 'metadata_modified,id')
      ? { columns: fields === 'id' ? (['id'] as const) : (['updated_at', 'id'] as const), direction: ordered[0]!.direction }
      : null
  return { relevance, order, keyset: keyset && { columns: [...keyset.columns], direction: keyset.direction } }
}

function invalidSort(): QuerySyntaxError {
  return new QuerySyntaxError('Invalid "sort" parameter')
}
