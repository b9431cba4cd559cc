import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { describeEachEngine, openTestDatabase, testConfig } from '../../../test/support/engines.js'
import { seedFixture } from '../../../test/support/dataset-fixture.js'
import { connect } from '../../db/connection.js'
import { migrateToLatest } from '../../db/migrate.js'
import { createServices } from '../../services.js'
import { fts5Query, searchTerms, tsQuery } from './search.js'
import { integersOf, intersect, phrasesOf } from './text-matches.js'
import { lookUp, WordLookups } from './word-lookups.js'

describe('matching words', () => {
  it('prefixes only the last word, and only when it is long enough', () => {
    expect(phrasesOf(['bus', 'ro'])).toEqual([
      { fts5: '"bus"', tsquery: 'bus' },
      { fts5: '"ro"', tsquery: 'ro' },
    ])
    expect(phrasesOf(['bus', 'route']).at(-1)).toEqual({ fts5: '"route"*', tsquery: 'route:*' })
  })

  it('reads a list of integers in place, negative ones included', () => {
    expect([...integersOf('')]).toEqual([])
    expect([...integersOf('7')]).toEqual([7])
    expect([...integersOf('12,-1,300000,0')]).toEqual([12, -1, 300000, 0])
  })

  it('intersects two lists by position, adding the scores', () => {
    const a = { positions: Int32Array.from([1, 3, 5, 9]), scores: Float64Array.from([1, 2, 3, 4]) }
    const b = { positions: Int32Array.from([3, 4, 9]), scores: Float64Array.from([10, 20, 30]) }
    const both = intersect(a, b)
    expect([...both.positions]).toEqual([3, 9])
    expect([...both.scores]).toEqual([12, 34])
  })

  it('intersects a short list with a long one as a merge would, whichever comes first', () => {
    let seed = 7
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    const list = (size: number, density: number) => {
      const positions = Int32Array.from({ length: size }, (_, i) => i).filter(() => random() < density)
      return { positions, scores: Float64Array.from(positions, (p) => p / 10) }
    }
    for (const [a, b] of [[list(5000, 0.01), list(5000, 0.6)], [list(5000, 0.5), list(5000, 0.5)], [list(100, 1), list(5000, 0.02)], [list(0, 1), list(50, 1)]] as const) {
      const inB = new Set(b.positions)
      const expected = [...a.positions].filter((p) => inB.has(p))
      for (const both of [intersect(a, b), intersect(b, a)]) {
        expect([...both.positions]).toEqual(expected)
        expect([...both.scores]).toEqual(expected.map((p) => p / 5))
      }
    }
  })
})

describeEachEngine('matching words against the index', (ctx) => {
  it('finds what the whole query finds, ranked as FTS5 ranks it, from words looked up one at a time', async () => {
    const { services, db } = ctx()
    const ids = await seedFixture(services)
    const titleOf = new Map([...ids].map(([title, id]) => [id, title]))
    for (const q of ['route', 'routes cycle', 'waste recycling ward', 'council roads', 'bins']) {
      const terms = searchTerms(q)
      const found = await services.datasetSearch.search({ q }, { page: 1, pageSize: 50 })
      const whole =
        db.engine === 'postgres'
          ? await sql<{ id: string }>`select dataset_id as id from datasets_fts where document @@ to_tsquery('english', ${tsQuery(terms)})`.execute(db.kysely)
          : await sql<{ id: string }>`
              select d.id from datasets_fts join datasets d on d.search_rowid = datasets_fts.rowid
              where datasets_fts match ${fts5Query(terms)}
              order by bm25(datasets_fts, 0.0, 10.0, 1.0, 5.0, 3.0), lower(d.title)`.execute(db.kysely)
      const expected = whole.rows.map((r) => titleOf.get(r.id))
      const titles = found.items.map((d) => d.title)
      if (db.engine === 'sqlite') expect(titles, q).toEqual(expected)
      else expect([...titles].sort(), q).toEqual([...expected].sort())
    }
  })
})

describe('looking words up in a SQLite file, on a worker thread', () => {
  it('finds what the serving thread finds, searches on while it looks, and reports a look-up that fails', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lgds-words-'))
    const db = connect({ sqliteFile: path.join(dir, 'lgds.sqlite') })
    try {
      await migrateToLatest(db)
      const services = createServices(testConfig(), db)
      await seedFixture(services)
      const lookups = WordLookups.for(db)
      expect(lookups.onWorker).toBe(true)
      for (const phrase of ['"route"*', '"waste"', '"council"*', '"nothing"']) {
        const [there, here] = [await lookups.lookup(phrase), lookUp(db.sqlite!, phrase)]
        expect([...there.rowids], phrase).toEqual([...here.rowids])
        expect([...there.scores], phrase).toEqual([...here.scores])
      }
      // Two look-ups at once each get their own answer.
      const [routes, bins] = await Promise.all([lookups.lookup('"route"*'), lookups.lookup('"bins"')])
      expect(routes.rowids.length).toBeGreaterThan(0)
      expect(bins.rowids.length).toBeGreaterThan(0)
      expect([...bins.rowids]).not.toEqual([...routes.rowids])
      await expect(lookups.lookup('"unterminated')).rejects.toThrow('unterminated string')
      // The search itself, on a file, finds what the same search on a database in memory finds.
      const memory = await openTestDatabase('sqlite')
      try {
        const inMemory = createServices(testConfig(), memory.db)
        expect(WordLookups.for(memory.db).onWorker).toBe(false)
        await seedFixture(inMemory)
        for (const q of ['route', 'waste recycling', 'council roads']) {
          const titles = async (s: typeof services) => (await s.datasetSearch.search({ q }, { page: 1, pageSize: 50 })).items.map((d) => d.title)
          expect(await titles(services), q).toEqual(await titles(inMemory))
        }
      } finally {
        await memory.drop()
      }
    } finally {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
