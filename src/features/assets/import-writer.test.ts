import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { assetIdsWithTerm } from './search/full-text.js'

/** A register of 2,500 assets: three batches, the first two written while the next is read. */
function register(): Buffer {
  const lines = ['asset_code,name,street_name,current_value,valuation_date']
  for (let i = 1; i <= 2500; i++) lines.push(`W-${i},"Asset ${i}, with a ""quote""",Tab\tStreet,${i * 10},2025-03-31`)
  return Buffer.from(lines.join('\n'))
}

describeEachEngine('writing an import', (ctx) => {
  /** Makes the database itself refuse one asset code, as a broken write would. */
  async function refuse(code: string): Promise<() => Promise<void>> {
    const { db, engine } = ctx()
    if (engine === 'postgres') {
      await sql`alter table assets add constraint refused_code check (asset_code <> ${sql.lit(code)}) not valid`.execute(db.kysely)
      return async () => void (await sql`alter table assets drop constraint refused_code`.execute(db.kysely))
    }
    await sql`create trigger refused_code before insert on assets when new.asset_code = ${sql.lit(code)} begin select raise(abort, 'refused_code'); end`.execute(db.kysely)
    return async () => void (await sql`drop trigger refused_code`.execute(db.kysely))
  }

  async function counts() {
    const { db } = ctx()
    const count = async (table: 'assets' | 'assets_fts' | 'audit_log') => Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db.kysely)).rows[0]!.n)
    return { assets: await count('assets'), index: await count('assets_fts'), audit: await count('audit_log') }
  }

  for (const [where, code] of [
    ['in a batch before the last', 'W-1500'],
    ['in the last batch', 'W-2500'],
  ] as const) {
    it(`leaves nothing behind when the database refuses a row ${where}, and says why`, async () => {
      const { services } = ctx()
      await seedCouncils(services, ['wigan'])
      const editor = await makeUser(services, { org: 'wigan' })
      const before = await counts()
      const allow = await refuse(code)
      try {
        await expect(services.assetImport.importCsv(editor.actor, 'wigan', register())).rejects.toThrow(/refused_code/)
      } finally {
        await allow()
      }
      expect(await counts()).toEqual(before)
      const pool = ctx().db.pg?.pool
      if (pool) expect(pool.idleCount).toBe(pool.totalCount)
    })
  }

  it('imports the same register once nothing refuses it, every row indexed and audited', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'wigan' })
    const before = await counts()
    const report = await services.assetImport.importCsv(editor.actor, 'wigan', register())
    expect(report).toMatchObject({ created: 2500, rejectedRows: 0, saved: true })
    const after = await counts()
    expect({ assets: after.assets - before.assets, index: after.index - before.index, audit: after.audit - before.audit }).toEqual({ assets: 2500, index: 2500, audit: 2501 })
    const { db, engine } = ctx()
    expect(await assetIdsWithTerm(db.kysely, engine, 'quote', false)).toHaveLength(2500)
    const stored = await db.kysely.selectFrom('assets').select(['name', 'street_name']).where('asset_code', '=', 'W-2500').executeTakeFirstOrThrow()
    expect(stored).toEqual({ name: 'Asset 2500, with a "quote"', street_name: 'Tab\tStreet' })
  })
})
