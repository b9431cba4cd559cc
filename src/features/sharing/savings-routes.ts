import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { formatPence } from '../assets/money.js'
import { savingsCsv, type SavingsLine } from './savings.js'

/** The savings page and its CSV (the JSON is with the API routes). */
const savingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sharing } = app.services

  app.get('/assets/savings', async (_request, reply) => {
    const savings = await sharing.savings()
    const lines = <L extends SavingsLine>(items: L[], href?: (l: L) => string | undefined) => items.map((l) => ({ ...l, avoidedText: formatPence(l.avoidedPence), href: href?.(l) }))
    return reply.render('sharing/templates/savings.njk', {
      title: 'What sharing has saved',
      savings,
      totalText: formatPence(savings.total.avoidedPence),
      byBody: lines(savings.byBody, (l) => (l.slug ? `/organisations/${l.slug}` : undefined)),
      byClass: lines(savings.byClass),
      byYear: lines(savings.byYear),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
      ],
    })
  })

  app.get('/assets/savings.csv', async (_request, reply) => {
    const csv = savingsCsv(await sharing.savings())
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="sharing-savings.csv"').send(csv)
  })
}

export default savingsRoutes
