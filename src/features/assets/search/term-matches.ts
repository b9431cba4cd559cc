import type { Db } from '../../../db/connection.js'
import { WeightedCache } from '../../datasets/weighted-cache.js'
import type { AssetIndex } from './asset-index.js'
import { assetIdsWithTerm } from './full-text.js'

/*
 * Which assets hold each word, kept per word as a bitset over the in-memory index's positions
 * (125 KB for a million assets). The words people search for are few and repeat, so after the
 * first search for "school" every search with it is a few ANDs of bitsets, however many
 * thousands of assets it matches and whatever it is combined with; only a new word asks the
 * database. Every bitset belongs to one version of the register and is dropped with it.
 */

/** Prefix-matching one or two letters would expand to most of the index. */
const MIN_PREFIX_LENGTH = 3
/** 32-bit words of bitsets kept: 32 MB, about 130 words' matches over a million assets. */
const CACHE_WORDS = 8_000_000

export class TermMatches {
  private readonly cache = new WeightedCache<TermSets>(CACHE_WORDS)

  constructor(
    private readonly db: Db,
    private readonly index: AssetIndex,
  ) {}

  /**
   * The assets holding every term (the last may be the start of a word), in position order,
   * and how many of the terms each has in its name.
   */
  async matching(terms: string[], version: string): Promise<{ positions: Int32Array; score: (position: number) => number }> {
    const sets = await Promise.all(terms.map((term, i) => this.bitsets(term, i === terms.length - 1 && term.length >= MIN_PREFIX_LENGTH, version)))
    const words = sets[0]!.matches.length
    const both = Uint32Array.from(sets[0]!.matches)
    for (const { matches } of sets.slice(1)) for (let w = 0; w < words; w++) both[w]! &= matches[w]!
    let count = 0
    for (let w = 0; w < words; w++) count += popcount(both[w]!)
    const positions = new Int32Array(count)
    let at = 0
    for (let w = 0; w < words; w++) {
      let bits = both[w]!
      while (bits !== 0) {
        const low = bits & -bits
        positions[at++] = w * 32 + (31 - Math.clz32(low))
        bits ^= low
      }
    }
    const names = sets.map((s) => s.inName)
    const score = (p: number) => {
      let n = 0
      for (const set of names) n += (set[p >>> 5]! >>> (p & 31)) & 1
      return n
    }
    return { positions, score }
  }

  /**
   * A term's matches, and which of them have it in their name (roughly: "libraries" is looked
   * for as "librar", so it finds "Library"), read from the database once per version.
   */
  private async bitsets(term: string, prefix: boolean, version: string): Promise<TermSets> {
    const key = `${version}|${term}${prefix ? '*' : ''}`
    const cached = this.cache.get(key)
    if (cached) return cached
    const words = Math.ceil(this.index.size / 32) + 1
    const sets: TermSets = { matches: new Uint32Array(words), inName: new Uint32Array(words) }
    const stem = term.length > 5 ? term.slice(0, Math.max(3, term.length - 3)) : term
    const { nameKey } = this.index
    for (const id of await assetIdsWithTerm(this.db.kysely, this.db.engine, term, prefix)) {
      const at = this.index.positionOf(id)
      if (at === undefined) continue
      sets.matches[at >>> 5]! |= 1 << (at & 31)
      if (nameKey[at]!.includes(stem)) sets.inName[at >>> 5]! |= 1 << (at & 31)
    }
    this.cache.set(key, sets, words * 2)
    return sets
  }
}

interface TermSets {
  matches: Uint32Array
  inName: Uint32Array
}

function popcount(n: number): number {
  n -= (n >>> 1) & 0x55555555
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333)
  return Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24
}
