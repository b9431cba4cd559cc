import { describe, expect, it } from 'vitest'
import { bookValue, monthsBetween, registerValue, type DepreciationFacts } from './depreciation.js'

const facts = (over: Partial<DepreciationFacts>): DepreciationFacts => ({
  method: 'straight-line',
  acquisitionDate: '2020-04-01',
  acquisitionCostPence: 1_200_000,
  currentValuePence: null,
  valuationDate: null,
  usefulLifeYears: 10,
  ratePercent: null,
  floorPence: null,
  ...over,
})

describe('whole months between dates', () => {
  it('counts a month only once its day has come', () => {
    expect(monthsBetween('2020-04-01', '2020-04-30')).toBe(0)
    expect(monthsBetween('2020-04-01', '2020-05-01')).toBe(1)
    expect(monthsBetween('2020-01-31', '2020-02-29')).toBe(0)
    expect(monthsBetween('2020-04-15', '2023-04-14')).toBe(35)
    expect(monthsBetween('2020-04-15', '2023-04-15')).toBe(36)
  })
  it('is never negative', () => {
    expect(monthsBetween('2025-01-01', '2024-01-01')).toBe(0)
  })
})

describe('book value', () => {
  it('straight line spreads cost less floor evenly over the useful life, by months', () => {
    // £12,000 over 10 years to nothing: £100 a month.
    expect(bookValue(facts({}), '2020-04-01')).toBe(1_200_000)
    expect(bookValue(facts({}), '2021-04-01')).toBe(1_080_000)
    expect(bookValue(facts({}), '2025-04-01')).toBe(600_000)
    expect(bookValue(facts({}), '2030-04-01')).toBe(0)
    expect(bookValue(facts({}), '2045-01-01')).toBe(0)
  })

  it('straight line stops at the floor', () => {
    const withFloor = facts({ floorPence: 200_000 })
    // (£12,000 − £2,000) / 120 months = £83.33… a month; after 60 months £5,000 is charged.
    expect(bookValue(withFloor, '2025-04-01')).toBe(700_000)
    expect(bookValue(withFloor, '2031-01-01')).toBe(200_000)
  })

  it('rounds to the penny', () => {
    // £100 over 3 years: 277.78p a month; after one month 9,722.22p is left, rounded to 9,722.
    expect(bookValue(facts({ acquisitionCostPence: 10_000, usefulLifeYears: 3 }), '2020-05-01')).toBe(9_722)
    expect(bookValue(facts({ acquisitionCostPence: 10_000, usefulLifeYears: 3 }), '2020-05-01')).toBe(10_000 - Math.round(10_000 / 36))
  })

  it('after a revaluation, spreads the new value over what is left of the life', () => {
    // Bought 2020-04 for 10 years; revalued at £6,000 on 2025-04-01 with 60 months left: £100 a month.
    const revalued = facts({ currentValuePence: 600_000, valuationDate: '2025-04-01' })
    expect(bookValue(revalued, '2025-04-01')).toBe(600_000)
    expect(bookValue(revalued, '2026-04-01')).toBe(480_000)
    expect(bookValue(revalued, '2030-04-01')).toBe(0)
  })

  it('reducing balance writes off the same share each year and stops at the floor', () => {
    const rb = facts({ method: 'reducing-balance', usefulLifeYears: null, ratePercent: 25 })
    expect(bookValue(rb, '2021-04-01')).toBe(900_000)
    expect(bookValue(rb, '2022-04-01')).toBe(675_000)
    // Half a year: 12,000 × 0.75^0.5.
    expect(bookValue(rb, '2020-10-01')).toBe(Math.round(1_200_000 * Math.sqrt(0.75)))
    expect(bookValue({ ...rb, floorPence: 800_000 }, '2022-04-01')).toBe(800_000)
  })

  it('reducing balance with a useful life is written down to the floor when the life ends', () => {
    const rb = facts({ method: 'reducing-balance', usefulLifeYears: 4, ratePercent: 10, floorPence: 50_000 })
    expect(bookValue(rb, '2023-04-01')).toBe(Math.round(1_200_000 * 0.9 ** 3))
    expect(bookValue(rb, '2024-04-01')).toBe(50_000)
  })

  it('is the register value with no method, method none, or no date to run from', () => {
    expect(bookValue(facts({ method: null }), '2030-01-01')).toBe(1_200_000)
    expect(bookValue(facts({ method: 'none', currentValuePence: 900_000 }), '2030-01-01')).toBe(900_000)
    expect(bookValue(facts({ acquisitionDate: null }), '2030-01-01')).toBe(1_200_000)
    expect(bookValue(facts({ acquisitionCostPence: null, acquisitionDate: null }), '2030-01-01')).toBeNull()
  })

  it('never depreciates below a floor it starts under', () => {
    expect(bookValue(facts({ floorPence: 2_000_000 }), '2030-01-01')).toBe(1_200_000)
  })
})

describe('register value', () => {
  it('is the current value, else the cost', () => {
    expect(registerValue({ currentValuePence: 5, acquisitionCostPence: 9 })).toBe(5)
    expect(registerValue({ currentValuePence: null, acquisitionCostPence: 9 })).toBe(9)
    expect(registerValue({ currentValuePence: 0, acquisitionCostPence: 9 })).toBe(0)
    expect(registerValue({ currentValuePence: null, acquisitionCostPence: null })).toBeNull()
  })
})
