import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ProblemSchema } from '../../../platform/problem-schema.js'
import { csvCell } from '../../datasets/audit-routes.js'
import { COVERAGE_SORTS, assetCoverage, percentOf, sortCoverage, type Coverage, type CoverageCounts, type CoverageRow, type CoverageSort } from './coverage.js'
import { withQuery } from './query.js'
import type { AssetSearch } from './search.js'

/*
 * The £1,000 rule's progress, for each body and the whole public sector: a sortable table, the
 * same as CSV, and as JSON.
 */

const COLUMNS: { key: CoverageSort; text: string; numeric: boolean }[] = [
  { key: 'name', text: 'Body', numeric: false },
  { key: 'counted', text: 'Assets worth £1,000 or more', numeric: true },
  { key: 'categorised', text: 'Categorised', numeric: true },
  { key: 'mapped', text: 'Mapped', numeric: true },
  { key: 'both', text: 'Categorised and mapped', numeric: true },
]

const CoverageQuery = Type.Object({
  sort: Type.Optional(Type.Enum(COVERAGE_SORTS, { description: 'name (the default), counted, or the share categorised, mapped or both' })),
  direction: Type.Optional(Type.Enum(['asc', 'desc'])),
})

const Counts = {
  counted: Type.Integer({ description: 'Assets worth £1,000 or more (current value, else acquisition cost), not disposed of' }),
  categorised: Type.Integer({ description: 'Of those, with an asset class and a CPV code' }),
  mapped: Type.Integer({ description: 'Of those, with a location' }),
  both: Type.Integer({ description: 'Of those, categorised and mapped' }),
  percentComplete: Type.Union([Type.Integer(), Type.Null()], { description: 'both as a share of counted, rounded down; null when nothing counts' }),
}

const CoverageSchema = Type.Object({
  total: Type.Object({ bodies: Type.Integer(), recorded: Type.Integer(), ...Counts }),
  bodies: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), recorded: Type.Integer({ description: 'Every asset the body has recorded' }), ...Counts })),
})

function options(query: Record<string, unknown>): { sort: CoverageSort; direction: 'asc' | 'desc' } {
  const sort = COVERAGE_SORTS.find((s) => s === query.sort) ?? 'name'
  const direction = query.direction === 'desc' || query.direction === 'asc' ? query.direction : sort === 'name' ? 'asc' : 'desc'
  return { sort, direction }
}

const withPercent = <T extends CoverageCounts>(row: T) => ({ ...row, percentComplete: percentOf(row.both, row.counted) })

function view(row: CoverageRow | Coverage['total']) {
  const cell = (n: number) => ({ count: n, percent: percentOf(n, row.counted) })
  return { ...row, categorised: cell(row.categorised), mapped: cell(row.mapped), both: cell(row.both) }
}

const coverageRoutes: FastifyPluginAsyncTypebox<{ search: AssetSearch }> = async (app, { search }) => {
  app.get('/assets/coverage', async (request, reply) => {
    const { sort, direction } = options(request.query as Record<string, unknown>)
    const coverage = await assetCoverage(search)
    const head = COLUMNS.map((column) => {
      const active = sort === column.key
      const next = active ? (direction === 'asc' ? 'desc' : 'asc') : column.key === 'name' ? 'asc' : 'desc'
      return { ...column, ariaSort: active ? (direction === 'asc' ? 'ascending' : 'descending') : undefined, href: withQuery('/assets/coverage', { sort: column.key, direction: next }) }
    })
    return reply.render('assets/search/templates/coverage.njk', {
      title: 'Categorised and mapped: the £1,000 rule',
      total: view(coverage.total),
      rows: sortCoverage(coverage.rows, sort, direction).map(view),
      head,
      csvHref: withQuery('/assets/coverage.csv', { sort, direction }),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
      ],
    })
  })

  app.get('/assets/coverage.csv', async (request, reply) => {
    const { sort, direction } = options(request.query as Record<string, unknown>)
    const coverage = await assetCoverage(search)
    const header = ['body', 'slug', 'assets_recorded', 'assets_1000_or_more', 'categorised', 'mapped', 'categorised_and_mapped', 'percent_complete']
    const line = (name: string, slug: string, row: CoverageCounts & { recorded: number }) =>
      [name, slug, row.recorded, row.counted, row.categorised, row.mapped, row.both, percentOf(row.both, row.counted)].map(csvCell).join(',')
    const lines = [header.join(','), ...sortCoverage(coverage.rows, sort, direction).map((r) => line(r.name, r.slug, r)), line('All public bodies', '', coverage.total)]
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="asset-coverage.csv"').send(`${lines.join('\r\n')}\r\n`)
  })

  app.get(
    '/api/v1/assets/coverage',
    {
      schema: {
        tags: ['Assets'],
        summary: 'The £1,000 rule: how many assets worth £1,000 or more each body has categorised and mapped',
        querystring: CoverageQuery,
        response: { 200: CoverageSchema, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { sort, direction } = options(request.query)
      const coverage = await assetCoverage(search)
      return { total: withPercent(coverage.total), bodies: sortCoverage(coverage.rows, sort, direction).map(withPercent) }
    },
  )
}

export default coverageRoutes
