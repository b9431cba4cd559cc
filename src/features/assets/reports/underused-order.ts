import { best } from '../../../platform/top-k.js'
import type { AssetIndex } from '../search/asset-index.js'
import type { UnderusedReport } from './underused.js'

/* The underused assets in the order the page's list and the CSV give them. */

/** Book value highest first (not valued last), then name, then id: the order of the list and the CSV. */
function byBookValue(index: AssetIndex): (a: number, b: number) => number {
  const { bookValue, nameKey, ids } = index
  return (a, b) => {
    const x = bookValue[a]!
    const y = bookValue[b]!
    if (x !== y && !(x !== x && y !== y)) {
      if (x !== x) return 1
      if (y !== y) return -1
      return y - x
    }
    return nameKey[a]! < nameKey[b]! ? -1 : nameKey[a]! > nameKey[b]! ? 1 : ids[a]! - ids[b]!
  }
}

/** Every underused asset's position by book value, highest first. */
export function sortedPositions(index: AssetIndex, report: UnderusedReport): Int32Array {
  report.sorted ??= report.positions.slice().sort(byBookValue(index))
  return report.sorted
}

/** One page of the list by book value: a single pass for the first pages, the whole order beyond. */
export function pageOfPositions(index: AssetIndex, report: UnderusedReport, page: number, pageSize: number): Int32Array {
  const offset = (page - 1) * pageSize
  const wanted = offset + pageSize
  if (report.sorted || wanted > 1000) return sortedPositions(index, report).subarray(offset, wanted)
  const { positions } = report
  const compare = byBookValue(index)
  return best(positions.length, wanted, (a, b) => compare(positions[a]!, positions[b]!))
    .map((k) => positions[k]!)
    .subarray(offset, wanted)
}
