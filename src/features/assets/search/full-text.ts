import { sql, type Kysely } from 'kysely'
import type { Engine } from '../../../db/connection.js'
import type { Database } from '../../../db/schema.js'
import { cpvLabel } from '../cpv.js'

/*
 * The full-text index of the register: SQLite's FTS5 (contentless, keyed by the asset's id) or
 * PostgreSQL's tsvector. It only answers which assets hold every word; ranking, filtering and
 * counting happen over the in-memory index, the same code on both engines.
 */

/** The columns an asset's words come from (a stored row, or one about to be). */
export interface SearchableAsset {
  id: number
  name: string
  asset_code: string
  description?: string | null
  street_number?: string | null
  street_name?: string | null
  post_town?: string | null
  postcode?: string | null
  uprn?: string | null
  cpv_code?: string | null
}

export const SEARCHABLE_COLUMNS = ['id', 'name', 'description', 'street_number', 'street_name', 'post_town', 'postcode', 'asset_code', 'uprn', 'cpv_code'] as const

/** Matches read from SQLite's index at a time. */
const MATCH_SLICE = 20_000
/** Assets written to the index in one statement (2 parameters each). */
const INDEX_BATCH = 300

/**
 * Words as both engines should see them: runs of letters and digits. Splitting here means
 * PostgreSQL's parser never reads `TMBC0001/T0000003` as one file path or `M32 0TH` as anything
 * but two words, so both engines index the same words.
 */
export function words(text: string | null | undefined): string {
  if (!text) return ''
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ')
}

/**
 * Everything a search can find an asset by: name, description, address, postcode (also
 * without its space, as people type it), asset code, UPRN, and its CPV code and label.
 */
export function searchDocument(asset: SearchableAsset): string {
  const postcode = asset.postcode ?? ''
  return [
    asset.name,
    asset.description,
    asset.street_number,
    asset.street_name,
    asset.post_town,
    postcode,
    postcode.includes(' ') ? postcode.replace(/\s+/g, '') : '',
    asset.asset_code,
    asset.uprn,
    asset.cpv_code,
    cpvLabel(asset.cpv_code),
  ]
    .map(words)
    .filter(Boolean)
    .join(' ')
}

/**
 * Puts assets (new or changed) into the full-text index, replacing what it held for them. Call
 * it inside the transaction that writes the assets, after they have their ids.
 */
export async function indexAssets(db: Kysely<Database>, engine: Engine, rows: readonly SearchableAsset[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INDEX_BATCH) {
    const slice = rows.slice(i, i + INDEX_BATCH)
    if (engine === 'postgres') {
      const values = slice.map((r) => sql`(cast(${Number(r.id)} as bigint), ${searchDocument(r)})`)
      await sql`
        insert into assets_fts (asset_id, document)
        select v.id, to_tsvector('english', v.document) from (values ${sql.join(values)}) as v (id, document)
        on conflict (asset_id) do update set document = excluded.document`.execute(db)
    } else {
      const values = slice.map((r) => sql`(${Number(r.id)}, ${searchDocument(r)})`)
      await sql`insert or replace into assets_fts (rowid, document) values ${sql.join(values)}`.execute(db)
    }
  }
}

/** Indexes every asset (the migration that adds the index, and repairs): a batch at a time by id. */
export async function reindexAllAssets(db: Kysely<any>, engine: Engine, batch = 5000): Promise<number> {
  let after = 0
  let total = 0
  for (;;) {
    const rows = (await db.selectFrom('assets').select([...SEARCHABLE_COLUMNS]).where('id', '>', after).orderBy('id').limit(batch).execute()) as SearchableAsset[]
    if (rows.length === 0) return total
    await indexAssets(db as Kysely<Database>, engine, rows)
    total += rows.length
    after = Number(rows[rows.length - 1]!.id)
  }
}

/**
 * The ids of the assets holding a word (or, as a prefix, a word starting with it). Words are
 * runs of letters and digits (see searchTerms), so nothing in one can change the query's shape.
 */
export async function assetIdsWithTerm(db: Kysely<Database>, engine: Engine, term: string, prefix: boolean): Promise<number[]> {
  if (engine === 'postgres') {
    const { rows } = await sql<{ id: number }>`select asset_id as id from assets_fts where document @@ to_tsquery('english', ${tsQuery([term], prefix)})`.execute(db)
    return rows.map((r) => Number(r.id))
  }
  // SQLite answers on the server's own thread: a word in a fifth of a million assets would hold
  // every other request up for a fifth of a second, so the matches are read a slice at a time.
  const ids: number[] = []
  for (let after = 0; ; ) {
    const { rows } = await sql<{ id: number }>`
      select rowid as id from assets_fts where assets_fts match ${fts5Query([term], prefix)} and rowid > ${after} order by rowid limit ${MATCH_SLICE}`.execute(db)
    for (const row of rows) ids.push(Number(row.id))
    if (rows.length < MATCH_SLICE) return ids
    after = ids[ids.length - 1]!
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** An FTS5 MATCH expression: every term quoted (so AND, NEAR, `:` mean nothing), ANDed; the last a prefix when asked. */
export function fts5Query(terms: string[], lastIsPrefix: boolean): string {
  return terms.map((t, i) => (i === terms.length - 1 && lastIsPrefix ? `"${t}"*` : `"${t}"`)).join(' ')
}

/** A `to_tsquery` expression with the same meaning as {@link fts5Query}. */
export function tsQuery(terms: string[], lastIsPrefix: boolean): string {
  return terms.map((t, i) => (i === terms.length - 1 && lastIsPrefix ? `${t}:*` : t)).join(' & ')
}
