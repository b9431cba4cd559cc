import type { FastifyInstance } from 'fastify'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import { escapeXml } from './atom.js'

type Node = Record<string, unknown>
interface Link { '@_rel'?: string; '@_href': string; '@_type'?: string }
interface Entry { id: string; title: Node; updated: string; author: { name: string; uri?: string }[]; link: Link[]; summary?: Node; content?: Node; category?: Node[] }
interface Feed { '@_xmlns': string; id: string; title: Node; updated: string; link: Link[]; author: { name: string }[]; entry: Entry[] }

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', parseTagValue: false, isArray: (name) => ['entry', 'link', 'author', 'category'].includes(name) })
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
const text = (node: Node | undefined) => String(node?.['#text'] ?? '')

/** Parses the feed and checks what RFC 4287 requires of it and of every entry. */
function atom(xml: string): Feed {
  expect(XMLValidator.validate(xml)).toBe(true)
  const feed = (parser.parse(xml) as { feed: Feed }).feed
  expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom')
  expect(feed.id).toMatch(/^http:\/\/lgds\.test\//)
  expect(text(feed.title)).not.toBe('')
  expect(feed.updated).toMatch(RFC3339)
  expect(feed.link.filter((l) => l['@_rel'] === 'self')).toHaveLength(1)
  expect(feed.link.filter((l) => l['@_rel'] === 'alternate')).toHaveLength(1)
  feed.entry ??= []
  for (const entry of feed.entry) {
    expect(entry.id).toMatch(/^tag:lgds\.test,\d{4}-\d{2}-\d{2}:/)
    expect(text(entry.title)).not.toBe('')
    expect(entry.updated).toMatch(RFC3339)
    expect(entry.author[0]!.name).not.toBe('')
    expect(entry.link.find((l) => (l['@_rel'] ?? 'alternate') === 'alternate' && l['@_type'] === 'text/html')?.['@_href']).toMatch(/^http:\/\/lgds\.test\/datasets\/[^/]+$/)
    expect(text(entry.summary)).not.toBe('')
  }
  return feed
}

const TRICKY = 'Pupils < 5 & over > 3 "quoted"'

describeEachEngine('Atom feeds of declarations and releases', (ctx) => {
  let app: FastifyInstance
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    for (let i = 0; i < 52; i++) await services.datasets.declare(system, 'manchester', { title: `Filler ${i}`, description: 'd', themes: 'GOVE', frequency: 'annual' })
    const declare = async (key: string, org: string, input: Record<string, string>, distributions: Record<string, string>[] = []) => {
      ids[key] = (await services.datasets.declare(system, org, { description: 'd', frequency: 'annual', ...input }, distributions)).id
    }
    await declare('pupils', 'trafford', { title: TRICKY, themes: 'EDUC', keywords: 'schools' })
    await declare('bins', 'leeds', { title: 'Bin days', themes: 'ENVI', licence: 'CC-BY-4.0' }, [{ downloadUrl: 'https://data.leeds.gov.uk/bins.csv', format: 'CSV' }])
    await declare('cctv', 'leeds', { title: 'CCTV cameras', themes: 'JUST', accessLevel: 'non-public', accessReason: 'national-security', accessExplanation: 'Security.' })
    await declare('roads', 'trafford', { title: 'Road works', themes: 'TRAN' })
    const release = async (key: string, plannedDate: string) => (await services.datasets.addRelease(system, ids[key]!, { plannedDate })).id
    const moved = await release('roads', '2031-03')
    await services.datasets.updateRelease(system, moved, { plannedDate: '2031-06', note: 'Survey late' })
    const cancelled = await release('cctv', '2031-Q2')
    await services.datasets.updateRelease(system, cancelled, { state: 'cancelled', note: 'Cameras removed' })
    const released = await release('pupils', '2031-01-15')
    await services.datasets.updateRelease(system, released, { state: 'confirmed' })
    await services.datasets.markReleased(system, released, { downloadUrl: 'https://data.trafford.gov.uk/pupils.csv', format: 'CSV' })
    // Planned and confirmed, but nothing has happened yet: not in the feed.
    await release('bins', '2031-09')
    // Changed last: the newest entry. `updated_at` counts milliseconds, so let one pass first.
    await new Promise((resolve) => setTimeout(resolve, 5))
    const { version } = (await services.datasets.get(ids.pupils!)).dataset
    await services.datasets.update(system, ids.pupils!, { title: TRICKY, description: 'Changed <b>description</b>', themes: 'EDUC', frequency: 'annual' }, version)
    app = await buildTestApp(ctx())
  }, 90_000)

  afterAll(async () => {
    await app?.close()
  })

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/atom+xml; charset=utf-8')
    return response
  }
  const titles = (feed: Feed) => feed.entry.map((e) => text(e.title))

  it('lists the latest 50 new and changed declarations, newest first, with stable ids', async () => {
    const response = await get('/datasets.atom')
    const feed = atom(response.body)
    expect(feed.entry).toHaveLength(50)
    expect(feed.id).toBe('http://lgds.test/datasets.atom')
    expect(feed.link.find((l) => l['@_rel'] === 'alternate')!['@_href']).toBe('http://lgds.test/datasets')
    expect(titles(feed)[0]).toBe(TRICKY)
    const updated = feed.entry.map((e) => e.updated)
    expect([...updated].sort().reverse()).toEqual(updated)
    expect(feed.updated).toBe(updated[0])
    const pupils = feed.entry[0]!
    expect(pupils.id).toMatch(new RegExp(`^tag:lgds\\.test,\\d{4}-\\d{2}-\\d{2}:dataset:${ids.pupils}$`))
    expect(pupils.author[0]).toEqual({ name: 'Trafford Metropolitan Borough Council', uri: 'http://lgds.test/organisations/trafford' })
    expect(text(pupils.content)).toBe('Changed <b>description</b>')
    expect(pupils.category![0]).toMatchObject({ '@_term': 'EDUC', '@_label': 'Education, culture and sport' })
    // Escaped, never markup: the title is text that reads as it was written.
    expect(response.body).toContain('<title type="text">Pupils &lt; 5 &amp; over &gt; 3 &quot;quoted&quot;</title>')
    expect(response.body).toContain('<content type="text">Changed &lt;b&gt;description&lt;/b&gt;</content>')
    const again = atom((await get('/datasets.atom')).body)
    expect(again.entry.map((e) => e.id)).toEqual(feed.entry.map((e) => e.id))
  })

  it('filters like the search page, and links to the same search', async () => {
    const leeds = atom((await get('/datasets.atom?publisher=leeds')).body)
    expect(titles(leeds).sort()).toEqual(['Bin days', 'CCTV cameras'])
    expect(leeds.id).toBe('http://lgds.test/datasets.atom?publisher=leeds')
    expect(leeds.link.find((l) => l['@_rel'] === 'alternate')!['@_href']).toBe('http://lgds.test/datasets?publisher=leeds')
    expect(titles(atom((await get('/datasets.atom?theme=ENVI&theme=TRAN')).body)).sort()).toEqual(['Bin days', 'Road works'])
    expect(titles(atom((await get('/datasets.atom?access=non-public')).body))).toEqual(['CCTV cameras'])
    expect(titles(atom((await get('/datasets.atom?format=csv&status=published')).body)).sort()).toEqual(['Bin days', TRICKY])
    expect(titles(atom((await get('/datasets.atom?licence=CC-BY-4.0')).body))).toEqual(['Bin days'])
    expect(titles(atom((await get('/datasets.atom?q=pupils')).body))).toEqual([TRICKY])
    const none = atom((await get('/datasets.atom?q=%3Cscript%3E%26')).body)
    expect(none.entry).toEqual([])
    expect(text(none.title)).toBe('New and changed datasets matching “<script>&”')
  })

  it('lists releases as they happen: released, moved and cancelled, newest first', async () => {
    const feed = atom((await get('/datasets/releases.atom')).body)
    expect(feed.id).toBe('http://lgds.test/datasets/releases.atom')
    expect(titles(feed)).toEqual([`Released: ${TRICKY}`, 'Release cancelled: CCTV cameras', 'Release moved to June 2031: Road works'])
    expect(feed.entry.map((e) => e.id)).toEqual(feed.entry.map((e) => e.id).filter((id) => /^tag:lgds\.test,\d{4}-\d{2}-\d{2}:release-change:\d+$/.test(id)))
    expect(text(feed.entry[1]!.summary)).toBe('Leeds City Council cancelled the release of “CCTV cameras” planned for April to June 2031. Cameras removed')
    expect(text(feed.entry[2]!.summary)).toBe('Trafford Metropolitan Borough Council moved the release of “Road works”, planned for March 2031, to June 2031. Survey late')
    expect(feed.entry[2]!.link[0]!['@_href']).toBe(`http://lgds.test/datasets/${ids.roads}`)
    expect(feed.updated).toBe(feed.entry[0]!.updated)
  })

  it('filters releases by publisher and theme', async () => {
    expect(titles(atom((await get('/datasets/releases.atom?publisher=leeds')).body))).toEqual(['Release cancelled: CCTV cameras'])
    expect(titles(atom((await get('/datasets/releases.atom?theme=TRAN&theme=EDUC')).body))).toEqual([`Released: ${TRICKY}`, 'Release moved to June 2031: Road works'])
    const filtered = atom((await get('/datasets/releases.atom?publisher=trafford&theme=JUST')).body)
    expect(filtered.entry).toEqual([])
    expect(filtered.link.find((l) => l['@_rel'] === 'self')!['@_href']).toBe('http://lgds.test/datasets/releases.atom?publisher=trafford&theme=JUST')
  })
})

describe('XML escaping', () => {
  it('escapes markup and drops what XML cannot hold', () => {
    expect(escapeXml(`a<b>&"c'\u0000\u0007d\uD800e`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;de')
    expect(escapeXml('tab\tnew\nline 😀')).toBe('tab\tnew\nline 😀')
  })
})
