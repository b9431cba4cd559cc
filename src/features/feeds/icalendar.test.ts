import { todayInUk } from '../../platform/uk-date.js'
import type { FastifyInstance } from 'fastify'
import ICAL from 'ical.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import { addMonths } from '../datasets/dates.js'
import { foldContentLines, periodEndExclusive } from './icalendar.js'
import { releaseFeedFilters, releasesPlannedSince } from './release-queries.js'

interface ParsedEvent {
  uid: string
  summary: string
  description: string
  url: string
  status: string
  sequence: number
  start: string
  end: string
  allDay: boolean
}

function eventsOf(text: string): { name: string; events: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text))
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent)
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      url: String(vevent.getFirstPropertyValue('url')),
      status: String(vevent.getFirstPropertyValue('status')),
      sequence: event.sequence,
      start: event.startDate.toString(),
      end: event.endDate.toString(),
      allDay: event.startDate.isDate && event.endDate.isDate,
    }
  })
  return { name: String(calendar.getFirstPropertyValue('x-wr-calname')), events }
}

const recent = addMonths(todayInUk(), -2)

describeEachEngine('the release calendar feed (iCalendar)', (ctx) => {
  let app: FastifyInstance
  const ids: Record<string, string> = {}
  const releases: Record<string, string> = {}

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    const plan = async (key: string, org: string, title: string, themes: string, plannedDate: string, state = 'provisional') => {
      ids[key] ??= (await services.datasets.declare(system, org, { title, description: 'd', themes, frequency: 'annual' })).id
      releases[key] = (await services.datasets.addRelease(system, ids[key]!, { plannedDate, state })).id
    }
    await plan('gritting', 'trafford', 'Gritting routes', 'TRAN', '2031-05-01')
    await services.datasets.updateRelease(system, releases.gritting!, { plannedDate: '2031-06-15', state: 'confirmed', note: 'Waiting for the new depot' })
    await plan('buses', 'manchester', 'Roads, bridges; and <tunnels>', 'TRAN', '2031-07')
    await plan('recycling', 'leeds', 'Recycling rates', 'ENVI', '2031-Q3', 'confirmed')
    await services.datasets.updateRelease(system, releases.recycling!, { state: 'cancelled', note: 'Service outsourced' })
    await plan('air', 'trafford', 'Air quality', 'ENVI, HEAL', recent)
    await services.datasets.markReleased(system, releases.air!, { downloadUrl: 'https://data.trafford.gov.uk/air.csv', format: 'CSV' })
    // Planned long ago: past the twelve months a calendar keeps.
    await plan('old', 'leeds', 'Old survey', 'SOCI', '2020-03', 'confirmed')
    app = await buildTestApp(ctx())
  }, 60_000)

  afterAll(async () => {
    await app?.close()
  })

  const get = (url: string) => app.inject({ method: 'GET', url })
  const byKey = (events: ParsedEvent[], key: string) => events.find((e) => e.uid === `release-${releases[key]}@lgds.test`)!

  it('is a calendar of every release of the last year and to come, the same on every fetch', async () => {
    const first = await get('/datasets/releases.ics')
    expect(first.statusCode).toBe(200)
    expect(first.headers['content-type']).toBe('text/calendar; charset=utf-8')
    expect(first.headers['cache-control']).toBe('public, max-age=300')
    expect(first.body.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true)
    expect(first.body.endsWith('END:VCALENDAR\r\n')).toBe(true)
    const { name, events } = eventsOf(first.body)
    expect(name).toBe('Data releases')
    expect(events.map((e) => e.uid).sort()).toEqual(['gritting', 'buses', 'recycling', 'air'].map((k) => `release-${releases[k]}@lgds.test`).sort())
    const second = await get('/datasets/releases.ics')
    expect(second.body).toBe(first.body)
  })

  it('spans the planned day, month or quarter as all-day events', async () => {
    const { events } = eventsOf((await get('/datasets/releases.ics')).body)
    expect(byKey(events, 'gritting')).toMatchObject({ start: '2031-06-15', end: '2031-06-16', allDay: true })
    expect(byKey(events, 'buses')).toMatchObject({ start: '2031-07-01', end: '2031-08-01', allDay: true })
    expect(byKey(events, 'recycling')).toMatchObject({ start: '2031-07-01', end: '2031-10-01', allDay: true })
    expect(byKey(events, 'air')).toMatchObject({ start: recent, allDay: true })
  })

  it('gives each state its status, and says what and whose the release is', async () => {
    const { events } = eventsOf((await get('/datasets/releases.ics')).body)
    const gritting = byKey(events, 'gritting')
    expect(gritting).toMatchObject({ status: 'CONFIRMED', sequence: 1, summary: 'Release: Gritting routes (Trafford Metropolitan Borough Council)', url: `http://lgds.test/datasets/${ids.gritting}` })
    expect(gritting.description).toContain('Trafford Metropolitan Borough Council plans to release “Gritting routes” on 15 June 2031.')
    expect(gritting.description).toContain('First planned for 1 May 2031.')
    expect(gritting.description).toContain('Note: Waiting for the new depot')
    expect(byKey(events, 'buses')).toMatchObject({ status: 'TENTATIVE', sequence: 0, summary: 'Release: Roads, bridges; and <tunnels> (Manchester City Council)' })
    expect(byKey(events, 'recycling')).toMatchObject({ status: 'CANCELLED', summary: 'Release: Recycling rates (Leeds City Council)' })
    const air = byKey(events, 'air')
    expect(air.status).toBe('CONFIRMED')
    expect(air.description).toContain('Status: Released on ')
  })

  it('filters by publisher and theme like the calendar page', async () => {
    const uids = async (url: string) => eventsOf((await get(url)).body).events.map((e) => e.uid).sort()
    const uidsOf = (...keys: string[]) => keys.map((k) => `release-${releases[k]}@lgds.test`).sort()
    expect(await uids('/datasets/releases.ics?publisher=trafford')).toEqual(uidsOf('gritting', 'air'))
    expect(await uids('/datasets/releases.ics?theme=ENVI')).toEqual(uidsOf('recycling', 'air'))
    expect(await uids('/datasets/releases.ics?theme=TRAN&theme=HEAL')).toEqual(uidsOf('gritting', 'buses', 'air'))
    expect(await uids('/datasets/releases.ics?publisher=trafford&publisher=leeds&theme=ENVI')).toEqual(uidsOf('recycling', 'air'))
    expect(await uids('/datasets/releases.ics?publisher=atlantis')).toEqual([])
    const named = eventsOf((await get('/datasets/releases.ics?publisher=leeds&theme=envi')).body)
    expect(named.name).toBe('Data releases: Leeds City Council · Environment')
  })

  it('reads the releases in batches, each one once', async () => {
    const { db } = ctx()
    const seen: string[] = []
    let batches = 0
    for await (const rows of releasesPlannedSince(db, releaseFeedFilters({}), '2000-01-01', 2)) {
      batches++
      expect(rows.length).toBeLessThanOrEqual(2)
      seen.push(...rows.map((r) => r.id))
    }
    expect(batches).toBe(3)
    expect(seen.sort()).toEqual(Object.values(releases).sort())
  })
})

describe('all-day event ends', () => {
  it('are the day after the planned period', () => {
    expect(periodEndExclusive('2028-02-28', 'day')).toBe('2028-02-29')
    expect(periodEndExclusive('2027-12-31', 'day')).toBe('2028-01-01')
    expect(periodEndExclusive('2027-12-01', 'month')).toBe('2028-01-01')
    expect(periodEndExclusive('2027-10-01', 'quarter')).toBe('2028-01-01')
  })
})

describe('folding content lines', () => {
  it('keeps every line within 75 octets, never splitting a character, and unfolds to the original', () => {
    const line = `SUMMARY:${'Gwasanaethau “data” i’r cyhoedd — 😀 '.repeat(12)}`
    const folded = foldContentLines(`BEGIN:VEVENT\r\n${line}\r\nEND:VEVENT\r\n`)
    const lines = folded.split('\r\n')
    expect(lines.length).toBeGreaterThan(8)
    for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75)
    expect(folded).not.toContain('\uFFFD')
    expect(folded.replace(/\r\n /g, '')).toBe(`BEGIN:VEVENT\r\n${line}\r\nEND:VEVENT\r\n`)
    expect(foldContentLines('UID:short\r\n')).toBe('UID:short\r\n')
  })
})
