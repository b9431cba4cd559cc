import { beforeAll, expect, it } from 'vitest'
import { PROCUREMENT_REGISTERS, PROCUREMENT_TODAY as TODAY, importRows } from '../../../../test/fixtures/asset-reports/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils } from '../../../../test/support/fixtures.js'
import { ValidationError } from '../../../platform/errors.js'
import { AssetIndex } from '../search/asset-index.js'
import { cleanReplacementFilters, labelOfLevel, replacementDemand, type DemandGroup, type ReplacementDemand } from './joint-procurement.js'

const pounds = (n: number) => n * 100
const row = (g: DemandGroup) => [g.cpvCode, g.region, g.count, g.replacementCostPence, g.unvalued, g.bodies.map((b) => b.slug), g.earliestEndOfLife]

function expectTotalsAddUp(demand: ReplacementDemand): void {
  const { groups, total } = demand
  expect(total.groups).toBe(groups.length)
  expect(total.count).toBe(groups.reduce((n, g) => n + g.count, 0))
  expect(total.replacementCostPence).toBe(groups.reduce((n, g) => n + g.replacementCostPence, 0))
  expect(total.unvalued).toBe(groups.reduce((n, g) => n + g.unvalued, 0))
  expect(total.bodies).toBe(new Set(groups.flatMap((g) => g.bodies.map((b) => b.slug))).size)
  expect(groups.every((g) => g.bodies.length >= demand.filters.minBodies)).toBe(true)
}

describeEachEngine('joint procurement: replacement demand', (ctx) => {
  let index: AssetIndex

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services, ['trafford', 'manchester', 'leeds'])
    for (const [slug, rows] of Object.entries(PROCUREMENT_REGISTERS)) await importRows(services, slug, rows)
    index = new AssetIndex(db)
  })

  it('groups what reaches the end of its life in the next two years by CPV class and region, where two or more bodies share it', async () => {
    const demand = await replacementDemand(index, {}, TODAY)
    expect(demand.filters).toEqual({ years: 2, level: 'class', minBodies: 2, from: TODAY, until: '2028-03-09' })
    expect(demand.groups.map(row)).toEqual([
      ['34920000', 'North West', 3, pounds(4_500), 0, ['manchester', 'trafford'], '2026-06-01'],
      ['30210000', 'North West', 2, pounds(900), 1, ['manchester', 'trafford'], '2026-09-01'],
    ])
    expect(demand.groups[0]).toMatchObject({ cpvLabel: 'Road equipment', regionLabel: 'North West', bodies: [{ slug: 'manchester', name: 'Manchester City Council' }, { slug: 'trafford' }] })
    expect(demand.total).toEqual({ groups: 2, count: 5, replacementCostPence: pounds(5_400), unvalued: 1, bodies: 2 })
    // Leeds' lighting is in another region, on its own.
    expect(demand.due).toEqual({ groups: 3, count: 6, replacementCostPence: pounds(8_400), unvalued: 1, bodies: 3 })
    expect(demand.withoutCpv).toBe(1)
    expectTotalsAddUp(demand)
  })

  it('shows every group when one body is enough', async () => {
    const demand = await replacementDemand(index, { minBodies: 1 }, TODAY)
    expect(demand.groups.map((g) => [g.cpvCode, g.region, g.bodies.length])).toEqual([
      ['34920000', 'North West', 2],
      ['34920000', 'Yorkshire and The Humber', 1],
      ['30210000', 'North West', 2],
    ])
    expect(demand.total).toEqual(demand.due)
    expectTotalsAddUp(demand)
  })

  it('takes the window of 1, 2 or 5 years, its last day included', async () => {
    const one = await replacementDemand(index, { years: 1, minBodies: 1 }, TODAY)
    expect(one.filters.until).toBe('2027-03-09')
    // TL2 (2028-03-09) is not due within a year.
    expect(one.groups.find((g) => g.cpvCode === '34920000' && g.region === 'North West')).toMatchObject({ count: 2, replacementCostPence: pounds(3_000) })
    const five = await replacementDemand(index, { years: 5, minBodies: 1 }, TODAY)
    // TL3 (2028-03-10) joins in five years.
    expect(five.groups.find((g) => g.cpvCode === '34920000' && g.region === 'North West')).toMatchObject({ count: 4, replacementCostPence: pounds(5_200) })
    expectTotalsAddUp(one)
    expectTotalsAddUp(five)
  })

  it('groups by the full code or any level of the CPV hierarchy', async () => {
    const codes = async (level: string) => (await replacementDemand(index, { level, minBodies: 1 }, TODAY)).groups.map((g) => `${g.cpvCode} ${g.region}`)
    expect(await codes('code')).toEqual(['34928510 Yorkshire and The Humber', '34928510 North West', '34928500 North West', '30213100 North West'])
    expect(await codes('category')).toEqual(['34928000 North West', '34928000 Yorkshire and The Humber', '30213000 North West'])
    expect(await codes('group')).toEqual(['34900000 North West', '34900000 Yorkshire and The Humber', '30200000 North West'])
    expect(await codes('division')).toEqual(['34000000 North West', '34000000 Yorkshire and The Humber', '30000000 North West'])
    // At the full code, only the laptops span two bodies.
    expect((await replacementDemand(index, { level: 'code' }, TODAY)).groups.map((g) => g.cpvCode)).toEqual(['30213100'])
  })

  it('names a level the CPV list has no entry for by the level above it', () => {
    expect(labelOfLevel('34920000')).toBe('Road equipment')
    expect(labelOfLevel('30210000')).toBe('Data-processing machines (hardware)')
    // 34511100 (marine patrol vessels) is a code, but its category 34511000 is not in the list: its class 34510000 is.
    expect(labelOfLevel('34511000')).toBe('Ships')
  })

  it('refuses a window, level or number of bodies it does not offer, each by its field', () => {
    let error: unknown
    try {
      cleanReplacementFilters({ years: 3, level: 'family', minBodies: 0 }, TODAY)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields.map((f) => f.name)).toEqual(['years', 'level', 'minBodies'])
  })

  it('follows the register as it changes', async () => {
    const { services } = ctx()
    await importRows(services, 'leeds', [{ asset_code: 'LP1', name: 'Leeds laptops', status: 'in use', cpv_code: '30213300', acquisition_date: '2023-02-01', useful_life_years: '4', acquisition_cost: '1200' }])
    const demand = await replacementDemand(index, { minBodies: 1 }, TODAY)
    expect(demand.groups.find((g) => g.cpvCode === '30210000' && g.region === 'Yorkshire and The Humber')).toMatchObject({ count: 1, replacementCostPence: pounds(1_200), earliestEndOfLife: '2027-02-01' })
  })
})
