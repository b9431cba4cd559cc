import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageRequest, paginationComponent } from '../../../platform/pagination.js'
import { ProblemSchema } from '../../../platform/problem-schema.js'
import { formErrors, formatDate } from '../../../platform/views.js'
import { csvCell } from '../../datasets/audit-routes.js'
import { penceInput } from '../money.js'
import { withQuery } from '../search/query.js'
import { assetSearchFor } from '../search/search.js'
import { CPV_LEVELS, DEFAULT_LEVEL, DEFAULT_MIN_BODIES, DEFAULT_YEARS, HORIZONS, replacementDemand, type CleanReplacementFilters, type DemandGroup, type ReplacementDemand } from './joint-procurement.js'
import { leniently, replacementInput } from './query.js'
import { ReplacementQuery, ReplacementSchema } from './schemas.js'
import { money } from './underused-view.js'

const GROUPS_PAGE_SIZE = 50
/** Bodies named in a row of the page's table; the CSV and the API name them all. */
const BODIES_NAMED = 10

export const REPLACEMENT_COLUMNS = ['cpv_code', 'cpv_label', 'region', 'assets', 'replacement_value_gbp', 'not_valued', 'bodies', 'body_names', 'body_slugs', 'earliest_end_of_life'] as const

/** The filters as query parameters, leaving out the defaults. */
function params(filters: CleanReplacementFilters): Record<string, string | undefined> {
  return {
    years: filters.years === DEFAULT_YEARS ? undefined : String(filters.years),
    level: filters.level === DEFAULT_LEVEL ? undefined : filters.level,
    minBodies: filters.minBodies === DEFAULT_MIN_BODIES ? undefined : String(filters.minBodies),
  }
}

function csvOf(demand: ReplacementDemand): string {
  const line = (g: DemandGroup) =>
    [g.cpvCode, g.cpvLabel, g.regionLabel, g.count, penceInput(g.replacementCostPence), g.unvalued, g.bodies.length, g.bodies.map((b) => b.name).join('; '), g.bodies.map((b) => b.slug).join(' '), g.earliestEndOfLife]
      .map(csvCell)
      .join(',')
  return `${[REPLACEMENT_COLUMNS.join(','), ...demand.groups.map(line)].join('\r\n')}\r\n`
}

/*
 * Joint procurement: what reaches the end of its useful life soon, grouped by CPV code and
 * region across bodies. The page (choices as a GET form), the CSV and the API.
 */
const jointProcurementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { index } = assetSearchFor(app.services.db)

  app.get('/assets/joint-procurement', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const read = replacementInput(query)
    const { result: demand, errors } = await leniently(read.input, read.errors, (input) => replacementDemand(index, input))
    const { filters } = demand
    const page = pageRequest({ page: query.page, pageSize: GROUPS_PAGE_SIZE })
    const groups = demand.groups.slice((page.page - 1) * page.pageSize, page.page * page.pageSize)
    const bodyChoices = [
      { value: '2', text: 'Only where two or more bodies need the same thing', hint: { text: 'Where buying together pays' } },
      { value: '1', text: 'Every group, including those of a single body' },
      ...(filters.minBodies > 2 ? [{ value: String(filters.minBodies), text: `Only where ${filters.minBodies} or more bodies need the same thing` }] : []),
    ]
    return reply.status(errors.length > 0 ? 400 : 200).render('assets/reports/templates/joint-procurement.njk', {
      title: page.page > 1 ? `Joint procurement (page ${page.page})` : 'Joint procurement',
      ...(errors.length > 0 ? { errors: formErrors(errors) } : {}),
      filters,
      from: formatDate(filters.from),
      until: formatDate(filters.until),
      levelLabel: CPV_LEVELS.find((l) => l.code === filters.level)!.label,
      yearsItems: HORIZONS.map((y) => ({ value: String(y), text: y === 1 ? '1 year' : `${y} years`, checked: y === filters.years })),
      levelItems: CPV_LEVELS.map((l) => ({ value: l.code, text: l.label, selected: l.code === filters.level })),
      minBodiesItems: bodyChoices.map((c) => ({ ...c, checked: c.value === String(filters.minBodies) })),
      total: { ...demand.total, replacementValue: money(demand.total.replacementCostPence) },
      due: demand.due,
      withoutCpv: demand.withoutCpv,
      groups: groups.map((g) => ({
        ...g,
        replacementValue: money(g.replacementCostPence),
        earliest: formatDate(g.earliestEndOfLife),
        named: g.bodies.slice(0, BODIES_NAMED),
        more: Math.max(0, g.bodies.length - BODIES_NAMED),
      })),
      groupsFrom: (page.page - 1) * page.pageSize + 1,
      pagination: paginationComponent({ items: groups, total: demand.groups.length, ...page }, '/assets/joint-procurement', params(filters)),
      csvHref: withQuery('/assets/joint-procurement.csv', params(filters)),
      apiHref: withQuery('/api/v1/assets/replacement-demand', params(filters)),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
      ],
    })
  })

  app.get('/assets/joint-procurement.csv', async (request, reply) => {
    const demand = await replacementDemand(index, replacementInput(request.query as Record<string, unknown>).input)
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="joint-procurement.csv"').send(csvOf(demand))
  })

  app.get(
    '/api/v1/assets/replacement-demand',
    {
      schema: {
        tags: ['Assets'],
        summary: 'Joint procurement: assets reaching the end of their useful life soon, grouped by CPV code and region across bodies',
        description:
          'Assets not disposed of whose useful life (from their acquisition date) ends in the window, grouped by their CPV code at the level chosen and the owning body’s region, most replacement value first. Assets with no CPV code are counted in `withoutCpv`, in no group. The groups’ figures add up to `total`.',
        querystring: ReplacementQuery,
        response: { 200: ReplacementSchema, 400: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request) => {
      const { page = 1, pageSize = 100, ...input } = request.query
      const demand = await replacementDemand(index, input)
      const { filters, total, due, withoutCpv } = demand
      return { filters, total, due, withoutCpv, page, pageSize, groups: demand.groups.slice((page - 1) * pageSize, page * pageSize) }
    },
  )
}

export default jointProcurementRoutes
