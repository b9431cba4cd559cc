import fp from 'fastify-plugin'
import { UnauthenticatedError } from './errors.js'
import { isApiRequest } from './security.js'

/** Works out who is asking, once per request, before any route runs. */
export default fp(async (app) => {
  app.decorateRequest('actor', null as never)
  app.addHook('onRequest', async (request) => {
    const requestId = String(request.id)
    // CKAN's Action API only reads public data: it takes no token, and CKAN clients' API keys mean nothing here.
    if (/^\/api\/(3\/)?action\//.test(request.url)) {
      request.actor = { kind: 'anonymous', requestId }
      return
    }
    if (isApiRequest(request.url)) {
      const header = request.headers.authorization
      if (!header) {
        // Every API write needs a token: say so before the body is even validated.
        if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') {
          throw new UnauthenticatedError('Send a write token as Authorization: Bearer …')
        }
        request.actor = { kind: 'anonymous', requestId }
        return
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header)
      const actor = match ? await app.services.accounts.actorForToken(match[1]!, requestId) : undefined
      if (!actor) throw new UnauthenticatedError('The API token is not valid or has been revoked')
      request.actor = actor
      return
    }
    const userId = request.session?.userId
    const actor = userId ? await app.services.accounts.actorForUser(userId, requestId) : undefined
    if (userId && !actor) request.session.userId = undefined
    request.actor = actor ?? { kind: 'anonymous', requestId }
  })
})
