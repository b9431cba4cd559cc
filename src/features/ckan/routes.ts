import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../platform/errors.js'
import { ckanActions } from './actions.js'
import { CkanActionError, CkanBadRequest } from './params.js'

const JSON_TYPE = 'application/json;charset=utf-8'
const PREFIXES = ['/api/3/action', '/api/action']

interface ActionParams {
  action: string
}

/*
 * CKAN's Action API, read side: `/api/3/action/{name}` by GET (query string) or POST (JSON or
 * form body), answering in CKAN's envelope and with CKAN's errors rather than the platform's
 * problem+json, so CKAN clients and harvesters read it as they would a CKAN site.
 */
const ckanRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const actions = ckanActions(app.services)
  const baseUrl = app.services.config.baseUrl
  const helpUrl = (name: string) => `${baseUrl}/api/3/action/help_show?name=${encodeURIComponent(name)}`

  // CKAN reads an empty body as no parameters, and reports JSON it cannot read in its own words.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body).trim()
    if (text === '') return done(null, {})
    try {
      done(null, JSON.parse(text))
    } catch (error) {
      done(new CkanBadRequest(`JSON Error: ${(error as Error).message}`), undefined)
    }
  })

  // Browser tools read CKAN sites from other origins.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('access-control-allow-origin', '*')
    reply.header('cross-origin-resource-policy', 'cross-origin')
    return payload
  })

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const action = (request.params as Partial<ActionParams> | undefined)?.action ?? ''
    const envelope = (status: number, body: Record<string, unknown>) =>
      reply.status(status).type(JSON_TYPE).send(JSON.stringify({ help: helpUrl(action), success: false, error: body }))
    if (error instanceof CkanActionError) return envelope(error.status, error.error)
    if (error instanceof CkanBadRequest) return reply.status(400).type(JSON_TYPE).send(JSON.stringify(error.message))
    if (error instanceof AppError && (error.status === 401 || error.status === 403)) {
      return envelope(403, { __type: 'Authorization Error', message: `Access denied: ${error.message}` })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) return reply.status(400).type(JSON_TYPE).send(JSON.stringify(`Bad request - ${error.message}`))
    request.log.error({ err: error }, 'CKAN action failed')
    return envelope(500, { __type: 'Internal Server Error', message: 'Internal Server Error' })
  })

  const run = async (request: FastifyRequest<{ Params: ActionParams }>, reply: FastifyReply) => {
    const name = request.params.action
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined
    if (!action) throw new CkanBadRequest(`Action name not known: ${name}`)
    const body = request.body
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw new CkanBadRequest(`Bad request data: Request data JSON decoded to ${JSON.stringify(body)} but it needs to be a dictionary.`)
    }
    const data = { ...(request.query as Record<string, unknown>), ...(body as Record<string, unknown> | undefined) }
    const result = await action(data)
    return reply.type(JSON_TYPE).send(JSON.stringify({ help: helpUrl(name), success: true, result }))
  }

  for (const prefix of PREFIXES) {
    app.get<{ Params: ActionParams }>(`${prefix}/:action`, run)
    app.post<{ Params: ActionParams }>(`${prefix}/:action`, run)
    app.options(`${prefix}/:action`, async (_request, reply) =>
      reply
        .status(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'Content-Type, Authorization, X-CKAN-API-Key')
        .header('access-control-max-age', '86400')
        .send(),
    )
  }
  app.get('/api/3', async (_request, reply) => reply.type(JSON_TYPE).send(JSON.stringify({ version: 3 })))
}

export default ckanRoutes
