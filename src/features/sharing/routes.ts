import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import sharingApiRoutes from './api-routes.js'
import offerRoutes from './offer-routes.js'
import requestRoutes from './request-routes.js'
import savingsRoutes from './savings-routes.js'

/** Sharing assets between public bodies: offers, requests, savings, and their API. */
const sharingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(offerRoutes)
  await app.register(requestRoutes)
  await app.register(savingsRoutes)
  await app.register(sharingApiRoutes)
}

export default sharingRoutes
