import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Actor } from '../../platform/actor.js'
import { requireUser } from '../../platform/authorisation.js'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import { pageRequest, paginationComponent } from '../../platform/pagination.js'
import { formatDate } from '../../platform/views.js'
import { DECLINE_REASONS, REQUEST_STATUSES, type DataRequest } from './model.js'
import { CommentParams, RequestParams } from './schemas.js'

const SHOW = 'requests/templates/show.njk'
const FORM = 'requests/templates/new.njk'
const HIDE = 'requests/templates/hide.njk'

const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests, requestParticipation: participation, organisations } = app.services

  /** Every body, for the "which body" lists: a few hundred, by name. */
  async function bodyItems(selected: string | undefined, emptyText: string) {
    const all = await organisations.list({}, { page: 1, pageSize: 5000 })
    return [{ value: '', text: emptyText }, ...all.items.map((o) => ({ value: o.slug, text: o.name, selected: o.slug === selected }))]
  }

  async function showContext(actor: Actor, request: DataRequest, values: FormBody = {}) {
    const [comments, viewer] = await Promise.all([participation.comments(request), participation.viewerOf(actor, request)])
    const options = viewer.canAnswer ? await requests.answerOptions(request) : { releases: [], datasets: [] }
    return {
      title: request.title,
      request,
      comments,
      viewer,
      values,
      nextStatuses: viewer.canAnswer ? requests.nextStatuses(request).map((code) => REQUEST_STATUSES.find((s) => s.code === code)!) : [],
      releaseItems: [{ value: '', text: 'Choose a planned release' }, ...options.releases.map((r) => ({ value: r.id, text: r.text, selected: values.release === r.id }))],
      hasReleases: options.releases.length > 0,
      datasetItems: [{ value: '', text: 'Choose a dataset' }, ...options.datasets.map((d) => ({ value: d.id, text: d.text, selected: values.dataset === d.id }))],
      hasDatasets: options.datasets.length > 0,
      declineItems: [{ value: '', text: 'Choose a reason' }, ...DECLINE_REASONS.map((r) => ({ value: r.code, text: r.label, selected: values.declineReason === r.code }))],
      bodyItems: viewer.canAssign ? await bodyItems(values.organisation, 'Choose a public body') : [],
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Data requests', href: '/requests' },
      ],
    }
  }

  /** Loads the request and the page it is shown on, for re-showing a form with its errors. */
  async function loadForPost(request: FastifyRequest, id: string) {
    const found = await requests.get(id)
    const values = formBody(request)
    return { found, values, context: await showContext(request.actor, found, values) }
  }

  // ---- the list ----

  app.get('/requests', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    const filters = { q: query.q?.trim().slice(0, 200) || undefined, status: query.status || undefined, body: query.body || undefined, sort: query.sort === 'supported' ? 'supported' : undefined }
    const page = await requests.list(filters, pageRequest(query))
    const bodies = await bodyItems(filters.body, 'All bodies')
    return reply.render('requests/templates/list.njk', {
      title: 'Data requests',
      filters,
      page,
      statusItems: [
        { value: '', text: 'Any status' },
        ...REQUEST_STATUSES.map((s) => ({ value: s.code, text: s.label, selected: filters.status === s.code })),
        { value: 'overdue', text: 'Overdue', selected: filters.status === 'overdue' },
      ],
      bodyItems: bodies,
      sortItems: [
        { value: 'newest', text: 'Newest first', selected: filters.sort !== 'supported' },
        { value: 'supported', text: 'Most supported', selected: filters.sort === 'supported' },
      ],
      pagination: paginationComponent(page, '/requests', { ...filters, pageSize: query.pageSize }),
      breadcrumbs: [{ text: 'Home', href: '/' }],
    })
  })

  // ---- asking ----

  async function newContext(datasetId: string | undefined, values: FormBody) {
    const target = datasetId ? await requests.earlyReleaseTarget(datasetId) : undefined
    const earlyReleaseOpen = !target || (!target.refusal && !target.existing)
    return {
      title: 'Ask for data',
      values: { kind: target && earlyReleaseOpen ? 'early-release' : undefined, ...values },
      target,
      datasetNotFound: !!datasetId && !target,
      earlyReleaseOpen,
      bodyItems: await bodyItems(values.organisation, 'I do not know'),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Data requests', href: '/requests' },
      ],
    }
  }

  app.get('/requests/new', async (request, reply) => {
    requireUser(request.actor)
    const dataset = (request.query as { dataset?: string }).dataset?.trim().slice(0, 100) || undefined
    return reply.render(FORM, await newContext(dataset, {}))
  })

  app.post('/requests', async (request, reply) => {
    const values = formBody(request)
    let created: DataRequest | undefined
    const ok = await submitForm(reply, async () => (created = await requests.create(request.actor, values)), {
      template: FORM,
      context: await newContext(values.kind === 'early-release' ? values.dataset : undefined, values),
    })
    if (!ok) return reply
    const to = created!.organisation ? `${created!.organisation.name} should answer by ${formatDate(created!.dueDate)}` : 'An administrator will send it to the right public body'
    flash(request, `Your request has been sent. ${to}.`)
    return reply.redirect(`/requests/${created!.id}`, 303)
  })

  // ---- one request ----

  app.get('/requests/:id', { schema: { params: RequestParams } }, async (request, reply) => {
    const found = await requests.get(request.params.id)
    return reply.render(SHOW, await showContext(request.actor, found))
  })

  /** The small POST forms on the request page: each does one thing and comes back to the page. */
  const simpleActions: Record<string, { run: (actor: Actor, id: string) => Promise<unknown>; done: string }> = {
    support: { run: (actor, id) => participation.support(actor, id), done: 'You support this request' },
    unsupport: { run: (actor, id) => participation.unsupport(actor, id), done: 'You no longer support this request' },
    follow: { run: (actor, id) => participation.follow(actor, id), done: 'You are following this request' },
    unfollow: { run: (actor, id) => participation.unfollow(actor, id), done: 'You are no longer following this request' },
  }
  for (const [path, action] of Object.entries(simpleActions)) {
    app.post(`/requests/:id/${path}`, { schema: { params: RequestParams } }, async (request, reply) => {
      const { found, context } = await loadForPost(request, request.params.id)
      const ok = await submitForm(reply, () => action.run(request.actor, found.id), { template: SHOW, context })
      if (!ok) return reply
      flash(request, action.done)
      return reply.redirect(`/requests/${found.id}`, 303)
    })
  }

  app.post('/requests/:id/comments', { schema: { params: RequestParams } }, async (request, reply) => {
    const { found, values, context } = await loadForPost(request, request.params.id)
    let commentId: string | undefined
    const ok = await submitForm(reply, async () => (commentId = (await participation.comment(request.actor, found.id, values.comment)).id), { template: SHOW, context })
    if (!ok) return reply
    flash(request, 'Your comment has been added')
    return reply.redirect(`/requests/${found.id}#comment-${commentId}`, 303)
  })

  app.post('/requests/:id/answer', { schema: { params: RequestParams } }, async (request, reply) => {
    const { found, values, context } = await loadForPost(request, request.params.id)
    let answered: DataRequest | undefined
    const ok = await submitForm(reply, async () => (answered = await requests.answer(request.actor, found.id, values)), { template: SHOW, context })
    if (!ok) return reply
    flash(request, `The request is now marked ${answered!.statusLabel.toLowerCase()}`)
    return reply.redirect(`/requests/${found.id}`, 303)
  })

  app.post('/requests/:id/assign', { schema: { params: RequestParams } }, async (request, reply) => {
    const { found, values, context } = await loadForPost(request, request.params.id)
    let assigned: DataRequest | undefined
    const ok = await submitForm(reply, async () => (assigned = await requests.assign(request.actor, found.id, values.organisation)), { template: SHOW, context })
    if (!ok) return reply
    flash(request, `The request has been sent to ${assigned!.organisation!.name}`)
    return reply.redirect(`/requests/${found.id}`, 303)
  })

  // ---- hiding a comment ----

  async function hideContext(found: DataRequest, commentId: string, values: FormBody) {
    return {
      title: 'Hide a comment',
      request: found,
      comment: await participation.findComment(found, commentId),
      values,
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Data requests', href: '/requests' },
        { text: found.title, href: `/requests/${found.id}` },
      ],
    }
  }

  app.get('/requests/:id/comments/:commentId/hide', { schema: { params: CommentParams } }, async (request, reply) => {
    const found = await requests.get(request.params.id)
    participation.requireModerator(request.actor, found)
    return reply.render(HIDE, await hideContext(found, request.params.commentId, {}))
  })

  app.post('/requests/:id/comments/:commentId/hide', { schema: { params: CommentParams } }, async (request, reply) => {
    const found = await requests.get(request.params.id)
    const values = formBody(request)
    const ok = await submitForm(reply, () => participation.hideComment(request.actor, found.id, request.params.commentId, values.reason), {
      template: HIDE,
      context: await hideContext(found, request.params.commentId, values),
    })
    if (!ok) return reply
    flash(request, 'The comment has been hidden. Its text is kept, and the reason is shown in its place')
    return reply.redirect(`/requests/${found.id}#comment-${request.params.commentId}`, 303)
  })
}

export default requestRoutes
