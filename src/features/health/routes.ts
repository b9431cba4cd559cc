import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ping } from '../../db/connection.js'

const Status = Type.Object({ status: Type.String() })

/** Liveness (`/health`: the process answers) and readiness (`/ready`: the database answers too). */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', { schema: { response: { 200: Status } }, logLevel: 'warn' }, async () => ({ status: 'ok' }))

  app.get('/ready', { schema: { response: { 200: Status, 503: Status } }, logLevel: 'warn' }, async (_request, reply) => {
    if (await ping(app.services.db)) return { status: 'ok' }
    return reply.status(503).send({ status: 'database unavailable' })
  })
}

export default healthRoutes
