import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import checkApiRoutes from './api-routes.js'
import checkPageRoutes from './page-routes.js'
import checkSearchesRoutes from './searches-routes.js'

/** "Check before you buy": the search page, the record of searches, and the API. */
const purchaseCheckRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(checkPageRoutes)
  await app.register(checkSearchesRoutes)
  await app.register(checkApiRoutes)
}

export default purchaseCheckRoutes
