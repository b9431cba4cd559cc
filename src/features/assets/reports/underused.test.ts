import { beforeAll, expect, it } from 'vitest'
import { UNDERUSED_REGISTERS, importRows } from '../../../../test/fixtures/asset-reports/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils } from '../../../../test/support/fixtures.js'
import { nowIso } from '../../../db/dialect.js'
import { ValidationError } from '../../../platform/errors.js'
import { AssetIndex } from '../search/asset-index.js'
import { bodyUnderused } from './peers.js'
import { underusedReport, type UnderusedReport, type UnderusedTotals } from './underused.js'
import { pageOfPositions, sortedPositions } from './underused-order.js'

const pounds = (n: number) => n * 100

/** The sums of a table's rows. */
function sumOf(rows: UnderusedTotals[]): UnderusedTotals {
  return rows.reduce((t, r) => ({ count: t.count + r.count, bookValuePence: t.bookValuePence + r.bookValuePence, unvalued: t.unvalued + r.unvalued }), { count: 0, bookValuePence: 0, unvalued: 0 })
}

function expectTablesAddUp(report: UnderusedReport): void {
  const total = { count: report.total.count, bookValuePence: report.total.bookValuePence, unvalued: report.total.unvalued }
  expect(sumOf(report.byBody)).toEqual(total)
  expect(sumOf(report.byClass)).toEqual(total)
  expect(sumOf(report.byRegion)).toEqual(total)
  expect(sumOf(report.byReason)).toEqual(total)
  expect(report.positions.length).toBe(report.total.count)
}

describeEachEngine('underused capital', (ctx) => {
  let index: AssetIndex

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services, ['trafford', 'manchester', 'leeds', 'camden'])
    for (const [slug, rows] of Object.entries(UNDERUSED_REGISTERS)) await importRows(services, slug, rows)
    index = new AssetIndex(db)
  })

  it('counts assets recorded as underused, vacant or surplus, or used less than 40 %, never disposed ones, with their book value', async () => {
    const report = await underusedReport(index)
    expect(report.filters).toEqual({ threshold: 40, body: null, class: null, region: null })
    expect(report.total).toEqual({ count: 7, bookValuePence: pounds(580_000), unvalued: 1, bodies: 3, registerBookValuePence: pounds(2_405_000), sharePercent: 24.1 })
    expect(report.byBody.map((r) => [r.slug, r.count, r.bookValuePence, r.unvalued, r.registerBookValuePence, r.sharePercent])).toEqual([
      ['manchester', 2, pounds(400_000), 0, pounds(1_000_000), 40],
      ['trafford', 4, pounds(170_000), 1, pounds(400_000), 42.5],
      ['leeds', 1, pounds(10_000), 0, pounds(1_000_000), 1],
    ])
    expect(report.byClass.map((r) => [r.code, r.count, r.bookValuePence, r.unvalued])).toEqual([
      ['operational-land-buildings', 3, pounds(420_000), 0],
      ['vehicles-plant-equipment', 1, pounds(100_000), 0],
      ['community', 2, pounds(60_000), 0],
      ['none', 1, 0, 1],
    ])
    expect(report.byRegion.map((r) => [r.value, r.count, r.bookValuePence])).toEqual([
      ['North West', 6, pounds(570_000)],
      ['Yorkshire and The Humber', 1, pounds(10_000)],
    ])
    expect(report.byReason.map((r) => [r.reason, r.count, r.bookValuePence, r.unvalued])).toEqual([
      ['underused', 2, pounds(110_000), 0],
      ['vacant', 2, pounds(350_000), 0],
      ['surplus', 1, 0, 1],
      ['low-utilisation', 2, pounds(120_000), 0],
    ])
    expectTablesAddUp(report)
    // The mapped ones: T1, T2, M1 and L1.
    expect(report.extent).toEqual([-2.3515, 53.4223, -1.5492, 53.7997])
  })

  it('narrows by threshold, body, class and region, the tables still adding up', async () => {
    const lower = await underusedReport(index, { threshold: 39 })
    expect(lower.total.count).toBe(6)
    expect(lower.byReason.find((r) => r.reason === 'low-utilisation')).toMatchObject({ count: 1, bookValuePence: pounds(20_000) })
    expectTablesAddUp(lower)
    expect((await underusedReport(index, { threshold: 0 })).total.count).toBe(5)

    const trafford = await underusedReport(index, { body: 'trafford' })
    expect(trafford.total).toMatchObject({ count: 4, bookValuePence: pounds(170_000), bodies: 1, registerBookValuePence: pounds(400_000), sharePercent: 42.5 })
    expectTablesAddUp(trafford)

    const community = await underusedReport(index, { class: 'community' })
    expect(community.byBody.map((r) => [r.slug, r.count, r.registerBookValuePence])).toEqual([
      ['trafford', 1, pounds(50_000)],
      ['leeds', 1, pounds(10_000)],
    ])
    expectTablesAddUp(community)

    const yorkshire = await underusedReport(index, { region: 'Yorkshire and The Humber' })
    expect(yorkshire.total).toMatchObject({ count: 1, bookValuePence: pounds(10_000) })
    expect((await underusedReport(index, { region: 'none' })).total.count).toBe(0)
  })

  it('refuses filters that name nothing, each by its field', async () => {
    const error = await underusedReport(index, { threshold: 140, body: 'atlantis', class: 'spaceships', region: 'Mars' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields.map((f) => f.name)).toEqual(['threshold', 'body', 'class', 'region'])
  })

  it('lists the assets by book value, highest first, those not valued last', async () => {
    const report = await underusedReport(index)
    const codes = (positions: Int32Array) => Array.from(positions, (p) => index.nameKey[p])
    const all = ['asset m1', 'asset m2', 'asset t1', 'asset t2', 'asset t3', 'asset l1', 'asset t7']
    expect(codes(pageOfPositions(index, report, 1, 3))).toEqual(all.slice(0, 3))
    expect(codes(pageOfPositions(index, report, 2, 3))).toEqual(all.slice(3, 6))
    expect(codes(sortedPositions(index, report))).toEqual(all)
    expect(codes(pageOfPositions(index, report, 3, 3))).toEqual(all.slice(6))
  })

  it('gives a body its figure and where it stands among bodies of its type', async () => {
    expect(await bodyUnderused(index, 'trafford')).toEqual({
      slug: 'trafford',
      name: 'Trafford Metropolitan Borough Council',
      type: 'MD',
      threshold: 40,
      count: 4,
      bookValuePence: pounds(170_000),
      unvalued: 1,
      registerBookValuePence: pounds(400_000),
      sharePercent: 42.5,
      // Trafford 42.5 %, Manchester 40 %, Leeds 1 %.
      peers: { count: 3, medianSharePercent: 40, rank: 1 },
    })
    expect((await bodyUnderused(index, 'leeds'))?.peers).toEqual({ count: 3, medianSharePercent: 40, rank: 3 })
    // Camden is the only London borough; it has assets but none underused.
    expect(await bodyUnderused(index, 'camden')).toMatchObject({ count: 0, bookValuePence: 0, sharePercent: 0, peers: { count: 1, medianSharePercent: 0, rank: 1 } })
  })

  it('gives no figure for a body with no assets', async () => {
    const { services } = ctx()
    await seedCouncils(services, ['stockport'])
    expect(await bodyUnderused(index, 'stockport')).toBeNull()
    expect(await bodyUnderused(index, 'nowhere')).toBeNull()
  })

  it('follows the register as it changes, and counts an asset lent to another body as in use', async () => {
    const { services, db } = ctx()
    const before = await underusedReport(index)
    await importRows(services, 'leeds', [{ asset_code: 'L3', name: 'Asset L3', status: 'vacant', current_value: '5000', valuation_date: '2025-03-31' }])
    const after = await underusedReport(index)
    expect(after.total.count).toBe(before.total.count + 1)
    expect(after.total.bookValuePence).toBe(before.total.bookValuePence + pounds(5_000))

    // On loan to Manchester (the sharing workflow records the holder like this).
    const manchester = (await services.organisations.getBySlug('manchester')).id
    await db.kysely.updateTable('assets').set({ holder_organisation_id: manchester, updated_at: nowIso() }).where('asset_code', '=', 'L3').execute()
    const lent = await underusedReport(index)
    expect(lent.total.count).toBe(before.total.count)
    expect(lent.byBody.find((r) => r.slug === 'leeds')?.registerBookValuePence).toBe(pounds(1_005_000))
    expectTablesAddUp(lent)
  })
})
