import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { pageRequest, paginationComponent } from '../../platform/pagination.js'
import { formatPlannedDate } from './dates.js'
import { releaseCalendar, type CalendarEntry, type ReleaseCalendar } from './calendar.js'
import { Dataset, Release } from './schemas.js'
import { DUE_WITHIN, SORTS, type DatasetFilters, type DatasetSearchItem, type DatasetSearchResult, type DatasetSort, type FacetValue } from './search.js'
import { ACCESS_LEVELS, DATASET_STATUSES, LICENCES, RELEASE_STATES, THEMES, labelOf, type DatasetStatus, type ReleaseState } from './vocabularies.js'

/*
 * Finding data: the search page with its facets, the release calendar, and the same two for
 * machines. Every state of both pages is a GET query string, so it can be shared and needs no
 * JavaScript.
 */

const STATUS_TAG_CLASSES: Record<DatasetStatus, string> = {
  declared: 'govuk-tag--grey',
  scheduled: '',
  published: 'govuk-tag--green',
  withdrawn: 'govuk-tag--red',
}
const RELEASE_TAG_CLASSES: Partial<Record<ReleaseState, string>> = { provisional: 'govuk-tag--yellow', confirmed: '' }
const OVERDUE_TAG = { text: 'Overdue', classes: 'govuk-tag--red' }

const codes = (list: { code: string }[]) => list.map((e) => e.code)
const many = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string) =>
  Type.Optional(Type.Array(item, { maxItems: 50, description: `${description} Repeat the parameter for more than one; any of them matches.` }))

export const DatasetSearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words in the title, description, keywords or publisher’s name; every word must match, the last may be the start of a word' })),
  publisher: many(Type.String({ maxLength: 100 }), 'Slug of the publishing body, like `trafford`.'),
  theme: many(Type.Enum(codes(THEMES)), 'EU data-theme code.'),
  status: many(Type.Enum(codes(DATASET_STATUSES)), 'Lifecycle status.'),
  access: many(Type.Enum(codes(ACCESS_LEVELS)), 'Access level.'),
  format: many(Type.String({ maxLength: 20 }), 'Format of a distribution, like `CSV`.'),
  licence: many(Type.Enum(codes(LICENCES)), 'Licence code.'),
  due: Type.Optional(Type.Enum(codes(DUE_WITHIN), { description: 'Only datasets whose next release is due within the next month, quarter (3 months) or year' })),
  sort: Type.Optional(Type.Enum(codes(SORTS), { description: 'relevance (the default with `q`), title (the default without), updated (newest first) or next-release' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

const Publisher = Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() })
const FacetValueSchema = Type.Object({
  value: Type.String({ description: 'What to send as the filter parameter' }),
  label: Type.String(),
  count: Type.Integer({ description: 'Datasets matching everything else chosen, plus this value' }),
  selected: Type.Boolean(),
})
const Facet = Type.Array(FacetValueSchema)

export const DatasetSearchPage = Type.Object({
  items: Type.Array(
    Type.Object({
      ...Dataset.properties,
      publisher: Publisher,
      overdue: Type.Boolean({ description: 'A planned release has passed unreleased' }),
    }),
  ),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  sort: Type.String({ description: 'The order applied' }),
  facets: Type.Object(
    {
      publisher: Type.Array(Type.Object({ ...FacetValueSchema.properties, ...Publisher.properties }), { description: 'The 20 bodies with most matches, and any chosen' }),
      theme: Facet,
      status: Facet,
      access: Facet,
      format: Facet,
      licence: Facet,
      due: Facet,
    },
    { description: 'Counts for each filter value. A facet’s counts ignore its own filter, so they show what choosing another value would give' },
  ),
})

export const ReleaseCalendarQuery = Type.Object({
  publisher: many(Type.String({ maxLength: 100 }), 'Slug of the publishing body.'),
  theme: many(Type.Enum(codes(THEMES)), 'EU data-theme code.'),
  from: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'First month, like 2027-03 (default: this month). Overdue releases come only with this month' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
})

const CalendarEntrySchema = Type.Object({
  release: Release,
  dataset: Type.Object({ id: Type.String(), title: Type.String(), status: Type.String() }),
  publisher: Publisher,
})

export const ReleaseCalendarPage = Type.Object({
  from: Type.String({ description: 'First month of the window' }),
  until: Type.String({ description: 'Last month of the window' }),
  overdue: Type.Array(CalendarEntrySchema, { description: 'Up to 100, longest overdue first; only when the window starts this month' }),
  overdueTotal: Type.Integer(),
  items: Type.Array(CalendarEntrySchema, { description: 'Releases planned in the window, soonest first' }),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  later: Type.Optional(Type.String({ description: 'The `from` of the next window, when anything is planned after this one' })),
  earlier: Type.Optional(Type.String({ description: 'The `from` of the previous window' })),
})

/** Query-string values as a list, however many times the parameter was given. */
/** Query-string values as a list, however many times the parameter was given. */
export function values(value: unknown): string[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map(String).filter((v) => v.trim() !== '')
}

function first(value: unknown): string | undefined {
  return values(value)[0]
}

/** The search page's filters from its query string (feeds of the page take the same). */
export function filtersFrom(query: Record<string, unknown>): DatasetFilters {
  const due = first(query.due)
  return {
    q: first(query.q),
    publisher: values(query.publisher),
    theme: values(query.theme),
    status: values(query.status),
    access: values(query.access),
    format: values(query.format),
    licence: values(query.licence),
    ...(due ? { due: due as DatasetFilters['due'] } : {}),
  }
}

function sortFrom(value: unknown): DatasetSort | undefined {
  const sort = first(value)
  return SORTS.find((s) => s.code === sort)?.code
}

const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasetSearch, db } = app.services

  // ---- pages ----

  app.get('/datasets', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const requestedSort = sortFrom(query.sort)
    const result = await datasetSearch.search(filtersFrom(query), pageRequest(query), requestedSort)
    const { filters } = result
    // The links keep the sort only when it was chosen, so a new search still ranks by relevance.
    const state = { ...filters, sort: requestedSort, pageSize: first(query.pageSize) }
    const heading = filters.q ? `Datasets matching “${filters.q}”` : 'Find data'
    return reply.render('datasets/templates/search.njk', {
      title: result.page > 1 ? `${heading} (page ${result.page})` : heading,
      result,
      filters,
      items: result.items.map(resultView),
      facetGroups: facetGroups(result),
      chosenCount: ['publisher', 'theme', 'status', 'access', 'format', 'licence'].reduce((n, k) => n + (filters[k as 'theme'].length > 0 ? 1 : 0), filters.due ? 1 : 0),
      sortItems: SORTS.filter((s) => s.code !== 'relevance' || result.terms.length > 0).map((s) => ({ value: s.code, text: s.label, selected: s.code === result.sort })),
      // The sort has a form of its own, so a new search ranks by relevance unless an order was chosen.
      sortState: hiddenFields({ ...filters, pageSize: first(query.pageSize) }),
      searchState: hiddenFields({ sort: requestedSort === 'relevance' ? undefined : requestedSort, pageSize: first(query.pageSize) }),
      clearHref: filters.q ? `/datasets?${new URLSearchParams({ q: filters.q })}` : '/datasets',
      pagination: paginationComponent(result, '/datasets', state),
      breadcrumbs: [{ text: 'Home', href: '/' }],
    })
  })

  app.get('/datasets/releases', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const calendar = await releaseCalendar(
      db,
      { publisher: values(query.publisher), theme: values(query.theme) },
      { from: first(query.from), page: pageRequest(query, 100) },
    )
    const filterState = { publisher: calendar.filters.publisher, theme: calendar.filters.theme }
    const link = (from: string) => `/datasets/releases?${queryString({ ...filterState, from })}`
    return reply.render('datasets/templates/releases.njk', {
      title: calendar.upcoming.page > 1 ? `Release calendar (page ${calendar.upcoming.page})` : 'Release calendar',
      calendar,
      overdue: calendar.overdue.map(entryView),
      months: calendar.months.map((m) => ({ ...m, entries: m.entries.map(entryView) })),
      publisherItems: [
        { value: '', text: 'All publishers' },
        ...calendar.publishers.map((p) => ({ value: p.slug, text: p.name, selected: calendar.filters.publisher.includes(p.slug) })),
      ],
      themeItems: [{ value: '', text: 'All themes' }, ...THEMES.map((t) => ({ value: t.code, text: t.label, selected: calendar.filters.theme.includes(t.code) }))],
      windowLabel: `${monthLabel(calendar.from)} to ${monthLabel(calendar.until)}`,
      laterHref: calendar.later ? link(calendar.later) : undefined,
      earlierHref: calendar.earlier ? link(calendar.earlier) : undefined,
      pagination: paginationComponent(calendar.upcoming, '/datasets/releases', { ...filterState, from: calendar.startsNow ? undefined : calendar.from, pageSize: first(query.pageSize) }),
      filtered: filterState.publisher.length + filterState.theme.length > 0,
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Find data', href: '/datasets' },
      ],
    })
  })

  // ---- API ----

  app.get(
    '/api/v1/datasets',
    {
      schema: {
        tags: ['Datasets'],
        summary: 'Search declared datasets, with counts for each filter',
        querystring: DatasetSearchQuery,
        response: { 200: DatasetSearchPage, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { page, pageSize, sort, ...filters } = request.query
      const result = await datasetSearch.search(filters as DatasetFilters, pageRequest({ page, pageSize }), sort as DatasetSort | undefined)
      return { items: result.items, total: result.total, page: result.page, pageSize: result.pageSize, sort: result.sort, facets: result.facets }
    },
  )

  app.get(
    '/api/v1/releases',
    {
      schema: {
        tags: ['Datasets'],
        summary: 'The release calendar: overdue releases and those planned in a twelve-month window',
        querystring: ReleaseCalendarQuery,
        response: { 200: ReleaseCalendarPage, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { page, pageSize, from, ...filters } = request.query
      const calendar = await releaseCalendar(db, filters, { ...(from ? { from } : {}), page: pageRequest({ page, pageSize }, 100) })
      return calendarJson(calendar)
    },
  )
}

function calendarJson(calendar: ReleaseCalendar) {
  return {
    from: calendar.from,
    until: calendar.until,
    overdue: calendar.overdue,
    overdueTotal: calendar.overdueTotal,
    ...calendar.upcoming,
    ...(calendar.later ? { later: calendar.later } : {}),
    ...(calendar.earlier ? { earlier: calendar.earlier } : {}),
  }
}

function resultView(item: DatasetSearchItem) {
  return {
    ...item,
    statusTag: { text: labelOf(DATASET_STATUSES, item.status), classes: STATUS_TAG_CLASSES[item.status] },
    themeLabels: item.themes.map((code) => labelOf(THEMES, code)).join(', '),
    accessLabel: labelOf(ACCESS_LEVELS, item.accessLevel),
  }
}

function entryView(entry: CalendarEntry) {
  const { release } = entry
  return {
    ...entry,
    stateTag: { text: labelOf(RELEASE_STATES, release.state), classes: RELEASE_TAG_CLASSES[release.state] ?? '' },
    overdueTag: release.overdue ? OVERDUE_TAG : undefined,
    moved: release.firstLabel !== release.label ? release.firstLabel : undefined,
  }
}

const FACET_LEGENDS: [keyof DatasetSearchResult['facets'], string][] = [
  ['publisher', 'Publisher'],
  ['theme', 'Theme'],
  ['status', 'Status'],
  ['access', 'Access'],
  ['format', 'Format'],
  ['licence', 'Licence'],
]

/** The checkbox groups of the filter column, and the radios for when a release is due. */
function facetGroups(result: DatasetSearchResult) {
  const item = (v: FacetValue) => ({ value: v.value, text: `${v.label} (${v.count.toLocaleString('en-GB')})`, checked: v.selected })
  const groups: { name: string; legend: string; kind: 'checkboxes' | 'radios'; items: object[] }[] = FACET_LEGENDS.filter(([name]) => result.facets[name].length > 0).map(([name, legend]) => ({
    name,
    legend,
    kind: 'checkboxes',
    items: result.facets[name].map(item),
  }))
  groups.push({
    name: 'due',
    legend: 'Next release due',
    kind: 'radios',
    items: [{ value: '', text: 'Any time', checked: !result.filters.due }, ...DUE_WITHIN.map((d) => item(result.facets.due.find((v) => v.value === d.code) ?? { value: d.code, label: d.label, count: 0, selected: false }))],
  })
  return groups
}

/** Name and value pairs for hidden inputs that carry the rest of the page's state. */
function hiddenFields(state: Record<string, string | string[] | undefined>): { name: string; value: string }[] {
  return Object.entries(state).flatMap(([name, value]) => (Array.isArray(value) ? value : value ? [value] : []).map((v) => ({ name, value: v })))
}

function monthLabel(month: string): string {
  return formatPlannedDate({ date: `${month}-01`, precision: 'month' })
}

function queryString(params: Record<string, string | string[] | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : value ? [value] : []) search.append(key, v)
  return search.toString()
}

export default searchRoutes
