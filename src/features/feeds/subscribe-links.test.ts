import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'

/** The `href` of the first matching element, with HTML's `&amp;` undone. */
function hrefOf(html: string, pattern: RegExp): string {
  const href = pattern.exec(html)?.[1]
  if (!href) throw new Error(`nothing matches ${pattern}`)
  return href.replace(/&amp;/g, '&')
}

describeEachEngine('pages advertise their feeds', (ctx) => {
  let app: FastifyInstance

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    for (const [org, title, themes] of [
      ['leeds', 'Bin days', 'ENVI'],
      ['leeds', 'Bus stops', 'TRAN'],
      ['trafford', 'Bin lorries', 'ENVI'],
    ] as const) {
      const dataset = await services.datasets.declare(system, org, { title, description: 'd', themes, frequency: 'annual' })
      await services.datasets.addRelease(system, dataset.id, { plannedDate: '2031-05' })
    }
    app = await buildTestApp(ctx())
  }, 60_000)

  afterAll(async () => {
    await app?.close()
  })

  it('links the search page to the Atom feed of the same search, in the head and visibly', async () => {
    const page = await app.inject({ method: 'GET', url: '/datasets?q=bin&publisher=leeds&theme=ENVI&theme=TRAN' })
    expect(page.statusCode).toBe(200)
    const head = /<head>[\s\S]*<\/head>/.exec(page.body)![0]
    const feed = hrefOf(head, /<link rel="alternate" type="application\/atom\+xml" title="New and changed datasets" href="([^"]+)">/)
    expect(feed).toBe('/datasets.atom?q=bin&publisher=leeds&theme=ENVI&theme=TRAN')
    const subscribe = /<p class="govuk-body" id="subscribe">[\s\S]*?<\/p>/.exec(page.body)![0]
    expect(hrefOf(subscribe, /<a class="govuk-link" href="(\/datasets\.atom[^"]*)">/)).toBe(feed)
    expect(hrefOf(subscribe, /<a class="govuk-link" href="(\/datasets\/releases\.ics[^"]*)">/)).toBe('/datasets/releases.ics?publisher=leeds&theme=ENVI&theme=TRAN')

    // The feed holds what the page shows.
    const atom = await app.inject({ method: 'GET', url: feed })
    expect([...atom.body.matchAll(/<title type="text">([^<]+)<\/title>/g)].map((m) => m[1]).slice(1)).toEqual(['Bin days'])

    const plain = await app.inject({ method: 'GET', url: '/datasets' })
    expect(plain.body).toContain('<link rel="alternate" type="application/atom+xml" title="New and changed datasets" href="/datasets.atom">')
    expect(plain.body).toContain('href="/datasets/releases.ics">')
  })

  it('links the release calendar to its iCalendar and Atom feeds with the same filters', async () => {
    const page = await app.inject({ method: 'GET', url: '/datasets/releases?publisher=leeds&theme=ENVI' })
    expect(page.statusCode).toBe(200)
    const head = /<head>[\s\S]*<\/head>/.exec(page.body)![0]
    const ics = hrefOf(head, /<link rel="alternate" type="text\/calendar" title="[^"]+" href="([^"]+)">/)
    expect(ics).toBe('/datasets/releases.ics?publisher=leeds&theme=ENVI')
    expect(hrefOf(head, /<link rel="alternate" type="application\/atom\+xml" title="[^"]+" href="([^"]+)">/)).toBe('/datasets/releases.atom?publisher=leeds&theme=ENVI')
    const subscribe = /<p class="govuk-body" id="subscribe">[\s\S]*?<\/p>/.exec(page.body)![0]
    expect(hrefOf(subscribe, /href="(\/datasets\/releases\.ics[^"]*)"/)).toBe(ics)
    expect(hrefOf(subscribe, /href="(\/datasets\/releases\.atom[^"]*)"/)).toBe('/datasets/releases.atom?publisher=leeds&theme=ENVI')

    const calendar = await app.inject({ method: 'GET', url: ics })
    expect(calendar.body.match(/BEGIN:VEVENT/g)).toHaveLength(1)
    expect(calendar.body).toContain('SUMMARY:Release: Bin days (Leeds City Council)')
  })
})
