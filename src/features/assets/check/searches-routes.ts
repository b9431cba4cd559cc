import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageRequest, paginationComponent } from '../../../platform/pagination.js'
import { formatDate } from '../../../platform/views.js'
import { csvCell } from '../../datasets/audit-routes.js'
import { formatPence } from '../money.js'
import { first } from '../search/query.js'
import type { UnmetDemand } from './service.js'
import { OUTCOME_LABELS, searchHref, SEARCHES_PATH, searchWhat } from './views.js'

const CSV_COLUMNS = ['cpv_code', 'cpv_label', 'asset_class', 'region', 'searches_ending_in_purchase', 'bodies', 'estimated_spend_pence', 'searches_with_estimate']
const LINES_PER_PAGE = 50

/*
 * The record of "check before you buy" searches: where demand goes unmet (open to everyone, as
 * counts), and a body's own recent searches (for its members).
 */
const checkSearchesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { purchaseChecks } = app.services

  app.get(SEARCHES_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const page = pageRequest(query, LINES_PER_PAGE)
    const { lines, total } = await purchaseChecks.unmetDemand(page)
    const bodies = await purchaseChecks.bodiesOf(request.actor)
    const bodySlug = first(query.body)
    const body = bodies.find((b) => b.slug === bodySlug) ?? bodies[0]
    const recent = body && request.actor.kind === 'user' ? await purchaseChecks.searchesOf(request.actor, body.id, { page: 1, pageSize: 20 }) : null
    return reply.render('assets/check/templates/searches.njk', {
      title: page.page > 1 ? `Where demand goes unmet (page ${page.page})` : 'Where demand goes unmet',
      total: { ...total, spend: formatPence(total.estimatedSpendPence, { wholePounds: true }) },
      lines: lines.items.map(lineView),
      linesTotal: lines.total,
      pagination: paginationComponent(lines, SEARCHES_PATH, { body: bodySlug }),
      bodies: bodies.map((b) => ({ value: b.slug, text: b.name, selected: b.slug === body?.slug })),
      body,
      recent: recent?.items.map((s) => ({
        date: formatDate(s.createdAt),
        what: searchWhat(s),
        results: s.resultCount,
        outcome: s.outcome ? OUTCOME_LABELS[s.outcome] : 'Not recorded',
        cost: s.estimatedCostPence === null ? '' : formatPence(s.estimatedCostPence, { wholePounds: true }),
        againHref: searchHref(s, body!.slug),
        recordHref: s.outcome === 'purchased' ? null : `${SEARCHES_PATH}/${s.id}/purchased`,
      })),
      recentTotal: recent?.total ?? 0,
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
        { text: 'Check before you buy', href: '/assets/check-before-you-buy' },
      ],
    })
  })

  app.get(`${SEARCHES_PATH}.csv`, async (_request, reply) => {
    const { lines } = await purchaseChecks.unmetDemand()
    const rows = lines.items.map((l) => [l.cpvCode, l.cpvLabel, l.assetClass, l.region, l.searches, l.bodies, l.estimatedSpendPence, l.estimates].map(csvCell).join(','))
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="unmet-demand.csv"')
      .send(`${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`)
  })
}

function lineView(line: UnmetDemand) {
  return {
    what: line.cpvCode ? `${line.cpvCode} ${line.cpvLabel ?? ''}`.trim() : line.assetClassLabel ? `Asset class: ${line.assetClassLabel}` : 'Not described',
    region: line.region ?? 'No region recorded',
    searches: line.searches,
    bodies: line.bodies,
    spend: line.estimates > 0 ? formatPence(line.estimatedSpendPence, { wholePounds: true }) : 'Not estimated',
    estimates: line.estimates,
  }
}

export default checkSearchesRoutes
