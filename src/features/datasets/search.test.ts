import { beforeAll, describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { FIXTURE, inMonths, seedFixture, today } from '../../../test/support/dataset-fixture.js'
import { system } from '../../../test/support/fixtures.js'
import { releaseCalendar } from './calendar.js'
import { addMonths } from './dates.js'
import { fts5Query, searchTerms, tsQuery, type DatasetFilters, type DatasetSearchResult, type DatasetSort } from './search.js'

const titles = (result: DatasetSearchResult) => result.items.map((d) => d.title)
const sorted = (list: string[]) => [...list].sort()
const counts = (values: { value: string; count: number }[]) => Object.fromEntries(values.map((v) => [v.value, v.count]))

describe('preparing search words', () => {
  it('keeps letters and digits, drops stop words and every operator', () => {
    expect(searchTerms('  The "Gritting" AND(routes) -winter* title:NEAR ')).toEqual(['gritting', 'routes', 'winter', 'title', 'near'])
    expect(searchTerms(`' OR 1=1 --`)).toEqual(['1'])
    expect(searchTerms('<script>alert(1)</script>')).toEqual(['script', 'alert', '1'])
    expect(searchTerms('of the and')).toEqual([])
    expect(searchTerms('Café E08000009 café')).toEqual(['café', 'e08000009'])
  })

  it('quotes every word for FTS5 and prefixes the last one when it is long enough', () => {
    expect(fts5Query(['gritting', 'routes'])).toBe('"gritting" "routes"*')
    expect(fts5Query(['routes', 'ab'])).toBe('"routes" "ab"')
    expect(tsQuery(['gritting', 'routes'])).toBe('gritting & routes:*')
    expect(tsQuery(['ab'])).toBe('ab')
  })
})

describeEachEngine('searching datasets', (ctx) => {
  let ids: Map<string, string>
  const search = (filters: DatasetFilters = {}, sort?: DatasetSort, page = { page: 1, pageSize: 50 }) => ctx().services.datasetSearch.search(filters, page, sort)

  beforeAll(async () => {
    ids = await seedFixture(ctx().services)
  }, 60_000)

  it('finds the same datasets for the same words on either engine, stemming words', async () => {
    const routes = ['Bus route changes', 'Cycle route network', 'Gritting routes', 'Planning applications']
    expect(sorted(titles(await search({ q: 'routes' })))).toEqual(routes)
    expect(sorted(titles(await search({ q: 'route' })))).toEqual(routes)
    expect(sorted(titles(await search({ q: 'ROUTES!' })))).toEqual(routes)
    expect(sorted(titles(await search({ q: 'recycling waste' })))).toEqual(['Household waste collection days', 'Recycling rates by ward'])
    expect(sorted(titles(await search({ q: 'library' })))).toEqual(['Libraries and opening hours'])
    expect(sorted(titles(await search({ q: 'spending transparency' })))).toEqual(['Spending over £500'])
    expect(sorted(titles(await search({ q: 'the transparency of contracts' })))).toEqual(['Contracts register'])
    expect(sorted(titles(await search({ q: 'grit' })))).toEqual(['Gritting routes'])
    // The last word is also a prefix: "traff" finds Trafford's datasets by their publisher.
    expect((await search({ q: 'traff' })).total).toBe(5)
    expect((await search({ q: 'nothing matches this' })).total).toBe(0)
  })

  it('searches the publisher’s name, and still finds withdrawn datasets', async () => {
    const result = await search({ q: 'Manchester' })
    expect(sorted(titles(result))).toEqual(['Adult social care packages', 'Bus route changes', 'Contracts register', 'Household waste collection days', 'Street lighting inventory'])
    expect(result.items.find((d) => d.title === 'Street lighting inventory')).toMatchObject({ status: 'withdrawn', publisher: { slug: 'manchester', name: 'Manchester City Council' } })
  })

  it('ranks a match in the title above one in the description', async () => {
    const result = await search({ q: 'routes' })
    expect(result.sort).toBe('relevance')
    expect(titles(result).at(-1)).toBe('Planning applications')
    const recycling = await search({ q: 'recycling' })
    expect(titles(recycling)).toEqual(['Recycling rates by ward', 'Household waste collection days'])
  })

  it('never fails on hostile or odd input', async () => {
    for (const q of ['"', '*', 'AND(', '-', '- -', "' OR 1=1 --", '"; drop table datasets; --', 'NEAR(gritting routes)', 'title:gritting', 'gritting)', '<script>alert(1)</script>', '\u0000', '½ ² ⁄', 'ﬁ', '🙂', 'a'.repeat(600)]) {
      const result = await search({ q })
      expect(result.total, q).toBeGreaterThanOrEqual(0)
    }
    expect(sorted(titles(await search({ q: '"gritting" AND(' })))).toEqual(['Gritting routes'])
    expect((await search({ q: '"' })).total).toBe(15)
    expect((await search({ q: 'the' })).total).toBe(15)
  })

  it('counts every facet over the whole inventory when nothing is chosen', async () => {
    const result = await search()
    expect(result.total).toBe(15)
    expect(counts(result.facets.publisher)).toEqual({ trafford: 5, manchester: 5, leeds: 5 })
    expect(result.facets.publisher[0]).toMatchObject({ slug: expect.any(String), name: expect.stringContaining('Council'), selected: false })
    expect(counts(result.facets.theme)).toEqual({ TRAN: 4, ENVI: 4, HEAL: 3, GOVE: 2, ECON: 2, EDUC: 2, SOCI: 1, JUST: 1, ENER: 1, REGI: 1 })
    expect(result.facets.theme.find((t) => t.value === 'ENVI')?.label).toBe('Environment')
    expect(counts(result.facets.status)).toEqual({ declared: 3, scheduled: 5, published: 6, withdrawn: 1 })
    expect(counts(result.facets.access)).toEqual({ open: 12, restricted: 1, 'non-public': 2 })
    expect(counts(result.facets.licence)).toEqual({ 'OGL-UK-3.0': 13, 'CC-BY-4.0': 1, 'CC0-1.0': 1 })
    expect(counts(result.facets.format)).toEqual({ CSV: 3, JSON: 2, GEOJSON: 1, XLSX: 1 })
    expect(result.facets.format[0]).toMatchObject({ value: 'CSV', count: 3 })
    // Due: today (waste), in 2 months (gritting), in 5 (buses), the quarter 8 months on (car parks).
    expect(counts(result.facets.due)).toEqual({ month: 1, quarter: 2, year: 4 })
  })

  it('leaves a facet’s own filter out of its counts, and combines filters', async () => {
    const envi = await search({ theme: ['ENVI'] })
    expect(envi.total).toBe(4)
    expect(envi.facets.theme.find((t) => t.value === 'TRAN')).toMatchObject({ count: 4, selected: false })
    expect(envi.facets.theme.find((t) => t.value === 'ENVI')).toMatchObject({ count: 4, selected: true })
    expect(counts(envi.facets.publisher)).toEqual({ trafford: 1, manchester: 1, leeds: 2 })

    const leedsEnvi = await search({ theme: ['ENVI'], publisher: ['leeds'] })
    expect(sorted(titles(leedsEnvi))).toEqual(['Cycle route network', 'Recycling rates by ward'])
    expect(counts(leedsEnvi.facets.publisher)).toEqual({ trafford: 1, manchester: 1, leeds: 2 })
    expect(leedsEnvi.facets.publisher.find((p) => p.slug === 'leeds')?.selected).toBe(true)
    expect(counts(leedsEnvi.facets.theme)).toEqual({ TRAN: 1, ENVI: 2, EDUC: 1, JUST: 1, REGI: 1 })
    expect(counts(leedsEnvi.facets.format)).toEqual({ CSV: 1, GEOJSON: 1, XLSX: 1 })

    // Values within a facet are alternatives.
    expect((await search({ theme: ['ENVI', 'EDUC'] })).total).toBe(6)
    expect(sorted(titles(await search({ format: ['csv'] })))).toEqual(['Gritting routes', 'Recycling rates by ward', 'Spending over £500'])
    expect(sorted(titles(await search({ licence: ['cc-by-4.0', 'CC0-1.0'] })))).toEqual(['Contracts register', 'Libraries and opening hours'])
    expect(sorted(titles(await search({ access: ['non-public'], status: ['declared'] })))).toEqual(['Adult social care packages', 'CCTV camera locations'])
    expect(sorted(titles(await search({ status: ['withdrawn'] })))).toEqual(['Street lighting inventory'])
    expect(sorted(titles(await search({ q: 'routes', theme: ['ENVI'] })))).toEqual(['Cycle route network'])
    const routesByTrafford = await search({ q: 'routes', publisher: ['trafford'] })
    expect(titles(routesByTrafford)).toEqual(['Gritting routes'])
    expect(counts(routesByTrafford.facets.publisher)).toEqual({ trafford: 1, manchester: 1, leeds: 2 })
  })

  it('filters by when the next release is due', async () => {
    expect(titles(await search({ due: 'month' }))).toEqual(['Household waste collection days'])
    expect(sorted(titles(await search({ due: 'quarter' })))).toEqual(['Gritting routes', 'Household waste collection days'])
    const year = await search({ due: 'year' })
    expect(sorted(titles(year))).toEqual(['Bus route changes', 'Car parks and parking charges', 'Gritting routes', 'Household waste collection days'])
    expect(year.facets.due.find((d) => d.value === 'year')).toMatchObject({ count: 4, selected: true })
  })

  it('drops values no facet can hold rather than failing', async () => {
    const result = await search({ theme: ['MOON', 'envi'], status: ['lost'], licence: ['WTFPL'], due: 'decade' as never })
    expect(result.filters).toMatchObject({ theme: ['ENVI'], status: [], licence: [] })
    expect(result.filters.due).toBeUndefined()
    expect(result.total).toBe(4)
    const nobody = await search({ publisher: ['no-such-council'] })
    expect(nobody.total).toBe(0)
    expect(counts(nobody.facets.publisher)).toEqual({ trafford: 5, manchester: 5, leeds: 5 })
  })

  it('flags datasets with an overdue release', async () => {
    const result = await search({ publisher: ['trafford'] })
    const overdue = result.items.filter((d) => d.overdue).map((d) => d.title)
    expect(overdue).toEqual(['Air quality monitoring'])
    expect(result.items.find((d) => d.title === 'Air quality monitoring')?.id).toBe(ids.get('Air quality monitoring'))
  })

  it('sorts by title, by next release and by last update, and pages', async () => {
    const byTitle = titles(await search({}, 'title'))
    expect(byTitle.slice(0, 4)).toEqual(['Adult social care packages', 'Air quality monitoring', 'Bus route changes', 'Car parks and parking charges'])
    expect(byTitle).toEqual([...byTitle].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)))
    // Without words there is nothing to rank by, so relevance falls back to newest first.
    const unranked = await search({}, 'relevance')
    expect(unranked.sort).toBe('updated')
    expect((await search({})).sort).toBe('updated')
    expect(titles(unranked)).toEqual(titles(await search({}, 'updated')))

    const byRelease = titles(await search({}, 'next-release'))
    expect(byRelease.slice(0, 6)).toEqual(['Air quality monitoring', 'Household waste collection days', 'Gritting routes', 'Bus route changes', 'Car parks and parking charges', 'Planning applications'])
    // Then everything with nothing planned, by title.
    expect(byRelease.slice(6, 8)).toEqual(['Adult social care packages', 'CCTV camera locations'])

    const byUpdate = (await search({}, 'updated')).items.map((d) => d.updatedAt)
    expect(byUpdate).toEqual([...byUpdate].sort().reverse())

    const page4 = await search({}, 'title', { page: 4, pageSize: 4 })
    expect(page4).toMatchObject({ total: 15, page: 4, pageSize: 4 })
    expect(titles(page4)).toEqual(byTitle.slice(12))
    const rankedPage2 = await search({ q: 'routes' }, undefined, { page: 2, pageSize: 3 })
    expect(rankedPage2.total).toBe(4)
    expect(titles(rankedPage2)).toEqual(['Planning applications'])
  })

  // Last: it adds to the fixture.
  it('counts afresh once any dataset changes', async () => {
    const { services } = ctx()
    const before = await search({ theme: ['AGRI'] })
    expect(before.total).toBe(0)
    expect(before.facets.theme.find((t) => t.value === 'AGRI')).toMatchObject({ count: 0, selected: true })
    const allotments = await services.datasets.declare(system, 'leeds', { title: 'Allotment sites', description: 'Every allotment site.', themes: 'AGRI', frequency: 'annual' })
    const after = await search({ theme: ['AGRI'] })
    expect(after.total).toBe(1)
    expect(after.facets.theme.find((t) => t.value === 'AGRI')?.count).toBe(1)
    expect(counts(after.facets.status)).toEqual({ declared: 1 })
    await services.datasets.withdraw(system, allotments.id, 'Moved to the parish council', allotments.version)
    expect(counts((await search({ theme: ['AGRI'] })).facets.status)).toEqual({ withdrawn: 1 })
  })
})

describeEachEngine('the release calendar', (ctx) => {
  const thisMonth = today.slice(0, 7)

  beforeAll(async () => {
    await seedFixture(ctx().services, [
      ...FIXTURE,
      // A month already under way is due, not overdue.
      { org: 'leeds', title: 'Allotment waiting lists', description: 'Waiting lists by site.', keywords: 'allotments', themes: 'ENVI', frequency: 'annual', releases: [thisMonth] },
    ])
  }, 60_000)

  const calendar = (filters = {}, from?: string) => releaseCalendar(ctx().db, filters, from ? { from } : {})
  const entryTitles = (list: { dataset: { title: string } }[]) => list.map((e) => e.dataset.title)

  it('lists overdue releases first, then the next twelve months by month, leaving out withdrawn datasets', async () => {
    const result = await calendar()
    expect(result.startsNow).toBe(true)
    expect(result.from).toBe(thisMonth)
    expect(entryTitles(result.overdue)).toEqual(['Air quality monitoring'])
    expect(result.overdueTotal).toBe(1)
    expect(result.overdue[0]!.release).toMatchObject({ overdue: true, label: 'January to March 2020', state: 'confirmed' })
    expect(result.overdue[0]!.publisher).toMatchObject({ slug: 'trafford', name: 'Trafford Metropolitan Borough Council' })

    const upcoming = entryTitles(result.upcoming.items)
    expect(upcoming).not.toContain('Street lighting inventory')
    expect(upcoming).not.toContain('Planning applications')
    expect(upcoming.slice(-3)).toEqual(['Gritting routes', 'Bus route changes', 'Car parks and parking charges'])
    expect(upcoming.slice(0, 2).sort()).toEqual(['Allotment waiting lists', 'Household waste collection days'])
    expect(result.upcoming.total).toBe(5)
    expect(result.months[0]).toMatchObject({ month: thisMonth })
    expect(result.months[0]!.entries.map((e) => e.release.overdue)).toEqual([false, false])
    expect(result.months.map((m) => m.month)).toEqual([...new Set(result.months.map((m) => m.month))].sort())
    expect(result.months.find((m) => m.month === inMonths(2).slice(0, 7))?.label).toMatch(/^[A-Z][a-z]+ \d{4}$/)
    expect(result.later).toBe(addMonths(`${thisMonth}-01`, 12).slice(0, 7))
    expect(result.earlier).toBeUndefined()
    expect(result.publishers.map((p) => p.slug).sort()).toEqual(['leeds', 'manchester', 'trafford'])
  })

  it('moves on to later months, without the overdue ones', async () => {
    const first = await calendar()
    const later = await calendar({}, first.later)
    expect(later.startsNow).toBe(false)
    expect(later.overdue).toEqual([])
    expect(entryTitles(later.upcoming.items)).toEqual(['Planning applications'])
    expect(later.earlier).toBe(thisMonth)
    expect(later.later).toBeUndefined()
    // A month in the past or a malformed one means "from now".
    expect((await calendar({}, '2001-01')).from).toBe(thisMonth)
    expect((await calendar({}, '2030-13')).from).toBe(thisMonth)
  })

  it('filters by publisher and by theme', async () => {
    const trafford = await calendar({ publisher: ['trafford'] })
    expect(entryTitles(trafford.overdue)).toEqual(['Air quality monitoring'])
    expect(entryTitles(trafford.upcoming.items)).toEqual(['Gritting routes', 'Car parks and parking charges'])
    const envi = await calendar({ theme: ['ENVI'] })
    expect(entryTitles(envi.overdue)).toEqual(['Air quality monitoring'])
    expect(entryTitles(envi.upcoming.items).sort()).toEqual(['Allotment waiting lists', 'Household waste collection days'])
    const both = await calendar({ publisher: ['manchester'], theme: ['TRAN'] })
    expect(both.overdue).toEqual([])
    expect(entryTitles(both.upcoming.items)).toEqual(['Bus route changes'])
  })
})
