/*
 * Working days in England and Wales: Monday to Friday, less the bank holidays. The holidays are
 * worked out by rule, so the calendar never runs out, with a table for the one-off changes
 * proclaimed by royal proclamation (jubilees, a coronation, a state funeral…).
 */

/** One-off changes to the regular pattern: holidays taken away, holidays added. */
const ONE_OFF_CHANGES: Record<number, { removed: string[]; added: string[] }> = {
  // The royal wedding.
  2011: { removed: [], added: ['2011-04-29'] },
  // The Diamond Jubilee: the spring holiday moved to 4 June, and 5 June added.
  2012: { removed: ['2012-05-28'], added: ['2012-06-04', '2012-06-05'] },
  // VE Day's 75th anniversary: the early May holiday moved to Friday 8 May.
  2020: { removed: ['2020-05-04'], added: ['2020-05-08'] },
  // The Platinum Jubilee (spring holiday moved to 2 June, 3 June added) and the Queen's state funeral.
  2022: { removed: ['2022-05-30'], added: ['2022-06-02', '2022-06-03', '2022-09-19'] },
  // The coronation of King Charles III.
  2023: { removed: [], added: ['2023-05-08'] },
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function parse(iso: string): Date {
  const m = ISO_DATE.exec(iso)
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : new Date(Number.NaN)
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw new RangeError(`Not a date: ${iso}`)
  return d
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10)
}

function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day))
}

function plusDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000)
}

function isWeekend(d: Date): boolean {
  const day = d.getUTCDay()
  return day === 0 || day === 6
}

/** Easter Sunday (Gregorian), by the anonymous "Meeus/Jones/Butcher" algorithm. */
export function easterSunday(year: number): string {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return iso(utc(year, month, day))
}

/** The first Monday on or after the given day. */
function mondayOnOrAfter(d: Date): Date {
  return plusDays(d, (8 - d.getUTCDay()) % 7)
}

/** The last Monday of a month. */
function lastMonday(year: number, month: number): Date {
  const last = utc(year, month + 1, 0)
  return plusDays(last, -((last.getUTCDay() + 6) % 7))
}

const cache = new Map<number, Set<string>>()

/** Every bank holiday in England and Wales in the year, as ISO dates in order. */
export function bankHolidays(year: number): string[] {
  return [...holidaySet(year)].sort()
}

function holidaySet(year: number): Set<string> {
  let set = cache.get(year)
  if (set) return set
  const easter = parse(easterSunday(year))
  set = new Set<string>([
    iso(plusDays(easter, -2)), // Good Friday
    iso(plusDays(easter, 1)), // Easter Monday
    iso(mondayOnOrAfter(utc(year, 5, 1))), // Early May
    iso(lastMonday(year, 5)), // Spring
    iso(lastMonday(year, 8)), // Summer
  ])
  // New Year's Day, Christmas Day and Boxing Day falling at a weekend are made up on the next
  // weekday not already a holiday (so Christmas on a Saturday gives Monday 27 and Tuesday 28).
  const fixed = [utc(year, 1, 1), utc(year, 12, 25), utc(year, 12, 26)]
  for (const day of fixed) if (!isWeekend(day)) set.add(iso(day))
  for (const day of fixed) {
    if (!isWeekend(day)) continue
    let substitute = plusDays(day, 1)
    while (isWeekend(substitute) || set.has(iso(substitute))) substitute = plusDays(substitute, 1)
    set.add(iso(substitute))
  }
  const changes = ONE_OFF_CHANGES[year]
  if (changes) {
    for (const day of changes.removed) set.delete(day)
    for (const day of changes.added) set.add(day)
  }
  cache.set(year, set)
  return set
}

export function isBankHoliday(isoDate: string): boolean {
  parse(isoDate)
  return holidaySet(Number(isoDate.slice(0, 4))).has(isoDate)
}

export function isWorkingDay(isoDate: string): boolean {
  return !isWeekend(parse(isoDate)) && !isBankHoliday(isoDate)
}

/**
 * The date `n` working days after `isoDate`, not counting `isoDate` itself: the way statutory
 * deadlines are counted ("within 20 working days following the date of receipt"). A request made
 * on a Saturday has Monday as its first working day.
 */
export function addWorkingDays(isoDate: string, n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Working days must be a whole number of zero or more, not ${n}`)
  let day = parse(isoDate)
  let remaining = n
  while (remaining > 0) {
    day = plusDays(day, 1)
    if (isWorkingDay(iso(day))) remaining--
  }
  return iso(day)
}
