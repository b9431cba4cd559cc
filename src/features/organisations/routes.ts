import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { canAdminister, requireAdminOf, requirePlatformAdmin } from '../../platform/authorisation.js'
import { flash, formBody, submitForm } from '../../platform/forms.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { pageRequest, paginationComponent } from '../../platform/pagination.js'
import { ADDABLE_TYPES, NATIONS, typeLabel } from './types.js'
import { Organisation, OrganisationListQuery, OrganisationPage, SlugParams } from './schemas.js'
import type { Organisation as OrganisationModel } from './service.js'
import { organisationInventory } from '../datasets/inventory.js'
import { bodyUnderusedView } from '../assets/reports/body-figure.js'

const organisationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisations } = app.services

  // ---- pages ----

  app.get('/organisations', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    const filters = { q: query.q?.slice(0, 200), type: query.type, nation: query.nation, region: query.region }
    const page = await organisations.list(filters, pageRequest(query))
    const options = await organisations.filterOptions()
    return reply.render('organisations/templates/list.njk', {
      title: 'Organisations',
      filters,
      page,
      options,
      pagination: paginationComponent(page, '/organisations', { ...filters, pageSize: query.pageSize }),
      breadcrumbs: [{ text: 'Home', href: '/' }],
      canAdd: request.actor.kind === 'user' && request.actor.isPlatformAdmin,
    })
  })

  app.get('/organisations/new', async (request, reply) => {
    requirePlatformAdmin(request.actor)
    return reply.render('organisations/templates/form.njk', formContext(undefined, {}))
  })

  app.post('/organisations', async (request, reply) => {
    const values = formBody(request)
    let created: OrganisationModel | undefined
    const ok = await submitForm(reply, async () => (created = await organisations.create(request.actor, values)), {
      template: 'organisations/templates/form.njk',
      context: formContext(undefined, values),
    })
    if (!ok) return reply
    flash(request, `${created!.name} has been added`)
    return reply.redirect(`/organisations/${created!.slug}`, 303)
  })

  app.get('/organisations/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    const parent = organisation.parentId ? await organisations.findById(organisation.parentId) : undefined
    const inventory = await organisationInventory(app.services, organisation, request.query as Record<string, unknown>, request.actor)
    const [openRequests, overdueRequests, underused] = await Promise.all([
      app.services.requests.list({ body: organisation.slug, status: 'submitted' }, { page: 1, pageSize: 1 }),
      app.services.requests.overdueCountFor(organisation.id),
      bodyUnderusedView(app.services.db, organisation.slug),
    ])
    return reply.render('organisations/templates/show.njk', {
      title: organisation.name,
      organisation,
      parent,
      inventory,
      requestCounts: { unanswered: openRequests.total, overdue: overdueRequests },
      underused,
      isAdmin: canAdminister(request.actor, organisation.id),
      isMember: request.actor.kind === 'user' && request.actor.memberships.some((m) => m.organisationId === organisation.id),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Organisations', href: '/organisations' },
      ],
    })
  })

  app.get('/organisations/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireAdminOf(request.actor, organisation.id)
    const parent = organisation.parentId ? await organisations.findById(organisation.parentId) : undefined
    return reply.render('organisations/templates/form.njk', formContext(organisation, { ...formValues(organisation), parentSlug: parent?.slug ?? '' }))
  })

  app.post('/organisations/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    const values = formBody(request)
    let updated: OrganisationModel | undefined
    const ok = await submitForm(reply, async () => (updated = await organisations.update(request.actor, organisation.slug, values)), {
      template: 'organisations/templates/form.njk',
      context: formContext(organisation, values),
    })
    if (!ok) return reply
    flash(request, 'Your changes have been saved')
    return reply.redirect(`/organisations/${updated!.slug}`, 303)
  })

  // ---- API ----

  app.get(
    '/api/v1/organisations',
    {
      schema: {
        tags: ['Organisations'],
        summary: 'Search the register of public bodies',
        querystring: OrganisationListQuery,
        response: { 200: OrganisationPage, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { page, pageSize, ...filters } = request.query
      return organisations.list(filters, pageRequest({ page, pageSize }))
    },
  )

  app.get(
    '/api/v1/organisations/:slug',
    {
      schema: {
        tags: ['Organisations'],
        summary: 'One public body',
        params: SlugParams,
        response: { 200: Organisation, 404: ProblemSchema },
      },
    },
    async (request) => organisations.getBySlug(request.params.slug),
  )
}

function formValues(o: OrganisationModel) {
  return {
    name: o.name,
    shortName: o.shortName,
    slug: o.slug,
    identifier: o.identifier ?? '',
    type: o.type,
    nation: o.nation ?? '',
    region: o.region ?? '',
    website: o.website ?? '',
  }
}

function formContext(organisation: OrganisationModel | undefined, values: Record<string, unknown>) {
  const types = organisation?.source === 'register' ? [organisation.type] : ADDABLE_TYPES
  return {
    title: organisation ? `Change ${organisation.name}` : 'Add a public body',
    organisation,
    values,
    typeItems: [{ value: '', text: 'Select a type' }, ...types.map((code) => ({ value: code, text: typeLabel(code), selected: values.type === code }))],
    nationItems: [{ value: '', text: 'Not applicable' }, ...NATIONS.map((n) => ({ value: n, text: n, selected: values.nation === n }))],
    action: organisation ? `/organisations/${organisation.slug}/edit` : '/organisations',
    breadcrumbs: [
      { text: 'Home', href: '/' },
      { text: 'Organisations', href: '/organisations' },
      ...(organisation ? [{ text: organisation.name, href: `/organisations/${organisation.slug}` }] : []),
    ],
  }
}

export default organisationRoutes
