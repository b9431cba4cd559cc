import { expect, it } from 'vitest'
import { describeEachEngine } from '../../test/support/engines.js'
import { seedCouncils } from '../../test/support/fixtures.js'
import { BulkInsert } from './bulk-insert.js'

describeEachEngine('inserting rows in bulk', (ctx) => {
  const now = '2026-11-27T09:00:00.000Z'
  const audit = (n: number, entityId = `e${n}`) => ({
    occurred_at: now,
    actor_user_id: null,
    actor_token_id: null,
    actor_label: 'test',
    organisation_id: null,
    action: 'test.bulk',
    entity_type: 'bulk-test',
    entity_id: entityId,
    before_json: null,
    after_json: JSON.stringify({ n, quote: 'a "quoted" {value}', nothing: null }),
    request_id: null,
  })
  const stored = async () =>
    (await ctx().db.kysely.selectFrom('audit_log').select(['entity_id', 'after_json', 'before_json']).where('entity_type', '=', 'bulk-test').orderBy('id').execute()).map((r) => ({ ...r }))

  it('stores every row as given, nulls and quotes included, whichever way the engine is fed', async () => {
    const { db } = ctx()
    const rows = Array.from({ length: 3_000 }, (_, i) => audit(i))
    await db.kysely.transaction().execute(async (trx) => {
      await new BulkInsert(db, trx).rows('audit_log', rows.slice(0, 1_500))
      await new BulkInsert(db, trx).rows('audit_log', rows.slice(1_500), { arrays: false })
    })
    const back = await stored()
    expect(back).toHaveLength(3_000)
    expect(back[0]).toEqual({ entity_id: 'e0', after_json: rows[0]!.after_json, before_json: null })
    expect(back[2_999]).toEqual({ entity_id: 'e2999', after_json: rows[2_999]!.after_json, before_json: null })
    expect(JSON.parse(back[1_600]!.after_json!)).toEqual({ n: 1_600, quote: 'a "quoted" {value}', nothing: null })
  })

  it('answers the columns asked for, in the order of the rows', async () => {
    const { db, services } = ctx()
    await seedCouncils(services, ['trafford'])
    const trafford = await services.organisations.getBySlug('trafford')
    const asset = (code: string) => ({ organisation_id: trafford.id, asset_code: code, name: `Asset ${code}`, available_to_share: 0, version: 1, created_at: now, updated_at: now, utilisation_percent: code === 'B' ? 12.5 : null })
    const back = await db.kysely.transaction().execute((trx) => new BulkInsert(db, trx).rows('assets', [asset('A'), asset('B'), asset('C')], { returning: ['id', 'asset_code'] }))
    expect(back.map((r) => r.asset_code)).toEqual(['A', 'B', 'C'])
    const ids = back.map((r) => Number(r.id))
    expect(ids[1]).toBe(ids[0]! + 1)
    const b = await db.kysely.selectFrom('assets').select(['name', 'utilisation_percent']).where('id', '=', ids[1]!).executeTakeFirstOrThrow()
    expect({ name: b.name, utilisation: Number(b.utilisation_percent) }).toEqual({ name: 'Asset B', utilisation: 12.5 })
  })

  it('leaves nothing behind when the transaction it ran in is rolled back', async () => {
    const { db } = ctx()
    const before = (await stored()).length
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await new BulkInsert(db, trx).rows('audit_log', [audit(1, 'rolled-back'), audit(2, 'rolled-back')])
        throw new Error('the import found a problem')
      }),
    ).rejects.toThrow('the import found a problem')
    expect((await stored()).length).toBe(before)
    expect((await stored()).some((r) => r.entity_id === 'rolled-back')).toBe(false)
  })
})
