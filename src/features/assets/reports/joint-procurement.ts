import { todayInUk } from '../../../platform/uk-date.js'
import { FieldErrors } from '../../../platform/errors.js'
import { cpvLabel } from '../cpv.js'
import type { AssetIndex } from '../search/asset-index.js'
import { STATUS_NUMBER } from '../search/vocabulary.js'
import { NO_REGION, NO_REGION_LABEL, ReportCache, regionsOf } from './regions.js'

/*
 * Joint procurement: what the public sector will have to buy again soon. Assets whose useful
 * life ends within the next few years are grouped by what they are (their CPV code, or the
 * class, group or division above it) and where (the owning body's region); a group spanning
 * several bodies is a purchase they could make together.
 */

export const HORIZONS = [1, 2, 5] as const
export const DEFAULT_YEARS = 2
export const DEFAULT_MIN_BODIES = 2
export const MAX_MIN_BODIES = 100

export type CpvLevel = 'division' | 'group' | 'class' | 'category' | 'code'
/** The CPV hierarchy is by trailing zeros: a level keeps the first digits and zeros the rest. */
export const CPV_LEVELS: { code: CpvLevel; label: string; divisor: number }[] = [
  { code: 'division', label: 'Division (the first 2 digits, like 34000000)', divisor: 1_000_000 },
  { code: 'group', label: 'Group (the first 3 digits, like 34900000)', divisor: 100_000 },
  { code: 'class', label: 'Class (the first 4 digits, like 34920000)', divisor: 10_000 },
  { code: 'category', label: 'Category (the first 5 digits, like 34928000)', divisor: 1_000 },
  { code: 'code', label: 'The full code (like 34928510)', divisor: 1 },
]
export const DEFAULT_LEVEL: CpvLevel = 'class'

export interface ReplacementFilters {
  years?: number
  level?: string
  minBodies?: number
}

export interface CleanReplacementFilters {
  years: number
  level: CpvLevel
  minBodies: number
  /** The window: from today to the day before the same date `years` on (ISO dates). */
  from: string
  until: string
}

export interface DemandGroup {
  /** The code at the chosen level, eight digits. */
  cpvCode: string
  cpvLabel: string
  /** The filter value of the region: its name, or `none`. */
  region: string
  regionLabel: string
  count: number
  /** The sum of the replacement costs known (pence): acquisition cost, else register value. */
  replacementCostPence: number
  /** Assets in the group with neither. */
  unvalued: number
  bodies: { slug: string; name: string }[]
  earliestEndOfLife: string
}

export interface DemandTotals {
  groups: number
  count: number
  replacementCostPence: number
  unvalued: number
  /** Bodies with an asset in any of the groups. */
  bodies: number
}

export interface ReplacementDemand {
  version: string
  filters: CleanReplacementFilters
  /** The groups with at least `minBodies` bodies, most replacement value first. */
  groups: DemandGroup[]
  total: DemandTotals
  /** Every group, whatever its number of bodies. */
  due: DemandTotals
  /** Assets reaching the end of their life in the window that have no CPV code, so are in no group. */
  withoutCpv: number
}

const DAY_MS = 86_400_000
const cache = new ReportCache<ReplacementDemand>(1_000_000)

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

function dayOf(iso: string, yearsOn = 0): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return Math.floor(Date.UTC(y + yearsOn, m - 1, d) / DAY_MS)
}

/** The filters with defaults; a value that is not one is named in a ValidationError. */
export function cleanReplacementFilters(input: ReplacementFilters, today = todayInUk()): CleanReplacementFilters {
  const errors = new FieldErrors()
  const years = input.years ?? DEFAULT_YEARS
  if (!(HORIZONS as readonly number[]).includes(years)) errors.add('years', 'Choose 1, 2 or 5 years')
  const level = CPV_LEVELS.find((l) => l.code === (input.level ?? DEFAULT_LEVEL))?.code
  if (!level) errors.add('level', 'Choose how to group CPV codes: division, group, class, category or code')
  const minBodies = input.minBodies ?? DEFAULT_MIN_BODIES
  if (!Number.isInteger(minBodies) || minBodies < 1 || minBodies > MAX_MIN_BODIES) errors.add('minBodies', `The least number of bodies must be a whole number from 1 to ${MAX_MIN_BODIES}`)
  errors.throwIfAny()
  return { years, level: level!, minBodies, from: today, until: isoDay(dayOf(today, years) - 1) }
}

/** The report for the index as it is now (caught up first), from the cache when nothing changed. */
export async function replacementDemand(index: AssetIndex, input: ReplacementFilters = {}, today = todayInUk()): Promise<ReplacementDemand> {
  const version = await index.catchUp()
  const filters = cleanReplacementFilters(input, today)
  const key = JSON.stringify(filters)
  const held = cache.get(index, version, key)
  if (held) return held
  const demand = computeReplacementDemand(index, filters, version)
  cache.set(index, version, key, demand, demand.groups.length + 1)
  return demand
}

interface Group {
  code: number
  region: number
  count: number
  value: number
  unvalued: number
  bodies: Set<number>
  earliest: number
}

/** The report in one pass over the index (as it is: call `catchUp()` first). Disposed assets are never counted. */
export function computeReplacementDemand(index: AssetIndex, filters: CleanReplacementFilters, version = ''): ReplacementDemand {
  const { size, organisation, endOfLife, status, cpvCode, replacementCost } = index
  const regions = regionsOf(index)
  const regionOf = regions.of
  const spread = regions.names.length + 1
  const divisor = CPV_LEVELS.find((l) => l.code === filters.level)!.divisor
  const from = dayOf(filters.from)
  const until = dayOf(filters.until)
  const disposed = STATUS_NUMBER.get('disposed')!
  const groups = new Map<number, Group>()
  let withoutCpv = 0
  for (let i = 0; i < size; i++) {
    // Most assets are not due: the end of life is tested first. Unknown ones are NO_END_OF_LIFE.
    const end = endOfLife[i]!
    if (end < from || end > until) continue
    const o = organisation[i]!
    if (o < 0 || status[i] === disposed) continue
    const full = cpvCode[i]!
    if (full < 0) {
      withoutCpv++
      continue
    }
    const code = divisor === 1 ? full : Math.floor(full / divisor) * divisor
    const r = regionOf[o]!
    const key = code * spread + r
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { code, region: r, count: 0, value: 0, unvalued: 0, bodies: new Set(), earliest: end }))
    group.count++
    const cost = replacementCost[i]!
    if (cost === cost) group.value += cost
    else group.unvalued++
    group.bodies.add(o)
    if (end < group.earliest) group.earliest = end
  }

  const all = [...groups.values()]
  const shown = all.filter((g) => g.bodies.size >= filters.minBodies)
  shown.sort((a, b) => b.value - a.value || b.count - a.count || a.code - b.code || a.region - b.region)
  return {
    version,
    filters,
    groups: shown.map((g) => describeGroup(index, regions.names, g)),
    total: totalsOf(shown),
    due: totalsOf(all),
    withoutCpv,
  }
}

function totalsOf(groups: Group[]): DemandTotals {
  const bodies = new Set<number>()
  let count = 0
  let value = 0
  let unvalued = 0
  for (const g of groups) {
    count += g.count
    value += g.value
    unvalued += g.unvalued
    for (const o of g.bodies) bodies.add(o)
  }
  return { groups: groups.length, count, replacementCostPence: value, unvalued, bodies: bodies.size }
}

function describeGroup(index: AssetIndex, regionNames: string[], g: Group): DemandGroup {
  const code = String(g.code).padStart(8, '0')
  const region = regionNames[g.region]
  return {
    cpvCode: code,
    cpvLabel: labelOfLevel(code),
    region: region ?? NO_REGION,
    regionLabel: region ?? NO_REGION_LABEL,
    count: g.count,
    replacementCostPence: g.value,
    unvalued: g.unvalued,
    bodies: [...g.bodies].map((o) => ({ slug: index.organisations[o]!.slug, name: index.organisations[o]!.name })).sort((a, b) => a.name.localeCompare(b.name)),
    earliestEndOfLife: isoDay(g.earliest),
  }
}

/** The code's label; a level the CPV list does not name takes the label of the nearest level above it. */
export function labelOfLevel(code: string): string {
  for (let digits = 8; digits >= 2; digits--) {
    const label = cpvLabel(code.slice(0, digits).padEnd(8, '0'))
    if (label) return label
  }
  return code
}
