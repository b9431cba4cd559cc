import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedFixture } from '../../../test/support/dataset-fixture.js'
import { DatasetSearch } from '../../features/datasets/search.js'
import { up } from './0010_postgres_search_rowids.js'

describeEachEngine('numbering the full-text rows of datasets declared before migration 0010', (ctx) => {
  it('gives every dataset a number of its own, the same in the full-text table, and search works by it', async () => {
    const { db, services, engine } = ctx()
    await seedFixture(services)
    if (engine === 'sqlite') {
      // SQLite's numbers are its FTS5 rowids, set as datasets are indexed: nothing to migrate.
      const unnumbered = await sql<{ n: number }>`select count(*) as n from datasets where search_rowid is null`.execute(db.kysely)
      expect(Number(unnumbered.rows[0]!.n)).toBe(0)
      return
    }
    // The catalogue as it stood before: no sequence, no numbers.
    await sql`alter table datasets_fts drop column search_rowid`.execute(db.kysely)
    await sql`update datasets set search_rowid = null`.execute(db.kysely)
    await sql`drop sequence datasets_search_rowid_seq`.execute(db.kysely)

    await up(db.kysely, 'postgres')
    const rows = (await sql<{ d: number | null; f: number | null }>`select d.search_rowid as d, f.search_rowid as f from datasets d join datasets_fts f on f.dataset_id = d.id`.execute(db.kysely)).rows
    expect(rows.length).toBeGreaterThan(5)
    expect(rows.every((r) => r.d !== null && r.d === r.f)).toBe(true)
    expect(new Set(rows.map((r) => r.d)).size).toBe(rows.length)
    const found = await new DatasetSearch(db).search({ q: 'route' }, { page: 1, pageSize: 50 })
    expect(found.items.map((d) => d.title).sort()).toEqual(['Bus route changes', 'Cycle route network', 'Gritting routes', 'Planning applications'])
    // A dataset declared after the migration is numbered after them.
    const later = await services.datasets.declare({ kind: 'system', label: 'test' }, 'trafford', { title: 'Ferry routes', description: 'Sailings.', themes: 'TRAN', frequency: 'annual' })
    const numbered = await sql<{ n: number }>`select search_rowid as n from datasets where id = ${later.id}`.execute(db.kysely)
    expect(Number(numbered.rows[0]!.n)).toBeGreaterThan(Math.max(...rows.map((r) => Number(r.d))))
  })
})
