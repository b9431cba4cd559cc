import { beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils, system } from '../../../../test/support/fixtures.js'
import { bookValue } from '../depreciation.js'
import { AssetIndex, NO_END_OF_LIFE, endOfLifeDay } from './asset-index.js'

const day = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000

it('puts the end of an asset’s useful life its whole months after acquisition', () => {
  expect(endOfLifeDay('2020-03-15', 5)).toBe(day('2025-03-15'))
  expect(endOfLifeDay('2020-03-15', 2.5)).toBe(day('2022-09-15'))
  expect(endOfLifeDay(null, 5)).toBe(NO_END_OF_LIFE)
  expect(endOfLifeDay('2020-03-15', null)).toBe(NO_END_OF_LIFE)
})

describeEachEngine('the in-memory asset index', (ctx) => {
  let index: AssetIndex
  let vanId: number
  let siteId: number

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    const van = await services.assets.create(system, 'manchester', {
      assetCode: 'V1',
      name: 'Refuse vehicle',
      assetClass: 'vehicles-plant-equipment',
      cpvCode: '34144512',
      acquisitionDate: '2021-04-01',
      acquisitionCostPence: '£180,000',
      depreciationMethod: 'straight-line',
      usefulLifeYears: '7',
      utilisationPercent: '35',
      utilisationMeasuredOn: '2026-01-05',
      status: 'underused',
    })
    const site = await services.assets.create(system, 'trafford', { assetCode: 'S1', name: 'Depot', assetClass: 'operational-land-buildings', cpvCode: '70110000', currentValuePence: '£500,000', valuationDate: '2025-03-31' })
    vanId = van.id
    siteId = site.id
    index = new AssetIndex(db)
    await index.catchUp()
  })

  it('holds what the sharing reports need: CPV code, utilisation, book value, replacement cost and end of life', () => {
    const van = index.positionOf(vanId)!
    expect(index.cpvCode[van]).toBe(34144512)
    expect(index.utilisation[van]).toBe(35)
    const expected = bookValue(
      { method: 'straight-line', acquisitionDate: '2021-04-01', acquisitionCostPence: 18_000_000, currentValuePence: null, valuationDate: null, usefulLifeYears: 7, ratePercent: null, floorPence: null },
      index.bookValueDay,
    )
    expect(index.bookValue[van]).toBe(expected)
    expect(index.bookValue[van]).toBeLessThan(18_000_000)
    expect(index.replacementCost[van]).toBe(18_000_000)
    expect(index.endOfLife[van]).toBe(day('2028-04-01'))
    expect(index.holder[van]).toBe(-1)
    expect(index.organisations[index.organisation[van]!]!.type).toBeTruthy()

    const site = index.positionOf(siteId)!
    expect(index.cpvCode[site]).toBe(70110000)
    expect(Number.isNaN(index.utilisation[site]!)).toBe(true)
    // Without a method or dates, the book value is the register value, and so is the replacement cost.
    expect(index.bookValue[site]).toBe(50_000_000)
    expect(index.replacementCost[site]).toBe(50_000_000)
    expect(index.endOfLife[site]).toBe(NO_END_OF_LIFE)
  })

  it('works book values out again on a new day', async () => {
    const van = index.positionOf(vanId)!
    index.bookValue[van] = 1
    index.bookValueDay = '2000-01-01'
    await index.catchUp()
    expect(index.bookValueDay).not.toBe('2000-01-01')
    expect(index.bookValue[van]).toBeGreaterThan(1)
  })
})
