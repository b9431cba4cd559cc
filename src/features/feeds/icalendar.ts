import ical, { escape, ICalEvent, ICalEventStatus, ICalEventTransparency, type ICalCalendar } from 'ical-generator'
import { addMonths, formatPlannedDate } from '../datasets/dates.js'
import { labelOf, RELEASE_STATES, type DatePrecision, type ReleaseState } from '../datasets/vocabularies.js'
import { formatDate } from '../../platform/views.js'
import type { CalendarReleaseRow } from './release-queries.js'

/*
 * The release calendar as iCalendar (RFC 5545), for calendar apps to subscribe to. Each release
 * is one all-day event over its planned period (a day, a month or a quarter) whose UID never
 * changes, so a moved release moves in the subscriber's calendar instead of appearing twice.
 */

const STATUS: Record<ReleaseState, ICalEventStatus> = {
  provisional: ICalEventStatus.TENTATIVE,
  confirmed: ICalEventStatus.CONFIRMED,
  released: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
}

export interface CalendarOptions {
  baseUrl: string
  /** The feed's own address. */
  selfUrl: string
  /** "Trafford Metropolitan Borough Council · Transport" when filtered. */
  scope?: string
}

/** The first day after the planned period: iCalendar's all-day DTEND is exclusive. */
export function periodEndExclusive(date: string, precision: DatePrecision): string {
  if (precision === 'day') {
    const next = new Date(`${date}T00:00:00Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    return next.toISOString().slice(0, 10)
  }
  return addMonths(date, precision === 'month' ? 1 : 3)
}

function calendarOf(options: CalendarOptions): ICalCalendar {
  // ical-generator writes the calendar's name and description as given: escaped here, as TEXT must be.
  return ical({
    name: escape(options.scope ? `Data releases: ${options.scope}` : 'Data releases', false),
    description: escape('Planned releases of data declared by public bodies on LGDS', false),
    prodId: { company: 'LGDS', product: 'Release calendar', language: 'EN' },
    url: options.selfUrl,
    // Hourly is often enough for plans that move by months.
    ttl: 60 * 60,
  })
}

/**
 * The calendar written a batch of releases at a time: ical-generator makes the calendar's
 * header and each event, and nothing holds more than one batch.
 */
export async function* icalendarChunks(batches: AsyncIterable<CalendarReleaseRow[]>, options: CalendarOptions): AsyncGenerator<string> {
  const calendar = calendarOf(options)
  const whole = calendar.toString()
  yield whole.slice(0, whole.lastIndexOf('END:VCALENDAR'))
  const host = new URL(options.baseUrl).hostname
  for await (const rows of batches) yield rows.map((row) => foldContentLines(releaseEvent(row, calendar, options.baseUrl, host).toString())).join('')
  yield 'END:VCALENDAR\r\n'
}

const LINE_OCTETS = 75

/**
 * Folds content lines longer than 75 octets (RFC 5545 §3.1) without splitting a character.
 * ical-generator's own `foldLines` encodes every character separately, which takes minutes
 * over a national calendar; most lines are short and pass through untouched here.
 */
export function foldContentLines(text: string): string {
  return text.split('\r\n').map(foldLine).join('\r\n')
}

function foldLine(line: string): string {
  if (line.length * 3 <= LINE_OCTETS || Buffer.byteLength(line) <= LINE_OCTETS) return line
  let folded = ''
  let used = 0
  // The continuation lines' leading space counts towards their 75 octets.
  let room = LINE_OCTETS
  for (const char of line) {
    const code = char.codePointAt(0)!
    const octets = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
    if (used + octets > room) {
      folded += '\r\n '
      used = 0
      room = LINE_OCTETS - 1
    }
    folded += char
    used += octets
  }
  return folded
}

function releaseEvent(row: CalendarReleaseRow, calendar: ICalCalendar, baseUrl: string, host: string): ICalEvent {
  const precision = row.precision as DatePrecision
  const state = row.state as ReleaseState
  const planned = formatPlannedDate({ date: row.planned_date, precision })
  const first = formatPlannedDate({ date: row.first_planned_date, precision: row.first_precision as DatePrecision })
  const url = `${baseUrl}/datasets/${row.dataset_id}`
  const lines = [
    `${row.publisher_name} plans to release “${row.dataset_title}” ${precision === 'day' ? 'on' : 'in'} ${planned}.`,
    `Status: ${labelOf(RELEASE_STATES, state)}${state === 'released' && row.released_at ? ` on ${formatDate(row.released_at)}` : ''}.`,
    first !== planned ? `First planned for ${first}.` : '',
    row.change_note ? `Note: ${row.change_note}` : '',
    url,
  ]
  return new ICalEvent(
    {
      id: `release-${row.id}@${host}`,
      sequence: Math.max(0, row.change_count - 1),
      stamp: row.updated_at,
      created: row.created_at,
      lastModified: row.updated_at,
      allDay: true,
      start: row.planned_date,
      end: periodEndExclusive(row.planned_date, precision),
      summary: `Release: ${row.dataset_title} (${row.publisher_name})`,
      description: lines.filter(Boolean).join('\n'),
      url,
      status: STATUS[state] ?? null,
      // A month-long plan must not make the subscriber look busy all month.
      transparency: ICalEventTransparency.TRANSPARENT,
    },
    calendar,
  )
}
