import { QuerySyntaxError } from './query-parser.js'

/*
 * Dates as CKAN speaks them. Solr takes `2026-01-01T00:00:00Z` (any number of fraction
 * digits), `NOW`, and date maths after either: `NOW-7DAYS`, `NOW/DAY`, `NOW-1MONTH/DAY`.
 * CKAN answers with Python's naive ISO format in UTC: `2026-01-01T00:00:00.123000`.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z/
const STORED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const MATH = /^([+-]\d+|\/)(YEARS?|MONTHS?|DAYS?|DATE|HOURS?|MINUTES?|SECONDS?|MILLIS?|MILLISECONDS?)/

/** An instant as the database stores it (millisecond ISO), and whether precision was lost. */
export interface SolrInstant {
  iso: string
  /** The value had digits beyond the millisecond: it lies strictly after `iso`. */
  beyondMillis: boolean
}

export function parseSolrDate(value: string, now: Date): SolrInstant {
  let rest: string
  let date: Date
  let beyondMillis = false
  if (value.startsWith('NOW')) {
    date = new Date(now.getTime())
    rest = value.slice(3)
  } else {
    const m = INSTANT.exec(value)
    if (!m) throw new QuerySyntaxError(`Invalid date “${value}”: use 2026-01-01T00:00:00Z or NOW`)
    const [, y, mo, d, h, mi, s, fraction = ''] = m
    const millis = Number(fraction.slice(0, 3).padEnd(3, '0'))
    date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis))
    if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1) {
      throw new QuerySyntaxError(`Invalid date “${value}”`)
    }
    beyondMillis = /[1-9]/.test(fraction.slice(3))
    rest = value.slice(m[0].length)
  }
  while (rest.length > 0) {
    const m = MATH.exec(rest)
    if (!m) throw new QuerySyntaxError(`Invalid date maths “${rest}” in “${value}”`)
    const unit = unitOf(m[2]!)
    if (m[1] === '/') {
      date = roundDown(date, unit)
      beyondMillis = false
    } else {
      date = add(date, unit, Number(m[1]))
    }
    rest = rest.slice(m[0].length)
  }
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) throw new QuerySyntaxError(`Date “${value}” is out of range`)
  return { iso: date.toISOString(), beyondMillis }
}

/** `2026-01-01T10:00:00.123Z` → `2026-01-01T10:00:00.123000`, as CKAN writes dates. */
export function ckanDate(iso: string): string
export function ckanDate(iso: string | null): string | null
export function ckanDate(iso: string | null): string | null {
  if (!iso) return null
  // Stored instants are all of one shape; only other ones need reading as dates.
  if (STORED_INSTANT.test(iso)) return `${iso.slice(0, 23)}000`
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return `${date.toISOString().slice(0, 23)}000`
}

type Unit = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'milli'

function unitOf(word: string): Unit {
  if (word.startsWith('YEAR')) return 'year'
  if (word.startsWith('MONTH')) return 'month'
  if (word.startsWith('DAY') || word === 'DATE') return 'day'
  if (word.startsWith('HOUR')) return 'hour'
  if (word.startsWith('MINUTE')) return 'minute'
  if (word.startsWith('SECOND')) return 'second'
  return 'milli'
}

function add(date: Date, unit: Unit, n: number): Date {
  const d = new Date(date.getTime())
  if (unit === 'year') d.setUTCFullYear(d.getUTCFullYear() + n)
  else if (unit === 'month') d.setUTCMonth(d.getUTCMonth() + n)
  else if (unit === 'day') d.setUTCDate(d.getUTCDate() + n)
  else if (unit === 'hour') d.setUTCHours(d.getUTCHours() + n)
  else if (unit === 'minute') d.setUTCMinutes(d.getUTCMinutes() + n)
  else if (unit === 'second') d.setUTCSeconds(d.getUTCSeconds() + n)
  else d.setUTCMilliseconds(d.getUTCMilliseconds() + n)
  return d
}

function roundDown(date: Date, unit: Unit): Date {
  const parts = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()]
  const keep = { year: 1, month: 2, day: 3, hour: 4, minute: 5, second: 6, milli: 7 }[unit]
  const floors = [0, 0, 1, 0, 0, 0, 0]
  const p = parts.map((v, i) => (i < keep ? v : floors[i]!))
  return new Date(Date.UTC(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!))
}
