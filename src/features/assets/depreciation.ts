/*
 * An asset's current book value: what it cost or was last valued at, less the depreciation
 * charged since, by whole months. Amounts are integer pence; the result is rounded to the penny.
 */

export type DepreciationMethod = 'straight-line' | 'reducing-balance' | 'none'

export interface DepreciationFacts {
  method: DepreciationMethod | null
  acquisitionDate: string | null
  acquisitionCostPence: number | null
  currentValuePence: number | null
  valuationDate: string | null
  usefulLifeYears: number | null
  /** Reducing balance: the share written off each year, in percent. */
  ratePercent: number | null
  /** The value depreciation never goes below (residual value); 0 when not given. */
  floorPence: number | null
}

/**
 * The value the £1,000 rule and the register go by: the current value when there is one, else
 * what the asset cost.
 */
export function registerValue(facts: Pick<DepreciationFacts, 'currentValuePence' | 'acquisitionCostPence'>): number | null {
  return facts.currentValuePence ?? facts.acquisitionCostPence
}

/** Whole calendar months from one ISO date to another; 0 when `to` is not after `from`. */
export function monthsBetween(from: string, to: string): number {
  const [y1, m1, d1] = from.split('-').map(Number) as [number, number, number]
  const [y2, m2, d2] = to.split('-').map(Number) as [number, number, number]
  const months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0)
  return Math.max(0, months)
}

/**
 * The book value on `asOf` (an ISO date). Depreciation runs from the last valuation when there
 * is one (over what is left of the useful life), else from acquisition. Without a method, or
 * without the dates to run it from, the book value is the register value.
 */
export function bookValue(facts: DepreciationFacts, asOf: string): number | null {
  const base = startingPoint(facts)
  if (!base || facts.method === null || facts.method === 'none') return registerValue(facts)
  const floor = facts.floorPence ?? 0
  if (base.pence <= floor) return base.pence
  const lifeMonths = facts.usefulLifeYears === null ? null : Math.round(facts.usefulLifeYears * 12)
  // Months of the useful life already used when the starting value was set (a revaluation).
  const usedBefore = base.revalued && facts.acquisitionDate ? monthsBetween(facts.acquisitionDate, base.date) : 0
  const elapsed = monthsBetween(base.date, asOf)

  if (facts.method === 'straight-line') {
    if (lifeMonths === null) return base.pence
    const remaining = lifeMonths - usedBefore
    if (remaining <= 0) return floor
    const charged = Math.round(((base.pence - floor) * Math.min(elapsed, remaining)) / remaining)
    return base.pence - charged
  }

  if (facts.ratePercent === null) return base.pence
  if (lifeMonths !== null && usedBefore + elapsed >= lifeMonths) return floor
  const value = Math.round(base.pence * Math.pow(1 - facts.ratePercent / 100, elapsed / 12))
  return Math.max(floor, value)
}

function startingPoint(facts: DepreciationFacts): { pence: number; date: string; revalued: boolean } | undefined {
  if (facts.currentValuePence !== null && facts.valuationDate) return { pence: facts.currentValuePence, date: facts.valuationDate, revalued: true }
  if (facts.acquisitionCostPence !== null && facts.acquisitionDate) return { pence: facts.acquisitionCostPence, date: facts.acquisitionDate, revalued: false }
  return undefined
}
