import { addMonths } from './dates.js'
import { ACCESS_CODE, dayNumber, LICENCE_CODE, STATUS_CODE, THEME_BIT, type DatasetFacetIndex } from './facet-index.js'
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
 *
 * The loop runs over hundreds of thousands of candidates for a common word: counts are typed
 * arrays and release dates numbers, and a dataset passing everything is counted in one
 * straight run rather than facet by facet (half the time it took).
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
  const { organisation, themes, status, access, licence, formats, nextReleaseDay } = index
  const todayDay = dayNumber(today)
  const dueBounds = Int32Array.from(DUE_WITHIN, (d) => dayNumber(addMonths(today, d.months)))
  const publisherCounts = new Int32Array(index.organisations.length)
  const themeCounts = new Int32Array(16)
  const statusCounts = new Int32Array(STATUS_CODE.size)
  const accessCounts = new Int32Array(ACCESS_CODE.size)
  const licenceCounts = new Int32Array(LICENCE_CODE.size)
  const formatCounts = new Int32Array(index.formatNames.length)
  const dueCounts = new Int32Array(DUE_WITHIN.length)

  const countPublisher = (i: number) => {
    const o = organisation[i]!
    if (o >= 0) publisherCounts[o]!++
  }
  const countThemes = (i: number) => {
    let bits = themes[i]!
    while (bits !== 0) {
      const low = bits & -bits
      themeCounts[31 - Math.clz32(low)]!++
      bits ^= low
    }
  }
  const countFormats = (i: number) => {
    const list = formats[i]!
    for (let f = 0; f < list.length; f++) formatCounts[list[f]!]!++
  }
  const countDue = (i: number) => {
    const next = nextReleaseDay[i]!
    if (next < todayDay) return
    for (let w = 0; w < dueBounds.length; w++) if (next <= dueBounds[w]!) dueCounts[w]!++
  }
  const countAll = (i: number) => {
    countPublisher(i)
    countThemes(i)
    const s = status[i]!
    if (s >= 0) statusCounts[s]!++
    const a = access[i]!
    if (a >= 0) accessCounts[a]!++
    const l = licence[i]!
    if (l >= 0) licenceCounts[l]!++
    countFormats(i)
    countDue(i)
  }
  const countOne = (facet: number, i: number) => {
    switch (facet) {
      case PUBLISHER:
        return countPublisher(i)
      case THEME:
        return countThemes(i)
      case STATUS:
        if (status[i]! >= 0) statusCounts[status[i]!]!++
        return
      case ACCESS:
        if (access[i]! >= 0) accessCounts[access[i]!]!++
        return
      case LICENCE:
        if (licence[i]! >= 0) licenceCounts[licence[i]!]!++
        return
      case FORMAT:
        return countFormats(i)
      case DUE:
        return countDue(i)
    }
  }

  const total = candidates ? candidates.positions.length : index.size
  const passing = new Int32Array(total)
  const passingScores = new Float64Array(candidates ? total : 0)
  let passed = 0
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
      if (candidates) passingScores[passed] = candidates.scores[k]!
      passing[passed++] = i
      countAll(i)
    } else if (failures === 1) {
      countOne(failed, i)
    }
  }
  return {
    passing: passing.slice(0, passed),
    passingScores: passingScores.slice(0, candidates ? passed : 0),
    publisher: Array.from(publisherCounts),
    theme: Array.from(themeCounts),
    status: Array.from(statusCounts),
    access: Array.from(accessCounts),
    licence: Array.from(licenceCounts),
    format: Array.from(formatCounts),
    due: Array.from(dueCounts),
  }
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
    const from = dayNumber(today)
    const until = dayNumber(addMonths(today, DUE_WITHIN.find((d) => d.code === filters.due)?.months ?? 0))
    tests.push({
      facet: DUE,
      test: (i) => {
        const next = index.nextReleaseDay[i]!
        return next >= from && next <= until
      },
    })
  }
  return tests
}
