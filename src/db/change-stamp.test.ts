import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { describeEachEngine, testConfig } from '../../test/support/engines.js'
import { seedFixture } from '../../test/support/dataset-fixture.js'
import { system } from '../../test/support/fixtures.js'
import { createServices } from '../services.js'
import { changeStamp } from './change-stamp.js'
import { connect, type Db } from './connection.js'
import { migrateToLatest } from './migrate.js'

describe('a SQLite database’s change stamp', () => {
  const opened: Db[] = []
  let dir: string | undefined
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
  /** Two connections to one file, as a server and an `lgds import` in another process have. */
  const twoConnections = async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lgds-stamp-'))
    const file = path.join(dir, 'lgds.sqlite')
    const [server, other] = [connect({ sqliteFile: file }), connect({ sqliteFile: file })]
    opened.push(server, other)
    await sql`create table scratch (n integer)`.execute(server.kysely)
    return { server, other }
  }

  it('stays put while nothing is written, and moves when this connection or another one writes', async () => {
    const { server, other } = await twoConnections()
    const first = changeStamp(server)
    await sql`select count(*) from scratch`.execute(server.kysely)
    expect(changeStamp(server)).toBe(first)

    await sql`insert into scratch values (1)`.execute(server.kysely)
    const afterOwnWrite = changeStamp(server)
    expect(afterOwnWrite).not.toBe(first)
    expect(changeStamp(server)).toBe(afterOwnWrite)

    await sql`insert into scratch values (2)`.execute(other.kysely)
    expect(changeStamp(server)).not.toBe(afterOwnWrite)
  })

  it('lets a search find what another process declared since the last search', async () => {
    const { server, other } = await twoConnections()
    await migrateToLatest(server)
    const services = createServices(testConfig(), server)
    await seedFixture(services)
    const found = async (q: string) => (await services.datasetSearch.search({ q }, { page: 1, pageSize: 50 })).items.map((d) => d.title)
    expect(await found('ferries')).toEqual([])
    await createServices(testConfig(), other).datasets.declare(system, 'trafford', { title: 'Ferry timetables', description: 'Sailings on the canal.', keywords: 'ferries', themes: 'TRAN', frequency: 'annual' })
    expect(await found('ferries')).toEqual(['Ferry timetables'])
  })
})

describeEachEngine('the change stamp on each engine', (ctx) => {
  it('is read on SQLite, and on PostgreSQL is not there (its indexes ask the tables)', () => {
    const stamp = changeStamp(ctx().db)
    if (ctx().engine === 'sqlite') expect(stamp).toMatch(/^\d+:\d+$/)
    else expect(stamp).toBeUndefined()
  })
})
