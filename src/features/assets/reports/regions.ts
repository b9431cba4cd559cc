import type { AssetIndex } from '../search/asset-index.js'
import { WeightedCache } from '../../datasets/weighted-cache.js'

/*
 * Assets have no region of their own: an asset is in its owning body's region (the ONS region
 * of the body's register entry). Reports number the regions so their loops count into arrays.
 */

/** The filter value for bodies with no region recorded. */
export const NO_REGION = 'none'
export const NO_REGION_LABEL = 'Region not recorded'

export interface Regions {
  /** The regions any body is in, A to Z. */
  names: string[]
  /** Each body's region: an index into {@link names}, or `names.length` for none. */
  of: Int16Array
}

export function regionsOf(index: AssetIndex): Regions {
  const names = [...new Set(index.organisations.map((o) => o.region).filter((r): r is string => !!r))].sort((a, b) => a.localeCompare(b))
  const number = new Map(names.map((n, i) => [n, i]))
  const of = Int16Array.from(index.organisations, (o) => (o.region ? number.get(o.region)! : names.length))
  return { names, of }
}

/** The region's number from a filter value (`none` for not recorded); undefined when no body is in it. */
export function regionNumber(regions: Regions, value: string): number | undefined {
  if (value === NO_REGION) return regions.names.length
  const at = regions.names.indexOf(value)
  return at < 0 ? undefined : at
}

export function regionName(regions: Regions, r: number): string | null {
  return regions.names[r] ?? null
}

/**
 * A report's results for one version of the index, by their filters: a new version (any asset
 * or body changed) drops them all. Bounded by weight (positions held), so a few huge selections
 * cannot hold all the memory.
 */
export class ReportCache<V> {
  private readonly held = new WeakMap<AssetIndex, { version: string; cache: WeightedCache<V> }>()

  constructor(private readonly maxWeight: number) {}

  get(index: AssetIndex, version: string, key: string): V | undefined {
    const held = this.held.get(index)
    return held?.version === version ? held.cache.get(key) : undefined
  }

  set(index: AssetIndex, version: string, key: string, value: V, weight: number): void {
    let held = this.held.get(index)
    if (held?.version !== version) this.held.set(index, (held = { version, cache: new WeightedCache(this.maxWeight) }))
    held.cache.set(key, value, weight)
  }
}
