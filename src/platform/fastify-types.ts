import type { Actor } from './actor.js'
import type { Services } from '../services.js'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
  }
  interface FastifyRequest {
    /** Who is asking: resolved from the session (pages) or the bearer token (API). */
    actor: Actor
  }
  interface FastifyReply {
    /** Renders a Nunjucks page with the layout's shared context (user, CSRF token, nonce…). */
    render(template: string, context?: Record<string, unknown>): FastifyReply
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    userId?: string
    /** A one-off success message shown on the next page. */
    flash?: string
  }
}
