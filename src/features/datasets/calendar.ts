import { todayInUk } from '../../platform/uk-date.js'
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import { addMonths, formatPlannedDate } from './dates.js'
import { toRelease, type Release } from './model.js'
import type { ReleaseRow } from './repository.js'
import { publisherCondition, themeCondition, type Publisher } from './search.js'
import { THEMES } from './vocabularies.js'

export interface CalendarFilters {
  /** Organisation slugs. */
  publisher?: string[]
  theme?: string[]
}

export interface CalendarWindow {
  /** First month shown, `YYYY-MM`; the current month when absent or earlier. */
  from?: string
  page?: PageRequest
}

export interface CalendarEntry {
  release: Release
  dataset: { id: string; title: string; status: string }
  publisher: Publisher
}

export interface CalendarMonth {
  /** `YYYY-MM`. */
  month: string
  label: string
  entries: CalendarEntry[]
}

export interface ReleaseCalendar {
  filters: { publisher: string[]; theme: string[] }
  /** First and last month of the window, `YYYY-MM`. */
  from: string
  until: string
  /** True when the window starts this month (overdue releases are shown only then). */
  startsNow: boolean
  overdue: CalendarEntry[]
  overdueTotal: number
  /** The window's releases, a page at a time, grouped by month. */
  upcoming: Page<CalendarEntry>
  months: CalendarMonth[]
  /** The `from` of the next window, when anything is planned after this one. */
  later?: string
  /** The `from` of the previous window, when this one does not start now. */
  earlier?: string
  /** Bodies with a release still to come, for the filter. */
  publishers: Publisher[]
}

export const CALENDAR_MONTHS = 12
export const OVERDUE_LIMIT = 100
const OPEN_STATES = ['provisional', 'confirmed']

type CalendarRow = ReleaseRow & { dataset_title: string; dataset_status: string; publisher_id: string; publisher_slug: string; publisher_name: string }

/**
 * The release calendar: planned releases still to come in a twelve-month window, grouped by
 * month, and (from this month) the overdue ones before them. Releases of withdrawn datasets
 * are left out: nothing more is coming.
 */
export async function releaseCalendar(db: Db, input: CalendarFilters, window: CalendarWindow = {}, today = todayInUk()): Promise<ReleaseCalendar> {
  const filters = {
    publisher: [...new Set((input.publisher ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean))].slice(0, 50),
    theme: [...new Set((input.theme ?? []).map((s) => s.trim().toUpperCase()).filter((t) => THEMES.some((x) => x.code === t)))],
  }
  const thisMonth = today.slice(0, 7)
  const requested = window.from && /^\d{4}-(0[1-9]|1[0-2])$/.test(window.from) ? window.from : thisMonth
  const from = requested > thisMonth ? requested : thisMonth
  const startsNow = from === thisMonth
  const windowStart = `${from}-01`
  const windowEnd = addMonths(windowStart, CALENDAR_MONTHS)
  const page = window.page ?? { page: 1, pageSize: 100 }

  const conditions: RawBuilder<unknown>[] = [sql`r.state in (${sql.join(OPEN_STATES)})`, sql`d.status <> 'withdrawn'`]
  if (filters.publisher.length > 0) conditions.push(publisherCondition(filters.publisher))
  if (filters.theme.length > 0) conditions.push(themeCondition(filters.theme))
  const base = sql.join(conditions, sql` and `)
  const overdue = overdueCondition(today)
  const inWindow = startsNow ? sql`not ${overdue} and r.planned_date < ${windowEnd}` : sql`r.planned_date >= ${windowStart} and r.planned_date < ${windowEnd}`
  const from_ = sql`from releases r join datasets d on d.id = r.dataset_id join organisations o on o.id = d.organisation_id`
  const columns = sql`r.*, d.title as dataset_title, d.status as dataset_status, o.id as publisher_id, o.slug as publisher_slug, o.name as publisher_name`
  const order = db.engine === 'postgres' ? sql`r.planned_date, lower(d.title) collate "C", r.id` : sql`r.planned_date, lower(d.title), r.id`
  // Counting needs no publisher names: the filters reach organisations through `d`.
  const count = async (where: RawBuilder<unknown>) =>
    Number((await sql<{ n: number }>`select count(*) as n from releases r join datasets d on d.id = r.dataset_id where ${base} and ${where}`.execute(db.kysely)).rows[0]!.n)

  const [overdueRows, overdueTotal, upcomingRows, upcomingTotal, laterCount, publishers] = await Promise.all([
    startsNow ? sql<CalendarRow>`select ${columns} ${from_} where ${base} and ${overdue} order by ${order} limit ${OVERDUE_LIMIT}`.execute(db.kysely).then((r) => r.rows) : [],
    startsNow ? count(overdue) : 0,
    sql<CalendarRow>`select ${columns} ${from_} where ${base} and ${inWindow} order by ${order} limit ${page.pageSize} offset ${(page.page - 1) * page.pageSize}`
      .execute(db.kysely)
      .then((r) => r.rows),
    count(inWindow),
    count(sql`r.planned_date >= ${windowEnd}`),
    // Only withdrawn datasets and those with nothing still planned lack a next release date.
    sql<Publisher>`
      select o.id, o.slug, o.name from organisations o
      where o.id in (select organisation_id from datasets where next_release_date is not null)
      order by o.name`
      .execute(db.kysely)
      .then((r) => r.rows),
  ])

  const toEntry = (row: CalendarRow): CalendarEntry => ({
    release: toRelease(row, [], today),
    dataset: { id: row.dataset_id, title: row.dataset_title, status: row.dataset_status },
    publisher: { id: row.publisher_id, slug: row.publisher_slug, name: row.publisher_name },
  })
  const upcoming = upcomingRows.map(toEntry)
  const months: CalendarMonth[] = []
  for (const entry of upcoming) {
    // A month or quarter already under way but not yet over belongs to this month.
    const planned = entry.release.plannedDate.slice(0, 7)
    const month = planned < from ? from : planned
    let group = months.at(-1)
    if (group?.month !== month) {
      group = { month, label: formatPlannedDate({ date: `${month}-01`, precision: 'month' }), entries: [] }
      months.push(group)
    }
    group.entries.push(entry)
  }
  const previous = addMonths(windowStart, -CALENDAR_MONTHS).slice(0, 7)
  return {
    filters,
    from,
    until: addMonths(windowEnd, -1).slice(0, 7),
    startsNow,
    overdue: overdueRows.map(toEntry),
    overdueTotal,
    upcoming: { items: upcoming, total: upcomingTotal, ...page },
    months,
    ...(laterCount > 0 ? { later: windowEnd.slice(0, 7) } : {}),
    ...(startsNow ? {} : { earlier: previous > thisMonth ? previous : thisMonth }),
    publishers,
  }
}

/**
 * The SQL form of `isOverdue`: the whole planned period is over. A month is over once this month
 * has begun after it; a quarter (stored as its first month) once two more months have passed.
 */
function overdueCondition(today: string): RawBuilder<unknown> {
  const monthStart = `${today.slice(0, 7)}-01`
  const quarterCutoff = addMonths(monthStart, -2)
  return sql`((r.precision = 'day' and r.planned_date < ${today}) or (r.precision = 'month' and r.planned_date < ${monthStart}) or (r.precision = 'quarter' and r.planned_date < ${quarterCutoff}))`
}
