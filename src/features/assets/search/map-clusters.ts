import type { Db } from '../../../db/connection.js'
import { mercatorX, mercatorY } from './asset-index.js'
import { narrows, type AssetFilters, type Bbox } from './filters.js'
import { WeightedCache } from '../../datasets/weighted-cache.js'
import type { AssetSearch } from './search.js'
import { CELLS, buildSpatialCells, cellBounds, cellOf, cellTotals, firstCellFrom, passFlags, type CellTotals, type SpatialCells } from './spatial-cells.js'

/*
 * The map's markers, clustered on the server: the assets in view are counted into a grid of
 * cells about 64 pixels wide at the map's zoom (Web Mercator, as the tiles are), and each cell
 * becomes one point (a single asset, or a cluster with its count), so any view answers with at
 * most a few hundred features however many assets it holds.
 */

/** Cells per 256-pixel tile along each axis. */
const CELLS_PER_TILE = 4
export const MAX_ZOOM = 22
/** The grid is made coarser until no more than this many cells are counted into. */
const MAX_CELLS = 16_384
export const DEFAULT_MAX_FEATURES = 300
/** A view holding no more assets than this shows each of them. */
const SINGLES_LIMIT = 100
/** A cell within this many degrees of the view's edge has its assets tested one by one. */
const EDGE = 1e-6

export interface MapView {
  bbox: Bbox
  /** The map's zoom level (0 = the whole world in one tile); worked out from the box when absent. */
  zoom?: number
}

export interface AssetPoint {
  type: 'Feature'
  id: number
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: { id: number; name: string; href: string }
}

export interface ClusterPoint {
  type: 'Feature'
  bbox: [number, number, number, number]
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: { cluster: true; count: number }
}

export interface MapFeatures {
  type: 'FeatureCollection'
  features: (AssetPoint | ClusterPoint)[]
  /** Assets matching the filters mapped inside the box (the features' counts add up to it). */
  total: number
  zoom: number
}

interface Grid {
  /** Cells across the world at this level. */
  n: number
  x0: number
  y0: number
  width: number
  height: number
  count: Int32Array
  sumLon: Float64Array
  sumLat: Float64Array
  minLon: Float64Array
  minLat: Float64Array
  maxLon: Float64Array
  maxLat: Float64Array
  /** A member of each cell: the asset itself when the cell holds one. */
  member: Int32Array
}

/** The zoom at which the box about fills a 1024-pixel-wide map. */
export function zoomFor([minLon, , maxLon]: Bbox): number {
  const width = Math.max(maxLon - minLon, 1e-9)
  return Math.max(0, Math.min(MAX_ZOOM, Math.floor(Math.log2((360 * 4) / width))))
}

function emptyGrid(n: number, [minLon, minLat, maxLon, maxLat]: Bbox): Grid {
  const x0 = Math.floor(mercatorX(minLon) * n)
  const y0 = Math.floor(mercatorY(maxLat) * n)
  const width = Math.max(1, Math.floor(mercatorX(maxLon) * n) - x0 + 1)
  const height = Math.max(1, Math.floor(mercatorY(minLat) * n) - y0 + 1)
  return gridOf(n, x0, y0, width, height)
}

function gridOf(n: number, x0: number, y0: number, width: number, height: number): Grid {
  const cells = width * height
  return {
    n,
    x0,
    y0,
    width,
    height,
    count: new Int32Array(cells),
    sumLon: new Float64Array(cells),
    sumLat: new Float64Array(cells),
    minLon: new Float64Array(cells).fill(Infinity),
    minLat: new Float64Array(cells).fill(Infinity),
    maxLon: new Float64Array(cells).fill(-Infinity),
    maxLat: new Float64Array(cells).fill(-Infinity),
    member: new Int32Array(cells),
  }
}

function addTo(grid: Grid, k: number, count: number, sumLon: number, sumLat: number, box: [number, number, number, number], member: number): void {
  grid.count[k]! += count
  grid.sumLon[k]! += sumLon
  grid.sumLat[k]! += sumLat
  if (box[0] < grid.minLon[k]!) grid.minLon[k] = box[0]
  if (box[1] < grid.minLat[k]!) grid.minLat[k] = box[1]
  if (box[2] > grid.maxLon[k]!) grid.maxLon[k] = box[2]
  if (box[3] > grid.maxLat[k]!) grid.maxLat[k] = box[3]
  grid.member[k] = member
}

/** The same counts in cells twice as wide. */
function coarsen(grid: Grid): Grid {
  const x0 = Math.floor(grid.x0 / 2)
  const y0 = Math.floor(grid.y0 / 2)
  const next = gridOf(grid.n / 2, x0, y0, Math.floor((grid.x0 + grid.width - 1) / 2) - x0 + 1, Math.floor((grid.y0 + grid.height - 1) / 2) - y0 + 1)
  for (let cy = 0; cy < grid.height; cy++) {
    for (let cx = 0; cx < grid.width; cx++) {
      const k = cy * grid.width + cx
      if (grid.count[k] === 0) continue
      const target = (Math.floor((grid.y0 + cy) / 2) - y0) * next.width + (Math.floor((grid.x0 + cx) / 2) - x0)
      addTo(next, target, grid.count[k]!, grid.sumLon[k]!, grid.sumLat[k]!, [grid.minLon[k]!, grid.minLat[k]!, grid.maxLon[k]!, grid.maxLat[k]!], grid.member[k]!)
    }
  }
  return next
}

function occupied(grid: Grid): number {
  let cells = 0
  for (const c of grid.count) if (c > 0) cells++
  return cells
}

/** The register's cells, for the version of it a search saw. */
const spatial = new WeakMap<AssetSearch, { version: string; cells: SpatialCells }>()
/** Each search's cell totals and who passes it, by the search's key; weighed in 32-bit words. */
const searched = new WeakMap<AssetSearch, WeightedCache<{ totals: CellTotals; passes: Uint8Array | null }>>()
const TOTALS_WORDS = 8_000_000

function cellsFor(search: AssetSearch, version: string): SpatialCells {
  const held = spatial.get(search)
  if (held?.version === version) return held.cells
  const cells = buildSpatialCells(search.index)
  spatial.set(search, { version, cells })
  return cells
}

/**
 * Assets chosen some other way than the search's filters (a report's), for the same map: their
 * positions (null for every asset), the index version they were found in, and a key that
 * differs from every other selection's and from the search's keys.
 */
export interface MapSelection {
  key: string
  version: string
  passing: Int32Array | null
}

/** The map's features for a view of the register narrowed by the search page's filters. */
export async function mapFeatures(db: Db, search: AssetSearch, filters: AssetFilters, view: MapView, maxFeatures = DEFAULT_MAX_FEATURES): Promise<MapFeatures> {
  const found = await search.find({ ...filters, bbox: undefined })
  const everything = found.terms.length === 0 && !narrows(found.filters)
  return selectionFeatures(db, search, { key: found.key, version: found.version, passing: everything ? null : found.counted.counts.passing }, view, maxFeatures)
}

/** The map's features for a view of a selection of assets. */
export async function selectionFeatures(db: Db, search: AssetSearch, selection: MapSelection, view: MapView, maxFeatures = DEFAULT_MAX_FEATURES): Promise<MapFeatures> {
  const { index } = search
  const cells = cellsFor(search, selection.version)
  let kept = searched.get(search)
  if (!kept) searched.set(search, (kept = new WeightedCache(TOTALS_WORDS)))
  let mine = kept.get(selection.key)
  if (!mine) {
    const passes = selection.passing === null ? null : passFlags(index.size, selection.passing)
    mine = { totals: cellTotals(cells, index, passes), passes }
    kept.set(selection.key, mine, cells.keys.length * 13 + (passes ? passes.length / 4 : 0))
  }
  const { totals, passes } = mine
  const zoom = Math.max(0, Math.min(MAX_ZOOM, Math.floor(view.zoom ?? zoomFor(view.bbox))))
  const [minLon, minLat, maxLon, maxLat] = view.bbox
  let grid = emptyGrid(2 ** zoom * CELLS_PER_TILE, view.bbox)
  while (grid.width * grid.height > MAX_CELLS && grid.n > 1) grid = emptyGrid(grid.n / 2, view.bbox)
  const { lat, lon, mercX, mercY } = index
  const { n, x0, y0, width, height } = grid
  // A whole cell of the register's grid falls in one cell of the view's when the view's are no smaller.
  const aggregate = n <= CELLS
  const shift = aggregate ? CELLS / n : 1
  let total = 0
  const addPoint = (p: number) => {
    const x = lon[p]!
    const y = lat[p]!
    if (!(y >= minLat && y <= maxLat && x >= minLon && x <= maxLon)) return
    total++
    // Float32 rounding can put a point on the box's edge one cell out.
    const cx = Math.min(width - 1, Math.max(0, Math.floor(mercX[p]! * n) - x0))
    const cy = Math.min(height - 1, Math.max(0, Math.floor(mercY[p]! * n) - y0))
    addTo(grid, cy * width + cx, 1, x, y, [x, y, x, y], p)
  }
  const eachCellInView = (visit: (c: number) => void) => {
    const columnFirst = cellOf(mercatorX(minLon))
    const columnLast = cellOf(mercatorX(maxLon))
    for (let row = cellOf(mercatorY(maxLat)); row <= cellOf(mercatorY(minLat)); row++) {
      const last = row * CELLS + columnLast
      for (let c = firstCellFrom(cells, row * CELLS + columnFirst); c < cells.keys.length && cells.keys[c]! <= last; c++) if (totals.count[c]! > 0) visit(c)
    }
  }
  eachCellInView((c) => {
    const count = totals.count[c]!
    const key = cells.keys[c]!
    const [west, south, east, north] = cellBounds(key)
    const whole = aggregate && west > minLon + EDGE && east < maxLon - EDGE && south > minLat + EDGE && north < maxLat - EDGE
    if (whole) {
      total += count
      const cx = Math.floor((key % CELLS) / shift) - x0
      const cy = Math.floor(Math.floor(key / CELLS) / shift) - y0
      addTo(grid, cy * width + cx, count, totals.sumLon[c]!, totals.sumLat[c]!, [totals.minLon[c]!, totals.minLat[c]!, totals.maxLon[c]!, totals.maxLat[c]!], totals.member[c]!)
      return
    }
    const end = cells.start[c + 1]!
    for (let k = cells.start[c]!; k < end; k++) {
      const p = cells.order[k]!
      if (passes === null || passes[p] === 1) addPoint(p)
    }
  })
  if (total <= Math.min(SINGLES_LIMIT, maxFeatures)) {
    // Few enough to show each: they are in the cells that hold any.
    const inView: number[] = []
    eachCellInView((c) => {
      for (let k = cells.start[c]!; k < cells.start[c + 1]!; k++) {
        const p = cells.order[k]!
        if ((passes === null || passes[p] === 1) && lat[p]! >= minLat && lat[p]! <= maxLat && lon[p]! >= minLon && lon[p]! <= maxLon) inView.push(p)
      }
    })
    return { type: 'FeatureCollection', features: await points(db, search, inView), total, zoom }
  }
  while (occupied(grid) > maxFeatures && grid.n > 1) grid = coarsen(grid)
  const singles: number[] = []
  const clusters: ClusterPoint[] = []
  grid.count.forEach((count, k) => {
    if (count === 1) singles.push(grid.member[k]!)
    else if (count > 1) {
      clusters.push({
        type: 'Feature',
        bbox: [grid.minLon[k]!, grid.minLat[k]!, grid.maxLon[k]!, grid.maxLat[k]!],
        geometry: { type: 'Point', coordinates: [round(grid.sumLon[k]! / count), round(grid.sumLat[k]! / count)] },
        properties: { cluster: true, count },
      })
    }
  })
  return { type: 'FeatureCollection', features: [...clusters, ...(await points(db, search, singles))], total, zoom }
}

/** Single assets as points, with their names (read for just these few). */
async function points(db: Db, search: AssetSearch, positions: number[]): Promise<AssetPoint[]> {
  if (positions.length === 0) return []
  const { ids, lat, lon } = search.index
  const wanted = positions.map((p) => ids[p]!)
  const names = new Map((await db.kysely.selectFrom('assets').select(['id', 'name']).where('id', 'in', wanted).execute()).map((r) => [Number(r.id), r.name]))
  return positions.map((p) => {
    const id = ids[p]!
    return {
      type: 'Feature',
      id,
      geometry: { type: 'Point', coordinates: [lon[p]!, lat[p]!] },
      properties: { id, name: names.get(id) ?? '', href: `/assets/${id}` },
    }
  })
}

/** Six decimal places: about 10 cm, plenty for a cluster's centre. */
function round(degrees: number): number {
  return Math.round(degrees * 1e6) / 1e6
}
