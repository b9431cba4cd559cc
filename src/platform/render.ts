import fp from 'fastify-plugin'
import type { FastifyReply } from 'fastify'
import { createViewEnvironment } from './views.js'
import { navigationFor } from './navigation.js'

/**
 * The CSRF token is made only if the page has a form that prints it: making one stores a secret
 * in the session, and browsing anonymously should not create a session row per page view.
 */
function lazyCsrfToken(reply: FastifyReply): { toString(): string } {
  let token: string | undefined
  return { toString: () => (token ??= reply.generateCsrf()) }
}

/** Adds `reply.render(template, context)` with what every page needs in its context. */
export default fp(async (app, options: { reloadTemplates?: boolean }) => {
  const env = createViewEnvironment(options)
  app.decorateReply('render', function render(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const request = this.request
    const actor = request.actor
    const session = request.session
    let flash: string | undefined
    if (session?.flash) {
      flash = session.flash
      session.flash = undefined
    }
    const html = env.render(template, {
      ...context,
      currentUser: actor?.kind === 'user' ? actor : undefined,
      csrfToken: session ? lazyCsrfToken(this) : undefined,
      cspNonce: this.cspNonce?.script,
      currentPath: request.url.split('?')[0],
      serviceNavigation: navigationFor(request.url.split('?')[0] ?? '/'),
      flash: context.flash ?? flash,
    })
    return this.type('text/html; charset=utf-8').send(html)
  })
})
