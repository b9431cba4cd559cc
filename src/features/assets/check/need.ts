import { todayInUk } from '../../../platform/uk-date.js'
import { FieldErrors } from '../../../platform/errors.js'
import { cpvEntry, parseCpv, searchCpv, type CpvEntry } from '../cpv.js'
import { parseDate, parseDecimal, textOf } from '../parse-values.js'
import { ASSET_CLASSES, labelOf } from '../vocabularies.js'

/*
 * What an officer needs, as "check before you buy" reads it from a form, a link or the API:
 * what (a CPV code, words matched against CPV labels, or an asset class), where (a point and a
 * radius), from when, and whether to borrow it or take it over.
 */

export type NeedKind = 'loan' | 'transfer'

export const DEFAULT_RADIUS_KM = 25
export const MAX_RADIUS_KM = 500
/** Codes looked for when words match several equally well. */
const MAX_WORD_CODES = 3
const ALTERNATIVES = 10

export interface NeedInput {
  cpv?: unknown
  q?: unknown
  class?: unknown
  lat?: unknown
  lon?: unknown
  radiusKm?: unknown
  from?: unknown
  kind?: unknown
}

export interface Need {
  /** The eight-digit CPV codes looked for, best first: the one given, or the best matches of the words. */
  cpvCodes: string[]
  /** The words, when the codes came from them. */
  words: string | null
  assetClass: string | null
  /** The centre of the search; null searches everywhere (no place given and none known for the body). */
  lat: number | null
  lon: number | null
  radiusKm: number
  /** `given` (latitude and longitude), `body` (the searching body's own place) or `anywhere`. */
  place: 'given' | 'body' | 'anywhere'
  /** ISO date the asset is needed from. */
  from: string
  /** Null: either. */
  kind: NeedKind | null
}

export interface ParsedNeed {
  need: Need
  /** Other codes the words match, offered as choices. */
  alternatives: CpvEntry[]
}

/** Whether a query string holds a need at all (a first visit to the page holds none). */
export function describesNeed(input: NeedInput): boolean {
  return (['cpv', 'q', 'class', 'lat', 'lon', 'radiusKm', 'from', 'kind'] as const).some((key) => textOf(input[key]) !== '')
}

/**
 * Reads a need, naming every field that is wrong at once. `bodyPlace` is where the searching
 * body is, used when no latitude and longitude are given.
 */
export function parseNeed(input: NeedInput, options: { bodyPlace?: { lat: number; lon: number } | null; today?: string } = {}): ParsedNeed {
  const errors = new FieldErrors()
  const today = options.today ?? todayInUk()
  const cpvText = textOf(input.cpv)
  const words = textOf(input.q)
  const classText = textOf(input.class)

  let cpvCodes: string[] = []
  let alternatives: CpvEntry[] = []
  if (cpvText) {
    const parsed = parseCpv(cpvText)
    if ('problem' in parsed) errors.add('cpv', parsed.problem)
    else cpvCodes = [parsed.code]
  } else if (words) {
    const found = codesForWords(words)
    if (found.codes.length === 0) errors.add('q', `No CPV code matches “${words}”: try other words, or give a code`)
    cpvCodes = found.codes
    alternatives = found.alternatives
  }
  let assetClass: string | null = null
  if (classText) {
    if (labelOf(ASSET_CLASSES, classText)) assetClass = classText
    else errors.add('class', 'Choose an asset class from the list')
  }
  if (!cpvText && !words && !classText) errors.add('q', 'Say what you need: words, a CPV code or an asset class')

  const lat = coordinate(errors, 'lat', input.lat, 90, 'latitude')
  const lon = coordinate(errors, 'lon', input.lon, 180, 'longitude')
  if (lat !== null && lon === null && !errors.has('lon')) errors.add('lon', 'Give the longitude as well as the latitude')
  if (lon !== null && lat === null && !errors.has('lat')) errors.add('lat', 'Give the latitude as well as the longitude')

  let radiusKm = DEFAULT_RADIUS_KM
  const radius = parseDecimal(input.radiusKm)
  if ('problem' in radius) errors.add('radiusKm', 'Give the distance in kilometres as a number, like 25')
  else if (radius.value !== null) {
    if (!(radius.value > 0 && radius.value <= MAX_RADIUS_KM)) errors.add('radiusKm', `The distance must be more than 0 and at most ${MAX_RADIUS_KM} km`)
    else radiusKm = radius.value
  }

  let from = today
  const date = parseDate(input.from)
  if ('problem' in date) errors.add('from', date.problem)
  else if (date.value !== null) {
    if (date.value < today) errors.add('from', 'The date you need it from must be today or later')
    else from = date.value
  }

  const kindText = textOf(input.kind).toLowerCase()
  let kind: NeedKind | null = null
  if (kindText === 'loan' || kindText === 'transfer') kind = kindText
  else if (kindText !== '' && kindText !== 'either') errors.add('kind', 'Choose to borrow it (loan), take it over (transfer), or either')

  errors.throwIfAny()
  const given = lat !== null && lon !== null
  const body = options.bodyPlace ?? null
  return {
    need: {
      cpvCodes,
      words: cpvText ? null : words || null,
      assetClass,
      lat: given ? lat : (body?.lat ?? null),
      lon: given ? lon : (body?.lon ?? null),
      radiusKm,
      place: given ? 'given' : body ? 'body' : 'anywhere',
      from,
      kind,
    },
    alternatives,
  }
}

function coordinate(errors: FieldErrors, name: string, raw: unknown, limit: number, what: string): number | null {
  const parsed = parseDecimal(raw)
  if ('problem' in parsed) {
    errors.add(name, `Give the ${what} in decimal degrees, like ${name === 'lat' ? '53.4' : '-2.3'}`)
    return null
  }
  if (parsed.value !== null && Math.abs(parsed.value) > limit) {
    errors.add(name, `The ${what} must be between -${limit} and ${limit}`)
    return null
  }
  return parsed.value
}

/**
 * The CPV codes that best fit words: labels starting with the words as a phrase, then labels
 * holding the phrase, then the rest; of the best of those, the broadest level (a few codes at
 * most, so "car park" looks for its equipment and its services alike). The other matches are
 * offered as choices.
 */
export function codesForWords(words: string): { codes: string[]; alternatives: CpvEntry[] } {
  const found = searchCpv(words, 50).items
  if (found.length === 0) return { codes: [], alternatives: [] }
  const phrase = words.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).join(' ')
  const rank = (e: CpvEntry) => (e.words.startsWith(phrase) ? 0 : e.words.includes(phrase) ? 1 : 2)
  const bestRank = Math.min(...found.map(rank))
  const bestDepth = Math.min(...found.filter((e) => rank(e) === bestRank).map((e) => cpvDepth(e.code)))
  const chosen = found.filter((e) => rank(e) === bestRank && cpvDepth(e.code) === bestDepth).slice(0, MAX_WORD_CODES)
  const codes = chosen.map((e) => e.code)
  return { codes, alternatives: found.filter((e) => !codes.includes(e.code)).slice(0, ALTERNATIVES) }
}

/** How many leading digits of a code mean something: 2 for a division, up to 8. */
export function cpvDepth(code: string): number {
  return Math.max(2, code.replace(/0+$/, '').length)
}

/** The need as the query string of the page and the API, so a search is a shareable address. */
export function needParams(need: Need): Record<string, string | undefined> {
  return {
    ...(need.words ? { q: need.words } : { cpv: need.cpvCodes[0] }),
    class: need.assetClass ?? undefined,
    lat: need.place === 'given' ? String(need.lat) : undefined,
    lon: need.place === 'given' ? String(need.lon) : undefined,
    radiusKm: String(need.radiusKm),
    from: need.from,
    kind: need.kind ?? undefined,
  }
}

/** The need in a sentence, for headings and the record of searches. */
export function describeNeed(need: Pick<Need, 'cpvCodes' | 'words' | 'assetClass'>): string {
  const parts: string[] = []
  if (need.cpvCodes.length > 0) parts.push(need.cpvCodes.map((code) => `${code} ${cpvEntry(code)?.label ?? ''}`.trim()).join(', or '))
  if (need.assetClass) parts.push(`${parts.length ? 'in the class ' : ''}${labelOf(ASSET_CLASSES, need.assetClass)}`)
  return parts.join(', ')
}
