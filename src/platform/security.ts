import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import cookie from '@fastify/cookie'
import session from '@fastify/session'
import csrf from '@fastify/csrf-protection'
import rateLimit from '@fastify/rate-limit'
import type { Config } from '../config.js'
import { DatabaseSessionStore } from './session-store.js'
import type { Db } from '../db/connection.js'

export const SESSION_COOKIE = 'lgds_session'
const SESSION_TTL_MS = 8 * 60 * 60 * 1000
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Whether a request belongs to the JSON API, which authenticates by bearer token, never cookie. */
export function isApiRequest(url: string): boolean {
  return url.startsWith('/api/')
}

/**
 * Headers, sessions, CSRF and rate limiting. The API ignores cookies entirely (it is
 * authenticated by bearer token), so a browser's session can never be used to call it and it
 * needs no CSRF token; every page form does.
 */
export default fp(async (app, options: { config: Config; db: Db }) => {
  const { config } = options
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // The asset map's tiles come from the configured tile server.
        imgSrc: ["'self'", 'data:', config.map.tileSource],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.baseUrl.startsWith('https://') ? [] : null,
      },
    },
    strictTransportSecurity: config.baseUrl.startsWith('https://') ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  })
  await app.register(cookie)
  const store = new DatabaseSessionStore(options.db.kysely)
  await app.register(session, {
    cookieName: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: '/', maxAge: SESSION_TTL_MS },
  })
  await app.register(csrf, {
    sessionPlugin: '@fastify/session',
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined
      return (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? (request.headers['csrf-token'] as string | undefined)
    },
  })
  await app.register(rateLimit, { global: false })

  app.addHook('preHandler', (request, reply, done) => {
    if (UNSAFE_METHODS.has(request.method) && !isApiRequest(request.url)) {
      app.csrfProtection(request, reply, done)
    } else {
      done()
    }
  })

  const prune = setInterval(() => store.prune().catch((error) => app.log.warn({ err: error }, 'session prune failed')), 60 * 60 * 1000)
  prune.unref()
  app.addHook('onClose', async () => clearInterval(prune))
})
