import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

const homeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', async (_request, reply) => {
    const organisationCount = await app.services.organisations.count()
    return reply.render('home/templates/home.njk', { title: 'Local Government Digital Service', organisationCount })
  })

  app.get('/accessibility', async (_request, reply) => reply.render('home/templates/accessibility.njk', { title: 'Accessibility statement' }))
}

export default homeRoutes
