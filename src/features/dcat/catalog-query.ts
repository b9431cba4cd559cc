import type { FieldError } from '../../platform/errors.js'

/*
 * The catalogue's query string, checked by hand so that a harvester sending a wrong value gets
 * problem+json naming the parameter (these addresses are outside /api, where a schema failure
 * would render an HTML error page).
 */

export interface CatalogQuery {
  page: number
  /** Normalised to the UTC form updated_at is stored in, so the comparison is a string one. */
  modifiedSince?: string
}

const MAX_PAGE = 10_000_000
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

export function parseCatalogQuery(query: Record<string, unknown>): { query: CatalogQuery } | { error: FieldError } {
  const page = single(query.page)
  if (page === null) return { error: { name: 'page', message: 'Give page once' } }
  let pageNumber = 1
  if (page !== undefined) {
    if (!/^[1-9]\d*$/.test(page) || Number(page) > MAX_PAGE) return { error: { name: 'page', message: 'Page must be a whole number from 1' } }
    pageNumber = Number(page)
  }
  const since = single(query.modified_since)
  if (since === null) return { error: { name: 'modified_since', message: 'Give modified_since once' } }
  if (since === undefined || since.trim() === '') return { query: { page: pageNumber } }
  const instant = parseInstant(since)
  if (!instant) {
    return { error: { name: 'modified_since', message: 'modified_since must be an ISO 8601 date or date-time, like 2026-01-31 or 2026-01-31T09:00:00Z' } }
  }
  return { query: { page: pageNumber, modifiedSince: instant } }
}

/** The value of a parameter given once; null when it was given more than once. */
function single(value: unknown): string | undefined | null {
  if (value === undefined) return undefined
  if (Array.isArray(value)) return null
  return String(value)
}

/** An ISO 8601 date or date-time as a UTC instant (`2026-01-31T09:00:00.000Z`), or null. */
export function parseInstant(raw: string): string | null {
  // A "+" in a query string arrives as a space unless the client encoded it.
  const text = raw.trim().replace(' ', '+')
  const match = ISO_INSTANT.exec(text)
  if (!match) return null
  const [, year, month, day, hour, minute, second, zone] = match
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) return null
  if (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59)) return null
  // A time with no zone is read as UTC; a zone like +0100 is written +01:00 for Date.parse.
  const normalisedZone = zone === undefined ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
  const date = hour === undefined ? text : `${text.slice(0, text.length - (zone?.length ?? 0))}${normalisedZone}`
  const ms = Date.parse(date)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}
