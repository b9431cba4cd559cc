import type { AssetIndex } from './asset-index.js'
import { insideBbox, type CleanFilters } from './filters.js'
import { AVAILABLE_TERMS, CLASS_NUMBER, CLASS_TERMS, CONDITION_NUMBER, CONDITION_TERMS, CPV_DIVISION_NUMBER, CPV_DIVISION_TERMS, STATUS_NUMBER, STATUS_TERMS, VALUE_NUMBER, VALUE_TERMS } from './vocabulary.js'

export interface AssetFacetCounts {
  /** Positions passing every filter, in the order the candidates came. */
  passing: Int32Array
  /** Counts by organisation position. */
  body: Int32Array
  class: Int32Array
  cpv: Int32Array
  status: Int32Array
  condition: Int32Array
  /** [yes, no] */
  available: Int32Array
  value: Int32Array
}

/** Which values of a facet pass (1) or not (0); null when the facet does not filter. */
type Allowed = Uint8Array | null

function allowed(values: string[], table: Map<string, number>): Allowed {
  if (values.length === 0) return null
  const set = new Uint8Array(table.size)
  for (const v of values) {
    const n = table.get(v)
    if (n !== undefined) set[n] = 1
  }
  return set
}

/**
 * One pass over the candidates (every asset when `candidates` is null) that finds the assets
 * passing every filter and counts each facet. A facet whose own filter is in use counts the
 * assets passing every other filter, so its other values show what choosing them would give.
 * The tests are written out rather than composed from closures: this is the loop a search of a
 * million assets spends its time in.
 */
export function countFacets(index: AssetIndex, candidates: Int32Array | null, filters: CleanFilters): AssetFacetCounts {
  const { organisation, assetClass, cpvDivision, status, condition, available, valueBand } = index
  // Bodies are numbered from 1 here, so an asset of no known body (-1) is 0, never allowed.
  let bodies: Allowed = null
  if (filters.body.length > 0) {
    bodies = new Uint8Array(index.organisations.length + 1)
    for (const slug of filters.body) {
      const at = index.organisationBySlug(slug)
      if (at !== undefined) bodies[at + 1] = 1
    }
  }
  const classes = allowed(filters.class, CLASS_NUMBER)
  const divisions = allowed(filters.cpv, CPV_DIVISION_NUMBER)
  const statuses = allowed(filters.status, STATUS_NUMBER)
  const conditions = allowed(filters.condition, CONDITION_NUMBER)
  const bands = allowed(filters.value, VALUE_NUMBER)
  // Both yes and no is no filter at all.
  const sharing = filters.available.length === 1 ? (filters.available[0] === 'yes' ? 1 : 0) : -1
  // The place narrows the candidates first: it is not a facet, so nothing outside it is counted.
  let positions = candidates ?? allPositions(index.size)
  if (filters.bbox) {
    const inPlace = insideBbox(index, filters.bbox)
    positions = positions.filter((i) => inPlace(i))
  }

  const body = new Int32Array(index.organisations.length + 1)
  const classCounts = new Int32Array(CLASS_TERMS.length)
  const cpv = new Int32Array(CPV_DIVISION_TERMS.length)
  const statusCounts = new Int32Array(STATUS_TERMS.length)
  const conditionCounts = new Int32Array(CONDITION_TERMS.length)
  const availableCounts = new Int32Array(AVAILABLE_TERMS.length)
  const value = new Int32Array(VALUE_TERMS.length)

  const total = positions.length
  const passing = new Int32Array(total)
  let passed = 0
  for (let k = 0; k < total; k++) {
    const i = positions[k]!
    const o = organisation[i]! + 1
    const c = assetClass[i]!
    const d = cpvDivision[i]!
    const s = status[i]!
    const g = condition[i]!
    const a = available[i]!
    const v = valueBand[i]!
    // The facet that failed, or 7 when none did; give up at the second failure.
    let failed = 7
    if (bodies !== null && bodies[o] === 0) failed = 0
    if (classes !== null && classes[c] === 0) {
      if (failed !== 7) continue
      failed = 1
    }
    if (divisions !== null && divisions[d] === 0) {
      if (failed !== 7) continue
      failed = 2
    }
    if (statuses !== null && statuses[s] === 0) {
      if (failed !== 7) continue
      failed = 3
    }
    if (conditions !== null && conditions[g] === 0) {
      if (failed !== 7) continue
      failed = 4
    }
    if (sharing !== -1 && a !== sharing) {
      if (failed !== 7) continue
      failed = 5
    }
    if (bands !== null && bands[v] === 0) {
      if (failed !== 7) continue
      failed = 6
    }
    if (failed === 7) passing[passed++] = i
    if (failed === 7 || failed === 0) body[o]!++
    if (failed === 7 || failed === 1) classCounts[c]!++
    if (failed === 7 || failed === 2) cpv[d]!++
    if (failed === 7 || failed === 3) statusCounts[s]!++
    if (failed === 7 || failed === 4) conditionCounts[g]!++
    if (failed === 7 || failed === 5) availableCounts[a === 1 ? 0 : 1]!++
    if (failed === 7 || failed === 6) value[v]!++
  }
  return {
    passing: passing.slice(0, passed),
    body: body.subarray(1),
    class: classCounts,
    cpv,
    status: statusCounts,
    condition: conditionCounts,
    available: availableCounts,
    value,
  }
}

let every = new Int32Array(0)

/** 0, 1, 2, … size − 1: every position, so the loop reads its candidates one way whether or not words chose them. */
function allPositions(size: number): Int32Array {
  if (every.length < size) every = Int32Array.from({ length: Math.max(size, every.length * 2) }, (_, i) => i)
  return every.subarray(0, size)
}
