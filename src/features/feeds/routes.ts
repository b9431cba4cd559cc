import { todayInUk } from '../../platform/uk-date.js'
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { addMonths } from '../datasets/dates.js'
import { filtersFrom, values } from '../datasets/search-routes.js'
import { labelOf, THEMES } from '../datasets/vocabularies.js'
import { atomXml } from './atom.js'
import { datasetEntry, releaseChangeEntry } from './atom-entries.js'
import { icalendarChunks } from './icalendar.js'
import { recentReleaseChanges, releaseFeedFilters, releasesPlannedSince, type ReleaseFeedFilters } from './release-queries.js'

/*
 * Feeds for readers and calendar apps: new and changed declarations and release events as Atom,
 * and planned releases as iCalendar. Each takes the same query string as the page it follows, so
 * "subscribe" on a filtered page subscribes to that filter.
 */

const FEED_SIZE = 50
/** Past releases a calendar keeps showing: those of the last year, plus every one to come. */
const CALENDAR_MONTHS_BACK = 12
const CACHE_CONTROL = 'public, max-age=300'
const ATOM_TYPE = 'application/atom+xml; charset=utf-8'
const ICS_TYPE = 'text/calendar; charset=utf-8'

/** `?a=1&b=2&b=3` from the filters as applied, or '' when there are none. */
function queryOf(params: Record<string, string | string[] | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : value ? [value] : []) search.append(key, v)
  const text = search.toString()
  return text ? `?${text}` : ''
}

const feedsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasetSearch, organisations, db, config } = app.services
  const { baseUrl } = config
  const host = new URL(baseUrl).hostname
  const author = { name: 'Local Government Digital Service', uri: baseUrl }

  /** What a filtered calendar holds, for its name in the subscriber's list: "Leeds City Council · Transport". */
  async function scopeOf(filters: ReleaseFeedFilters): Promise<string | undefined> {
    const publishers = await Promise.all(filters.publisher.map((slug) => organisations.getBySlug(slug).then((o) => o.name, () => undefined)))
    const parts = [...publishers.filter((name) => name !== undefined), ...filters.theme.map((code) => labelOf(THEMES, code))]
    return parts.length > 0 ? parts.join(' · ') : undefined
  }

  app.get('/datasets.atom', async (request, reply) => {
    const result = await datasetSearch.search(filtersFrom(request.query as Record<string, unknown>), { page: 1, pageSize: FEED_SIZE }, 'updated')
    const qs = queryOf({ ...result.filters, q: result.filters.q || undefined })
    const xml = atomXml({
      id: `${baseUrl}/datasets.atom${qs}`,
      title: result.filters.q ? `New and changed datasets matching “${result.filters.q}”` : 'New and changed datasets',
      subtitle: 'Datasets declared by public bodies, newest change first',
      updated: result.items[0]?.updatedAt ?? new Date().toISOString(),
      self: `${baseUrl}/datasets.atom${qs}`,
      alternate: `${baseUrl}/datasets${qs}`,
      author,
      entries: result.items.map((item) => datasetEntry(item, baseUrl, host)),
    })
    return reply.type(ATOM_TYPE).header('cache-control', CACHE_CONTROL).send(xml)
  })

  app.get('/datasets/releases.atom', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const filters = releaseFeedFilters({ publisher: values(query.publisher), theme: values(query.theme) })
    const changes = await recentReleaseChanges(db, filters, FEED_SIZE)
    const qs = queryOf({ ...filters })
    const xml = atomXml({
      id: `${baseUrl}/datasets/releases.atom${qs}`,
      title: 'Data releases: released, moved and cancelled',
      subtitle: 'Planned releases of data as they happen, newest first',
      updated: changes[0]?.changed_at ?? new Date().toISOString(),
      self: `${baseUrl}/datasets/releases.atom${qs}`,
      alternate: `${baseUrl}/datasets/releases${qs}`,
      author,
      entries: changes.map((row) => releaseChangeEntry(row, baseUrl, host)),
    })
    return reply.type(ATOM_TYPE).header('cache-control', CACHE_CONTROL).send(xml)
  })

  app.get('/datasets/releases.ics', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const filters = releaseFeedFilters({ publisher: values(query.publisher), theme: values(query.theme) })
    const today = todayInUk()
    const since = addMonths(`${today.slice(0, 7)}-01`, -CALENDAR_MONTHS_BACK)
    const selfUrl = `${baseUrl}/datasets/releases.ics${queryOf({ ...filters })}`
    const scope = await scopeOf(filters)
    const body = Readable.from(icalendarChunks(releasesPlannedSince(db, filters, since), { baseUrl, selfUrl, ...(scope ? { scope } : {}) }), { objectMode: false })
    return reply.type(ICS_TYPE).header('cache-control', CACHE_CONTROL).send(body)
  })
}

export default feedsRoutes
