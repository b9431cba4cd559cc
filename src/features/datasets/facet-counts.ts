import { addMonths } from './dates.js'
import { ACCESS_CODE, LICENCE_CODE, STATUS_CODE, THEME_BIT, type DatasetFacetIndex } from './facet-index.js'
import { DUE_WITHIN } from './vocabularies.js'

/** The filters a search applies, as {@link cleanFilters} leaves them. */
export interface FacetFilters {
  publisher: string[]
  theme: string[]
  status: string[]
  access: string[]
  format: string[]
  licence: string[]
  due?: string
}

const PUBLISHER = 0
const THEME = 1
const STATUS = 2
const ACCESS = 3
const FORMAT = 4
const LICENCE = 5
const DUE = 6

export interface FacetCounts {
  /** Positions passing every filter, in the order the candidates came. */
  passing: Int32Array
  /** The text-match score of each passing position, when the candidates had scores. */
  passingScores: Float64Array
  /** Counts by organisation position. */
  publisher: number[]
  /** Counts by theme bit number. */
  theme: number[]
  status: number[]
  access: number[]
  licence: number[]
  /** Counts by format code. */
  format: number[]
  /** Counts for next month, quarter and year. */
  due: number[]
}

type Test = (i: number) => boolean

/**
 * One pass over the candidates (every dataset when `candidates` is null) that finds the datasets
 * passing every filter and counts each facet. A facet whose own filter is in use counts the
 * datasets passing every other filter, so its other values show what choosing them would give.
 */
export function countFacets(
  index: DatasetFacetIndex,
  candidates: { positions: Int32Array; scores: Float64Array } | null,
  filters: FacetFilters,
  today: string,
): FacetCounts {
  const tests = compileFilters(index, filters, today)
  const facetOf = tests.map((t) => t.facet)
  const testOf = tests.map((t) => t.test)
  const dueBounds = DUE_WITHIN.map((d) => addMonths(today, d.months))
  const counts: FacetCounts = {
    passing: new Int32Array(0),
    passingScores: new Float64Array(0),
    publisher: new Array<number>(index.organisations.length).fill(0),
    theme: new Array<number>(16).fill(0),
    status: new Array<number>(STATUS_CODE.size).fill(0),
    access: new Array<number>(ACCESS_CODE.size).fill(0),
    licence: new Array<number>(LICENCE_CODE.size).fill(0),
    format: new Array<number>(index.formatNames.length).fill(0),
    due: new Array<number>(DUE_WITHIN.length).fill(0),
  }
  const count = (facet: number, i: number) => {
    switch (facet) {
      case PUBLISHER: {
        const o = index.organisation[i]!
        if (o >= 0) counts.publisher[o]!++
        return
      }
      case THEME: {
        let bits = index.themes[i]!
        while (bits !== 0) {
          const low = bits & -bits
          counts.theme[31 - Math.clz32(low)]!++
          bits ^= low
        }
        return
      }
      case STATUS:
        if (index.status[i]! >= 0) counts.status[index.status[i]!]!++
        return
      case ACCESS:
        if (index.access[i]! >= 0) counts.access[index.access[i]!]!++
        return
      case LICENCE:
        if (index.licence[i]! >= 0) counts.licence[index.licence[i]!]!++
        return
      case FORMAT:
        for (const f of index.formats[i]!) counts.format[f]!++
        return
      case DUE: {
        const next = index.nextRelease[i]
        if (next === null || next === undefined || next < today) return
        for (let w = 0; w < dueBounds.length; w++) if (next <= dueBounds[w]!) counts.due[w]!++
        return
      }
    }
  }
  const passing: number[] = []
  const passingScores: number[] = []
  const total = candidates ? candidates.positions.length : index.size
  for (let k = 0; k < total; k++) {
    const i = candidates ? candidates.positions[k]! : k
    let failed = -1
    let failures = 0
    for (let t = 0; t < testOf.length; t++) {
      if (!testOf[t]!(i)) {
        failed = facetOf[t]!
        if (++failures > 1) break
      }
    }
    if (failures === 0) {
      passing.push(i)
      if (candidates) passingScores.push(candidates.scores[k]!)
      for (let facet = PUBLISHER; facet <= DUE; facet++) count(facet, i)
    } else if (failures === 1) {
      count(failed, i)
    }
  }
  counts.passing = Int32Array.from(passing)
  counts.passingScores = Float64Array.from(passingScores)
  return counts
}

function compileFilters(index: DatasetFacetIndex, filters: FacetFilters, today: string): { facet: number; test: Test }[] {
  const tests: { facet: number; test: Test }[] = []
  const codes = (values: string[], table: Map<string, number>) => new Set(values.map((v) => table.get(v)).filter((c): c is number => c !== undefined))
  if (filters.publisher.length > 0) {
    const wanted = new Set(filters.publisher.map((slug) => index.organisationBySlug(slug)).filter((o): o is number => o !== undefined))
    tests.push({ facet: PUBLISHER, test: (i) => wanted.has(index.organisation[i]!) })
  }
  if (filters.theme.length > 0) {
    const mask = filters.theme.reduce((bits, code) => bits | (THEME_BIT.get(code) ?? 0), 0)
    tests.push({ facet: THEME, test: (i) => (index.themes[i]! & mask) !== 0 })
  }
  if (filters.status.length > 0) {
    const wanted = codes(filters.status, STATUS_CODE)
    tests.push({ facet: STATUS, test: (i) => wanted.has(index.status[i]!) })
  }
  if (filters.access.length > 0) {
    const wanted = codes(filters.access, ACCESS_CODE)
    tests.push({ facet: ACCESS, test: (i) => wanted.has(index.access[i]!) })
  }
  if (filters.licence.length > 0) {
    const wanted = codes(filters.licence, LICENCE_CODE)
    tests.push({ facet: LICENCE, test: (i) => wanted.has(index.licence[i]!) })
  }
  if (filters.format.length > 0) {
    const wanted = new Set(filters.format.map((f) => index.formatCodeOf(f)).filter((c): c is number => c !== undefined))
    tests.push({ facet: FORMAT, test: (i) => index.formats[i]!.some((f) => wanted.has(f)) })
  }
  if (filters.due) {
    const until = addMonths(today, DUE_WITHIN.find((d) => d.code === filters.due)?.months ?? 0)
    tests.push({
      facet: DUE,
      test: (i) => {
        const next = index.nextRelease[i]
        return next != null && next >= today && next <= until
      },
    })
  }
  return tests
}
