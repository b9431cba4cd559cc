import { todayInUk } from '../../platform/uk-date.js'
import type { DatePrecision } from './vocabularies.js'

/** A planned date as people give it: a day, a month or a quarter. */
export interface PlannedDate {
  /** ISO date of the first day of the period. */
  date: string
  precision: DatePrecision
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/**
 * Reads `2027-03-15` (a day), `2027-03` (a month) or `2027-Q1` (a quarter). Returns undefined
 * for anything else, including impossible days like 2027-02-30.
 */
export function parsePlannedDate(text: string): PlannedDate | undefined {
  const value = text.trim().toUpperCase()
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (m) {
    const iso = `${m[1]}-${m[2]}-${m[3]}`
    return isRealDate(iso) ? { date: iso, precision: 'day' } : undefined
  }
  m = /^(\d{4})-(\d{2})$/.exec(value)
  if (m) {
    const month = Number(m[2])
    return month >= 1 && month <= 12 ? { date: `${m[1]}-${m[2]}-01`, precision: 'month' } : undefined
  }
  m = /^(\d{4})-?Q([1-4])$/.exec(value)
  if (m) {
    const month = (Number(m[2]) - 1) * 3 + 1
    return { date: `${m[1]}-${String(month).padStart(2, '0')}-01`, precision: 'quarter' }
  }
  return undefined
}

export function isRealDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false
  const d = new Date(`${iso}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso
}

/** The planned date written back the way it is entered (`2027-03`, `2027-Q1`, `2027-03-15`). */
export function plannedDateInput(p: PlannedDate): string {
  const [year, month] = p.date.split('-')
  if (p.precision === 'month') return `${year}-${month}`
  if (p.precision === 'quarter') return `${year}-Q${Math.floor((Number(month) - 1) / 3) + 1}`
  return p.date
}

/** For people: "15 March 2027", "March 2027", "January to March 2027". */
export function formatPlannedDate(p: PlannedDate): string {
  const [year, month, day] = p.date.split('-').map(Number) as [number, number, number]
  if (p.precision === 'day') return `${day} ${MONTHS[month - 1]} ${year}`
  if (p.precision === 'month') return `${MONTHS[month - 1]} ${year}`
  return `${MONTHS[month - 1]} to ${MONTHS[month + 1]} ${year}`
}

/** The last day of the period (ISO date). */
export function periodEnd(p: PlannedDate): string {
  const [year, month] = p.date.split('-').map(Number) as [number, number]
  if (p.precision === 'day') return p.date
  const months = p.precision === 'month' ? 1 : 3
  const end = new Date(Date.UTC(year, month - 1 + months, 0))
  return end.toISOString().slice(0, 10)
}

// Building a formatter is costly (toLocaleDateString builds one each call); one is kept.
/** A release is overdue once its whole period has passed and it is still unreleased. */
export function isOverdue(p: PlannedDate, state: string, today: string = todayInUk()): boolean {
  return (state === 'provisional' || state === 'confirmed') && periodEnd(p) < today
}

export function addMonths(iso: string, months: number): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number]
  const d = new Date(Date.UTC(year, month - 1 + months, day))
  return d.toISOString().slice(0, 10)
}
