import { isRealDate } from '../datasets/dates.js'

/*
 * Reading the plain values of a record: periods of time as data.json and DCAT write them,
 * places as GSS codes, and contact addresses.
 */

/** A GSS code at the end of a spatial value (`E08000009`, or a statistics.data.gov.uk IRI). */
export function gssCodeOf(values: string[]): string | undefined {
  for (const value of values) {
    const m = /(?:^|\/)([EWSNK]\d{8})$/.exec(value.trim().toUpperCase())
    if (m) return m[1]
  }
  return undefined
}

function lastDayOfMonth(year: number, month: number): string {
  return String(new Date(Date.UTC(year, month, 0)).getUTCDate()).padStart(2, '0')
}

/**
 * One end of a period as a day: a date, a date and time (its date), a month or a year. A
 * month or a year starts on its first day and ends on its last.
 */
export function periodEnd(value: string, end: 'start' | 'end'): string | undefined {
  const text = value.trim()
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text)
  if (m) {
    const day = `${m[1]}-${m[2]}-${m[3]}`
    return isRealDate(day) ? day : undefined
  }
  m = /^(\d{4})-(\d{2})$/.exec(text)
  if (m) {
    const month = Number(m[2])
    if (month < 1 || month > 12) return undefined
    return end === 'start' ? `${m[1]}-${m[2]}-01` : `${m[1]}-${m[2]}-${lastDayOfMonth(Number(m[1]), month)}`
  }
  m = /^(\d{4})$/.exec(text)
  if (m) return end === 'start' ? `${m[1]}-01-01` : `${m[1]}-12-31`
  return undefined
}

/**
 * An ISO 8601 interval as data.json's `temporal` gives it (`2019-04-01/2020-03-31`, `2015/2020`,
 * `2019-01-01T00:00:00Z/P1Y`, or one date or year). A duration at either end leaves that end
 * open. Undefined when either end is not a date.
 */
export function parseInterval(value: string): { start: string | null; end: string | null } | undefined {
  const parts = value.trim().replace(/^R\d*\//, '').split('/')
  if (parts.length > 2 || parts.some((p) => !p.trim())) return undefined
  const [first, second] = parts as [string, string | undefined]
  const isDuration = (p: string) => /^P/i.test(p.trim())
  const start = isDuration(first) ? null : (periodEnd(first, 'start') ?? undefined)
  const end = second === undefined ? (isDuration(first) ? null : (periodEnd(first, 'end') ?? undefined)) : isDuration(second) ? null : (periodEnd(second, 'end') ?? undefined)
  if (start === undefined || end === undefined) return undefined
  return { start, end }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** An email address from `mailto:` or plain text, when it is one. */
export function emailOf(value: string | undefined): string | undefined {
  const text = (value ?? '').trim().replace(/^mailto:/i, '')
  return EMAIL.test(text) ? text : undefined
}
