import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeEachEngine, openTestDatabase, POSTGRES_UP } from '../../test/support/engines.js'
import { seedCouncils } from '../../test/support/fixtures.js'
import { BulkInsert } from './bulk-insert.js'
import type { Db } from './connection.js'
import { copyField, copyFrom, send } from './pg-copy.js'
import { ownConnection, startOwnTransaction } from './pg-transaction.js'
import type { Database } from './schema.js'

describe('COPY’s text format', () => {
  it('escapes only what COPY reads specially, and writes null as \\N', () => {
    expect(copyField(null)).toBe('\\N')
    expect(copyField(undefined)).toBe('\\N')
    expect(copyField('')).toBe('')
    expect(copyField('tab\there\nline\rreturn \\ back')).toBe('tab\\there\\nline\\rreturn \\\\ back')
    expect(copyField('\\N')).toBe('\\\\N')
    expect(copyField('\\.')).toBe('\\\\.')
    expect(copyField('“quoted” and "double" and \'single\' £ 🏛')).toBe('“quoted” and "double" and \'single\' £ 🏛')
    expect(copyField(12.5)).toBe('12.5')
    expect(copyField(-9_007_199_254_740_991)).toBe('-9007199254740991')
    expect(copyField(true)).toBe('true')
    expect(copyField({ a: 'x\ty', b: [1, null] })).toBe('{"a":"x\\\\ty","b":[1,null]}')
    expect(copyField(Buffer.from([0, 255]))).toBe('\\\\x00ff')
  })
})

describe.skipIf(!POSTGRES_UP)('statements sent as one query, each COPY’s rows behind it', () => {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined
  beforeAll(async () => {
    opened = await openTestDatabase('postgres')
  })
  afterAll(async () => {
    await opened?.drop()
  })

  it('lets a writer wait until no more than so many writes are in flight, the one that failed included', async () => {
    const transaction = await startOwnTransaction(opened!.db)
    try {
      const connection = ownConnection(transaction.trx)!
      const started = Date.now()
      for (const seconds of [0.2, 0.2]) {
        connection.hold([{ sql: `select pg_sleep(${seconds})` }])
        connection.flush()
      }
      connection.hold([{ sql: 'select 1 / 0' }])
      connection.flush()
      // Three in flight, run in turn: one left once the two sleeps are done.
      await connection.inFlightAtMost(1)
      expect(Date.now() - started).toBeGreaterThanOrEqual(390)
      // The failed write is out of flight too; it is reported when the writer settles, not here.
      await connection.inFlightAtMost(0)
      expect((await connection.settle())?.error).toMatchObject({ message: 'division by zero' })
    } finally {
      await transaction.rollback()
    }
  })

  it('runs them in turn; when one fails, skips the rest and their rows, and the connection goes on', async () => {
    const client = await opened!.db.pg!.pool.connect()
    try {
      await client.query('begin')
      await client.query('create temporary table copied (n integer not null, s text)')
      const into = copyFrom('copied', ['n', 's'])
      await send(client, [{ sql: into, rows: '1\ta\n2\t\\N\n' }, { sql: into, rows: '' }, { sql: 'insert into copied select n + 10, s from copied' }])
      expect((await client.query('select n, s from copied order by n')).rows).toEqual([
        { n: 1, s: 'a' },
        { n: 2, s: null },
        { n: 11, s: 'a' },
        { n: 12, s: null },
      ])
      const failing = send(client, [
        { sql: into, rows: '3\tc\n' },
        { sql: into, rows: '\\N\tno number\n' },
        { sql: into, rows: '5\te\n'.repeat(50_000) },
        { sql: 'insert into copied values (6, null)' },
      ])
      await expect(failing).rejects.toThrow(/null value in column "n"/)
      await client.query('rollback')
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }])
    } finally {
      client.release()
    }
  })
})

/** Values that each break a naive COPY writer somewhere. */
const AWKWARD = [
  '',
  'plain',
  'tab\tinside',
  'line\nbreak',
  'carriage\r\nreturn',
  'back\\slash \\\\ two \\N \\. \\t',
  '\\N',
  '\\.',
  '"double" \'single\' “curly”',
  'unicode: £ é ß 中文 🏛️ e\u0301 \u200b',
  JSON.stringify({ quote: 'a "quoted" {value}', newline: 'one\ntwo', tab: '\t', backslash: 'C:\\Temp', nothing: null, list: [1, 2.5, 'three'] }),
  ' leading and trailing spaces ',
  ',;|',
]

/** Runs `work` in a transaction of its own and commits; rolls back on failure, throwing the cause. */
async function inOwnTransaction<T>(db: Db, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  const transaction = await startOwnTransaction(db)
  try {
    const result = await work(transaction.trx)
    await transaction.commit()
    return result
  } catch (error) {
    throw (await transaction.rollback()) ?? error
  }
}

describeEachEngine('copying rows in a transaction of its own', (ctx) => {
  const now = '2026-11-27T09:00:00.000Z'
  const audit = (n: number, text: string | null) => ({
    occurred_at: now,
    actor_user_id: null,
    actor_token_id: null,
    actor_label: text ?? 'none',
    organisation_id: null,
    action: 'test.copy',
    entity_type: 'copy-test',
    entity_id: `e${n}`,
    before_json: text,
    after_json: n % 2 === 0 ? null : text,
    request_id: null,
  })
  const stored = async () =>
    (await ctx().db.kysely.selectFrom('audit_log').select(['entity_id', 'actor_label', 'before_json', 'after_json']).where('entity_type', '=', 'copy-test').orderBy('id').execute()).map((r) => ({ ...r }))
  /** No connection left checked out of the pool. */
  const poolIdle = () => {
    const pool = ctx().db.pg?.pool
    if (pool) expect(pool.idleCount).toBe(pool.totalCount)
  }

  it('stores every value exactly as given: tabs, line breaks, backslashes, quotes, unicode, JSON, nulls and empty text', async () => {
    const { db } = ctx()
    const values = [...AWKWARD, null]
    const rows = values.map((text, n) => audit(n, text))
    await inOwnTransaction(db, async (trx) => {
      await new BulkInsert(db, trx, { holdBack: true }).rows('audit_log', rows.slice(0, 5))
      await new BulkInsert(db, trx, { holdBack: true }).rows('audit_log', rows.slice(5, 9))
      // Sent at once, after those held back.
      await new BulkInsert(db, trx).rows('audit_log', rows.slice(9))
    })
    poolIdle()
    expect(await stored()).toEqual(rows.map((r) => ({ entity_id: r.entity_id, actor_label: r.actor_label, before_json: r.before_json, after_json: r.after_json })))
  })

  it('answers the ids it gave the rows, and stores numbers and nulls as the columns’ types need', async () => {
    const { db, services } = ctx()
    await seedCouncils(services, ['trafford'])
    const trafford = await services.organisations.getBySlug('trafford')
    const asset = (code: string, n: number) => ({
      organisation_id: trafford.id,
      asset_code: code,
      name: AWKWARD[n % AWKWARD.length] || 'unnamed',
      description: AWKWARD[(n + 3) % AWKWARD.length]!,
      current_value_pence: n === 1 ? Number.MAX_SAFE_INTEGER : n === 2 ? -42 : null,
      utilisation_percent: n === 1 ? 12.5 : n === 2 ? 1e-7 : null,
      lat: n === 1 ? 53.456789012345 : null,
      available_to_share: n % 2,
      version: 1,
      created_at: now,
      updated_at: now,
    })
    const rows = Array.from({ length: 30 }, (_, n) => asset(`C-${n}`, n))
    const back = await inOwnTransaction(db, (trx) => new BulkInsert(db, trx, { holdBack: true }).rows('assets', rows, { returning: ['id', 'asset_code'] }))
    expect(back.map((r) => r.asset_code)).toEqual(rows.map((r) => r.asset_code))
    expect(new Set(back.map((r) => r.id)).size).toBe(rows.length)
    const read = await db.kysely
      .selectFrom('assets')
      .select(['id', 'asset_code', 'name', 'description', 'current_value_pence', 'utilisation_percent', 'lat', 'available_to_share'])
      .where('organisation_id', '=', trafford.id)
      .execute()
    const byId = new Map(read.map((r) => [Number(r.id), r]))
    for (const [n, row] of rows.entries()) {
      const found = byId.get(Number(back[n]!.id))!
      expect({ ...found, id: undefined, current_value_pence: found.current_value_pence === null ? null : Number(found.current_value_pence) }).toEqual({
        id: undefined,
        asset_code: row.asset_code,
        name: row.name,
        description: row.description,
        current_value_pence: row.current_value_pence,
        utilisation_percent: row.utilisation_percent,
        lat: row.lat,
        available_to_share: row.available_to_share,
      })
    }
  })

  it('reports the write that failed on its way, not what failed after it, and keeps nothing', async () => {
    const { db } = ctx()
    const before = (await stored()).length
    const broken = { ...audit(900, 'broken'), actor_label: null as unknown as string }
    const transaction = await startOwnTransaction(db)
    let failure: unknown
    try {
      const bulk = new BulkInsert(db, transaction.trx, { holdBack: true })
      // Held back, then sent before the query after them, which fails because they did.
      await bulk.rows('audit_log', [audit(901, 'kept?')])
      await bulk.rows('audit_log', [broken])
      await transaction.trx.selectFrom('audit_log').select('id').limit(1).execute()
      await bulk.rows('audit_log', [audit(902, 'after')])
      await transaction.commit()
    } catch (error) {
      failure = (await transaction.rollback()) ?? error
    }
    expect(String(failure)).toMatch(/actor_label/)
    poolIdle()
    expect((await stored()).length).toBe(before)
  })

  it('reports a write that failed just before committing, and keeps nothing', async () => {
    const { db } = ctx()
    const before = (await stored()).length
    const transaction = await startOwnTransaction(db)
    await new BulkInsert(db, transaction.trx, { holdBack: true }).rows('audit_log', [audit(910, 'kept?')])
    const committing = (async () => {
      await new BulkInsert(db, transaction.trx, { holdBack: true }).rows('audit_log', [{ ...audit(911, 'broken'), actor_label: null as unknown as string }])
      await transaction.commit()
    })()
    await expect(committing).rejects.toThrow(/actor_label/)
    await transaction.rollback()
    poolIdle()
    expect((await stored()).length).toBe(before)
  })
})
