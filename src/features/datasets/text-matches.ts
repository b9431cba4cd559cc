import { sql } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { DatasetFacetIndex } from './facet-index.js'
import { WeightedCache } from './weighted-cache.js'
import { WordLookups } from './word-lookups.js'

/** Datasets matching some words, by position in the facet index (ascending), with their scores. */
export interface TextMatches {
  positions: Int32Array
  scores: Float64Array
}

/** Positions kept of the matches of several words together (16 MB at most). */
const SEARCH_CACHE_POSITIONS = 4_000_000

/** Prefix-matching one or two letters would expand to most of the index. */
export const MIN_PREFIX_LENGTH = 3

/** One word of a search as each engine's query language has it; the last may be a prefix. */
export function phrasesOf(terms: string[]): { fts5: string; tsquery: string }[] {
  return terms.map((t, i) => {
    const prefix = i === terms.length - 1 && t.length >= MIN_PREFIX_LENGTH
    return { fts5: prefix ? `"${t}"*` : `"${t}"`, tsquery: prefix ? `${t}:*` : t }
  })
}

/**
 * Finds the datasets matching every word of a search. Each word is looked up on its own and
 * kept until any dataset changes: searches share most of their words, so a new search is mostly
 * the intersection of lists already in memory. Relevance is the sum of each word's score, which is
 * what FTS5's bm25 gives for the whole query. On PostgreSQL a word's score is its `ts_rank`,
 * and relevance their sum too (`ts_rank_cd` of the whole query weighs how close the words stand,
 * which no sum over words can give, and scoring every match of a common pair again for each new
 * search was what made uncached searches slow).
 */
export class TextMatcher {
  private readonly words: WeightedCache<TextMatches>
  /** Matches of several words, in a cache of their own so that they never push out single words. */
  private readonly searches = new WeightedCache<TextMatches>(SEARCH_CACHE_POSITIONS)
  /** Words being looked up, by cache key. */
  private readonly pending = new Map<string, Promise<TextMatches>>()
  /** SQLite's look-ups, off the thread that serves (see WordLookups). */
  private readonly lookups: WordLookups

  constructor(
    private readonly db: Db,
    private readonly index: DatasetFacetIndex,
    cachePositions: number,
  ) {
    this.words = new WeightedCache<TextMatches>(cachePositions)
    this.lookups = WordLookups.for(db)
  }

  async match(terms: string[], version: string): Promise<TextMatches> {
    const phrases = phrasesOf(terms)
    if (phrases.length === 1) return this.phrase(phrases[0]!, version)
    // The same words come back with other filters and pages: their matches are kept as well.
    const key = `${version}|${phrases.map((p) => p.fts5).join(' ')}`
    const cached = this.searches.get(key)
    if (cached) return cached
    // Looked up together: on PostgreSQL each word takes a connection of the pool, and a search of
    // two words new to the cache waited for one look-up and then the other.
    const lists = await Promise.all(phrases.map((phrase) => this.phrase(phrase, version)))
    lists.sort((a, b) => a.positions.length - b.positions.length)
    const found = lists.slice(1).reduce(intersect, lists[0]!)
    const matches = { positions: found.positions.slice(), scores: found.scores.slice() }
    this.searches.set(key, matches, matches.positions.length * 3 + 1)
    return matches
  }

  private phrase(phrase: { fts5: string; tsquery: string }, version: string): Promise<TextMatches> {
    const key = `${version}|${phrase.fts5}`
    const cached = this.words.get(key)
    if (cached) return Promise.resolve(cached)
    // Searches arriving while a word is looked up wait for that look-up rather than repeat it.
    let pending = this.pending.get(key)
    if (!pending) {
      pending = this.lookUp(phrase, key).finally(() => this.pending.delete(key))
      this.pending.set(key, pending)
    }
    return pending
  }

  private async lookUp(phrase: { fts5: string; tsquery: string }, key: string): Promise<TextMatches> {
    // Scores land in a slot per position, so the list comes out in position order without a sort.
    const slots = new Float64Array(this.index.size).fill(Number.NaN)
    let found = 0
    if (this.db.engine === 'postgres') {
      // Gathered into two strings rather than a row per match: a common word matches 120,000
      // datasets, and reading that many rows held the server for 80 ms. The matches are full-text
      // row numbers, turned into positions by array as SQLite's are. Both aggregates are fed the
      // same rows in the same order, so the lists line up (a row without a number is -1, as
      // string_agg would leave it out).
      const { rowids, scores } = (
        await sql<{ rowids: string | null; scores: string | null }>`
          select string_agg(coalesce(search_rowid, -1)::text, ',') as rowids, string_agg(ts_rank(document, query)::text, ',') as scores
          from datasets_fts, to_tsquery('english', ${phrase.tsquery}) query
          where document @@ query`.execute(this.db.kysely)
      ).rows[0]!
      const numbers = integersOf(rowids ?? '')
      const scoreList = scores ? scores.split(',') : []
      for (let i = 0; i < numbers.length; i++) {
        const at = this.index.positionOfSearchRowid(numbers[i]!)
        if (at === undefined || at >= slots.length) continue
        slots[at] = Number(scoreList[i])
        found++
      }
    } else {
      const { rowids, scores } = await this.lookups.lookup(phrase.fts5)
      for (let i = 0; i < rowids.length; i++) {
        const at = this.index.positionOfSearchRowid(rowids[i]!)
        if (at === undefined || at >= slots.length) continue
        slots[at] = scores[i]!
        found++
      }
    }
    const matches: TextMatches = { positions: new Int32Array(found), scores: new Float64Array(found) }
    for (let at = 0, k = 0; at < slots.length; at++) {
      if (Number.isNaN(slots[at]!)) continue
      matches.positions[k] = at
      matches.scores[k++] = slots[at]!
    }
    this.words.set(key, matches, found * 3 + 1)
    return matches
  }
}

/** The datasets in both lists, with their scores added. */
export function intersect(a: TextMatches, b: TextMatches): TextMatches {
  const [small, large] = a.positions.length <= b.positions.length ? [a, b] : [b, a]
  const positions = new Int32Array(small.positions.length)
  const scores = new Float64Array(small.positions.length)
  const big = large.positions
  let found = 0
  let j = 0
  for (let i = 0; i < small.positions.length && j < big.length; i++) {
    const x = small.positions[i]!
    // Galloping: a rare word's few matches skip through a common word's many in doubling
    // steps, then a binary search, rather than one at a time.
    let step = 1
    while (j + step < big.length && big[j + step]! < x) step *= 2
    let low = j
    let high = Math.min(j + step, big.length - 1)
    while (low < high) {
      const middle = (low + high) >>> 1
      if (big[middle]! < x) low = middle + 1
      else high = middle
    }
    j = low
    if (big[j] === x) {
      positions[found] = x
      scores[found++] = small.scores[i]! + large.scores[j]!
      j++
    }
  }
  return { positions: positions.subarray(0, found), scores: scores.subarray(0, found) }
}

/** The integers of a comma-separated list, read in place: splitting 120,000 of them made as many strings. */
export function integersOf(text: string): Int32Array {
  if (text === '') return new Int32Array(0)
  let count = 1
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) count++
  const out = new Int32Array(count)
  let k = 0
  let value = 0
  let sign = 1
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 44) {
      out[k++] = sign * value
      value = 0
      sign = 1
    } else if (c === 45) sign = -1
    else value = value * 10 + (c - 48)
  }
  out[k] = sign * value
  return out
}
