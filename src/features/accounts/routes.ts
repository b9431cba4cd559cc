import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Actor } from '../../platform/actor.js'
import { canAdminister, requireUser } from '../../platform/authorisation.js'
import { UnauthenticatedError } from '../../platform/errors.js'
import { flash, formBody, safeRedirectPath, submitForm } from '../../platform/forms.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { formErrors } from '../../platform/views.js'
import { MIN_PASSWORD_LENGTH } from './password-policy.js'

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const SlugAndId = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 100 }) })

const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, organisations, config } = app.services
  // Each attempt runs the deliberately slow password hash, so every password form is limited.
  const passwordRateLimit = (what: string) => ({
    rateLimit: {
      max: config.signInRateLimit.max,
      timeWindow: config.signInRateLimit.windowMs,
      errorResponseBuilder: (_request: unknown, context: { ttl: number }) => ({
        statusCode: 429,
        message: `Too many ${what} attempts from your connection. Wait ${Math.ceil(context.ttl / 60000)} minutes, then try again.`,
      }),
    },
  })

  // ---- sign up, sign in, sign out ----

  app.get('/sign-up', async (_request, reply) =>
    reply.render('accounts/templates/sign-up.njk', { title: 'Create an account', values: {}, minLength: MIN_PASSWORD_LENGTH }),
  )

  app.post('/sign-up', { config: passwordRateLimit('sign-up') }, async (request, reply) => {
    const values = formBody(request)
    let userId: string | undefined
    const ok = await submitForm(reply, async () => (userId = (await accounts.signUp(request.actor, values)).id), {
      template: 'accounts/templates/sign-up.njk',
      context: { title: 'Create an account', values: { ...values, password: '' }, minLength: MIN_PASSWORD_LENGTH },
    })
    if (!ok) return reply
    await request.session.regenerate()
    request.session.userId = userId
    flash(request, 'Your account has been created and you are signed in')
    return reply.redirect('/account', 303)
  })

  app.get('/sign-in', async (request, reply) => {
    const next = safeRedirectPath((request.query as { next?: string }).next, '')
    return reply.render('accounts/templates/sign-in.njk', { title: 'Sign in', values: {}, next })
  })

  app.post(
    '/sign-in',
    { config: passwordRateLimit('sign-in') },
    async (request, reply) => {
      const values = formBody(request)
      const next = safeRedirectPath(values.next, '/account')
      const fields = []
      if (!values.email?.trim()) fields.push({ name: 'email', message: 'Enter your email address' })
      if (!values.password) fields.push({ name: 'password', message: 'Enter your password' })
      const user = fields.length === 0 ? await accounts.authenticate(values.email!, values.password!) : undefined
      if (!user) {
        if (fields.length === 0) fields.push({ name: 'email', message: 'Enter a correct email address and password' })
        return reply.status(400).render('accounts/templates/sign-in.njk', {
          title: 'Sign in',
          values: { email: values.email },
          next: values.next,
          errors: formErrors(fields),
        })
      }
      // A fresh session id at sign-in, so an id planted before sign-in is worthless after it.
      await request.session.regenerate()
      request.session.userId = user.id
      request.log.info({ userId: user.id }, 'signed in')
      return reply.redirect(next, 303)
    },
  )

  app.post('/sign-out', async (request, reply) => {
    await request.session.destroy()
    return reply.redirect('/', 303)
  })

  // ---- your account ----

  app.get('/account', async (request, reply) => {
    const actor = requireUser(request.actor)
    const bodies = await organisations.findByIds(actor.memberships.map((m) => m.organisationId))
    const memberships = bodies.map((o) => ({ organisation: o, role: actor.memberships.find((m) => m.organisationId === o.id)!.role }))
    return reply.render('accounts/templates/account.njk', { title: 'Your account', user: actor, memberships })
  })

  app.get('/account/password', async (request, reply) => {
    requireUser(request.actor)
    return reply.render('accounts/templates/password.njk', { title: 'Change your password', minLength: MIN_PASSWORD_LENGTH })
  })

  app.post('/account/password', { config: passwordRateLimit('password change') }, async (request, reply) => {
    const values = formBody(request)
    const ok = await submitForm(reply, () => accounts.changePassword(request.actor, values), {
      template: 'accounts/templates/password.njk',
      context: { title: 'Change your password', minLength: MIN_PASSWORD_LENGTH },
    })
    if (!ok) return reply
    // Other sessions keep working until they expire; this one is renewed.
    const userId = request.session.userId
    await request.session.regenerate()
    request.session.userId = userId
    flash(request, 'Your password has been changed')
    return reply.redirect('/account', 303)
  })

  // ---- members of a body ----

  app.get('/organisations/:slug/members', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    const members = await accounts.listMembers(request.actor, organisation.slug)
    return reply.render('accounts/templates/members.njk', membersContext(request.actor, organisation, members, {}))
  })

  app.post('/organisations/:slug/members', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    const values = formBody(request)
    let added: { name: string; role: string } | undefined
    const ok = await submitForm(reply, async () => (added = await accounts.addMember(request.actor, organisation.slug, values)), {
      template: 'accounts/templates/members.njk',
      context: membersContext(request.actor, organisation, await accounts.listMembers(request.actor, organisation.slug), values),
    })
    if (!ok) return reply
    flash(request, `${added!.name} is now ${added!.role === 'admin' ? 'an administrator' : 'an editor'} of ${organisation.shortName}`)
    return reply.redirect(`/organisations/${organisation.slug}/members`, 303)
  })

  app.post('/organisations/:slug/members/:id/remove', { schema: { params: SlugAndId } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    const ok = await submitForm(reply, () => accounts.removeMember(request.actor, organisation.slug, request.params.id), {
      template: 'accounts/templates/members.njk',
      context: membersContext(request.actor, organisation, await accounts.listMembers(request.actor, organisation.slug), {}),
    })
    if (!ok) return reply
    flash(request, 'The member has been removed')
    return reply.redirect(`/organisations/${organisation.slug}/members`, 303)
  })

  // ---- API tokens ----

  app.get('/organisations/:slug/tokens', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    const tokens = await accounts.listTokens(request.actor, organisation.slug)
    return reply.render('accounts/templates/tokens.njk', tokensContext(organisation, tokens, {}))
  })

  app.post('/organisations/:slug/tokens', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    const values = formBody(request)
    let created: Awaited<ReturnType<typeof accounts.createToken>> | undefined
    const ok = await submitForm(reply, async () => (created = await accounts.createToken(request.actor, organisation.slug, values)), {
      template: 'accounts/templates/tokens.njk',
      context: tokensContext(organisation, await accounts.listTokens(request.actor, organisation.slug), values),
    })
    if (!ok) return reply
    // The secret is shown on this response only; it is never stored or shown again.
    reply.header('cache-control', 'no-store')
    return reply.render('accounts/templates/token-created.njk', {
      title: 'Token created',
      organisation,
      token: created!.token,
      secret: created!.secret,
      breadcrumbs: orgBreadcrumbs(organisation),
    })
  })

  app.post('/organisations/:slug/tokens/:id/revoke', { schema: { params: SlugAndId } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    await accounts.revokeToken(request.actor, organisation.slug, request.params.id)
    flash(request, 'The token has been revoked. Anything using it can no longer reach the API')
    return reply.redirect(`/organisations/${organisation.slug}/tokens`, 303)
  })

  // ---- API: who am I ----

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['Accounts'],
        summary: 'The body and scope of the token sent',
        security: [{ bearerToken: [] }],
        response: {
          200: Type.Object({
            organisation: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
            token: Type.Object({ id: Type.String(), name: Type.String(), scope: Type.String() }),
          }),
          401: ProblemSchema,
        },
      },
    },
    async (request) => {
      const actor = request.actor
      if (actor.kind !== 'token') throw new UnauthenticatedError('Send an API token as Authorization: Bearer …')
      const organisation = (await organisations.findById(actor.organisationId))!
      return {
        organisation: { id: organisation.id, slug: organisation.slug, name: organisation.name },
        token: { id: actor.tokenId, name: actor.tokenName, scope: actor.scope },
      }
    },
  )
}

interface OrgLike {
  slug: string
  name: string
  id: string
}

function orgBreadcrumbs(organisation: OrgLike) {
  return [
    { text: 'Home', href: '/' },
    { text: 'Organisations', href: '/organisations' },
    { text: organisation.name, href: `/organisations/${organisation.slug}` },
  ]
}

function membersContext(actor: Actor, organisation: OrgLike, members: unknown[], values: Record<string, unknown>) {
  const canManage = canAdminister(actor, organisation.id)
  return { title: `Members of ${organisation.name}`, organisation, members, values, canManage, breadcrumbs: orgBreadcrumbs(organisation) }
}

function tokensContext(organisation: OrgLike, tokens: unknown[], values: Record<string, unknown>) {
  return { title: `API tokens for ${organisation.name}`, organisation, tokens, values, breadcrumbs: orgBreadcrumbs(organisation) }
}

export default accountRoutes
