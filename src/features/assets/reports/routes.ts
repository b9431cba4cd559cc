import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import jointProcurementRoutes from './joint-procurement-routes.js'
import underusedRoutes from './underused-routes.js'

/** The register's reports across bodies: underused capital and joint procurement (issue 6). */
const assetReportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(underusedRoutes)
  await app.register(jointProcurementRoutes)
}

export default assetReportRoutes
