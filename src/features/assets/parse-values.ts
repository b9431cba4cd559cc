/*
 * Single values of an asset record as registers, forms and scripts write them. Each parser
 * answers the stored value (null for blank) or why the text is not one.
 */

export type Parsed<T> = { value: T | null } | { problem: string }

/** A value from a form, a CSV cell or JSON, as trimmed text ('' for nothing). */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return ''
  return String(value).trim()
}

/** Whether a year, month and day make a real date (no 30 February). */
function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** `2024-04-01`, or the UK's `01/04/2024` (also with - or .); a time after the date is ignored. */
export function parseDate(raw: unknown): Parsed<string> {
  const text = textOf(raw)
  if (!text) return { value: null }
  let year: number, month: number, day: number
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$/.exec(text)
  const uk = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: [\d:]+)?$/.exec(text)
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])]
  else if (uk) [day, month, year] = [Number(uk[1]), Number(uk[2]), Number(uk[3])]
  else return { problem: `“${text}” is not a date: write it like 2024-04-01 or 01/04/2024` }
  if (!isRealDate(year, month, day) || year < 1000) return { problem: `“${text}” is not a real date` }
  return { value: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` }
}

/**
 * A number as written in a register: `1,047.5`, with the unit it should be in allowed after it
 * (`415 m²`, `2.5 ha`). A JSON number is taken as it is.
 */
export function parseDecimal(raw: unknown, unit?: RegExp): Parsed<number> {
  if (typeof raw === 'number') return Number.isFinite(raw) ? { value: raw } : { problem: 'is not a number' }
  let text = textOf(raw)
  if (!text) return { value: null }
  if (unit) text = text.replace(unit, '').trim()
  const cleaned = text.replace(/,(?=\d{3}\b)/g, '').replace(/\s/g, '')
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(cleaned)) return { problem: `“${textOf(raw)}” is not a number` }
  return { value: Number(cleaned) }
}

export const SQUARE_METRES = /\s*(m²|m2|sq\.?\s*m|sqm|square\s+met(re|er)s?)\s*$/i
export const HECTARES = /\s*(ha|hectares?)\s*$/i

/** A percentage: `85`, `85%` or `85.5`. A fraction like 0.85 is refused rather than guessed at. */
export function parsePercent(raw: unknown): Parsed<number> {
  const parsed = parseDecimal(raw, /\s*%\s*$/)
  if ('problem' in parsed || parsed.value === null) return parsed
  const value = parsed.value
  if (value < 0 || value > 100) return { problem: 'must be between 0 and 100' }
  if (value > 0 && value < 1 && !textOf(raw).endsWith('%') && typeof raw !== 'number') {
    return { problem: `“${textOf(raw)}” looks like a fraction: give the percentage, like 85 for 85%` }
  }
  return { value }
}

const YES = new Set(['yes', 'y', 'true', '1', 'on'])
const NO = new Set(['no', 'n', 'false', '0', 'off', ''])

export function parseYesNo(raw: unknown): Parsed<boolean> {
  if (typeof raw === 'boolean') return { value: raw }
  const text = textOf(raw).toLowerCase()
  if (YES.has(text)) return { value: true }
  if (NO.has(text)) return { value: false }
  return { problem: `“${textOf(raw)}” is not yes or no` }
}

/**
 * A Unique Property Reference Number: up to 12 digits, kept as text so leading zeros survive.
 * Spreadsheets turn long numbers into `1.00012E+11`, which has lost its digits for good.
 */
export function parseUprn(raw: unknown): Parsed<string> {
  const text = textOf(raw).replace(/\s/g, '')
  if (!text) return { value: null }
  if (/^\d+(\.\d+)?e\+?\d+$/i.test(text)) return { problem: `“${text}” has been turned into a rounded number by a spreadsheet: give the UPRN’s digits (format the column as text)` }
  const digits = text.replace(/\.0+$/, '')
  if (!/^\d{1,12}$/.test(digits)) return { problem: `“${text}” is not a UPRN, which is up to 12 digits` }
  return { value: digits }
}

const FULL_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$/
/** An outward code alone (`M31`) or with its sector (`WA14 1`): registers give these for land. */
const PART_POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?( \d)?$/

/** A UK postcode, whole or in part, upper-cased and spaced. `valid` is false for anything else, which is kept as written. */
export function parsePostcode(raw: unknown): { value: string | null; valid: boolean } {
  const text = textOf(raw).toUpperCase().replace(/\s+/g, ' ')
  if (!text) return { value: null, valid: true }
  const full = FULL_POSTCODE.exec(text)
  if (full) return { value: `${full[1]} ${full[2]}`, valid: true }
  return { value: text, valid: PART_POSTCODE.test(text) }
}

/** An energy rating letter from `D`, `d`, `D (96)`, `A+`. */
export function parseEnergyRating(raw: unknown): Parsed<string> {
  const text = textOf(raw).toUpperCase()
  if (!text) return { value: null }
  const match = /^(A\+|[A-G])(?![A-Z])/.exec(text)
  if (!match) return { problem: `“${textOf(raw)}” is not a letter from A+ to G` }
  return { value: match[1]! }
}

// Making a formatter costs far more than using one; an import asks for today once a row.
