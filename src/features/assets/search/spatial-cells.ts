import type { AssetIndex } from './asset-index.js'

/*
 * The mapped assets sorted into a fixed grid of Web Mercator cells (4,096 across the world,
 * about 6 km wide over Britain): the map reads only the cells in view, and for a view of
 * many cells adds up each cell's totals instead of its assets. Built once per version of the
 * register; the totals once per search (the filters and words), then kept with it.
 */

export const CELL_BITS = 12
export const CELLS = 1 << CELL_BITS
/** Packs a cell key and a position in one double, so one numeric sort orders both. */
const POSITION_SPACE = 2 ** 24

export interface SpatialCells {
  /** The keys (`row * CELLS + column`) of the cells holding assets, ascending. */
  keys: Int32Array
  /** Where each cell's assets start in {@link order}; one more entry than there are cells. */
  start: Int32Array
  /** Positions of mapped assets, cell by cell. */
  order: Int32Array
}

/** Each cell's totals over the assets a search found. */
export interface CellTotals {
  count: Int32Array
  sumLon: Float64Array
  sumLat: Float64Array
  minLon: Float64Array
  minLat: Float64Array
  maxLon: Float64Array
  maxLat: Float64Array
  /** One of the cell's assets: the asset itself when there is one. */
  member: Int32Array
}

export function cellOf(mercator: number): number {
  return Math.min(CELLS - 1, Math.max(0, Math.floor(mercator * CELLS)))
}

export function buildSpatialCells(index: AssetIndex): SpatialCells {
  const { mercX, mercY, size } = index
  if (size >= POSITION_SPACE) throw new Error('the map index holds at most 16 million assets')
  let mapped = 0
  for (let i = 0; i < size; i++) if (!Number.isNaN(mercX[i]!)) mapped++
  const packed = new Float64Array(mapped)
  let at = 0
  for (let i = 0; i < size; i++) {
    const x = mercX[i]!
    if (Number.isNaN(x)) continue
    packed[at++] = (cellOf(mercY[i]!) * CELLS + cellOf(x)) * POSITION_SPACE + i
  }
  packed.sort()
  const order = new Int32Array(mapped)
  const keys: number[] = []
  const start: number[] = []
  let last = -1
  for (let k = 0; k < mapped; k++) {
    const key = Math.floor(packed[k]! / POSITION_SPACE)
    order[k] = packed[k]! - key * POSITION_SPACE
    if (key !== last) {
      keys.push(key)
      start.push(k)
      last = key
    }
  }
  start.push(mapped)
  return { keys: Int32Array.from(keys), start: Int32Array.from(start), order }
}

/** The first cell whose key is at least `key`. */
export function firstCellFrom(cells: SpatialCells, key: number): number {
  let lo = 0
  let hi = cells.keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (cells.keys[mid]! < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Every cell's totals over the assets that pass (all mapped assets when `passes` is null). */
export function cellTotals(cells: SpatialCells, index: AssetIndex, passes: Uint8Array | null): CellTotals {
  const n = cells.keys.length
  const totals: CellTotals = {
    count: new Int32Array(n),
    sumLon: new Float64Array(n),
    sumLat: new Float64Array(n),
    minLon: new Float64Array(n).fill(Infinity),
    minLat: new Float64Array(n).fill(Infinity),
    maxLon: new Float64Array(n).fill(-Infinity),
    maxLat: new Float64Array(n).fill(-Infinity),
    member: new Int32Array(n),
  }
  const { lat, lon } = index
  for (let c = 0; c < n; c++) {
    const end = cells.start[c + 1]!
    for (let k = cells.start[c]!; k < end; k++) {
      const p = cells.order[k]!
      if (passes !== null && passes[p] === 0) continue
      const x = lon[p]!
      const y = lat[p]!
      totals.count[c]!++
      totals.sumLon[c]! += x
      totals.sumLat[c]! += y
      if (x < totals.minLon[c]!) totals.minLon[c] = x
      if (y < totals.minLat[c]!) totals.minLat[c] = y
      if (x > totals.maxLon[c]!) totals.maxLon[c] = x
      if (y > totals.maxLat[c]!) totals.maxLat[c] = y
      totals.member[c] = p
    }
  }
  return totals
}

/** The search's positions as a lookup by position. */
export function passFlags(size: number, passing: Int32Array): Uint8Array {
  const flags = new Uint8Array(size)
  for (const p of passing) flags[p] = 1
  return flags
}

/** A cell's edges in degrees: [west, south, east, north]. */
export function cellBounds(key: number): [number, number, number, number] {
  const row = Math.floor(key / CELLS)
  const column = key - row * CELLS
  return [(column / CELLS) * 360 - 180, latitudeOf((row + 1) / CELLS), ((column + 1) / CELLS) * 360 - 180, latitudeOf(row / CELLS)]
}

function latitudeOf(mercatorY: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - 2 * mercatorY))) * 180) / Math.PI
}
