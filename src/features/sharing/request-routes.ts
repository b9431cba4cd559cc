import { todayInUk } from '../../platform/uk-date.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import { penceInput } from '../assets/money.js'
import { parseDate } from '../assets/parse-values.js'
import { ASSET_ID_PATH } from '../assets/paths.js'
import { AssetIdParams } from '../assets/schemas.js'
import type { SharingService } from './service.js'
import { SHARE_STEPS, STEPS, type ShareRequest, type ShareStep } from './model.js'
import { kindItems, offerView, requestView } from './views.js'

type FormOptions = Awaited<ReturnType<SharingService['requestOptions']>>

const FORM = 'sharing/templates/request-form.njk'
const SHOW = 'sharing/templates/request.njk'
const RequestParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
const NewRequestQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 100 })),
  kind: Type.Optional(Type.String({ maxLength: 20 })),
  from: Type.Optional(Type.String({ maxLength: 30 })),
})

/** Asking for an asset, a request's page with the steps the viewer may take, and a body's sharing page. */
const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sharing } = app.services

  function formContext(options: FormOptions, values: FormBody) {
    const { asset, owner, offer, bodies, kinds } = options
    return {
      title: `Ask for ${asset.name}`,
      asset,
      owner,
      offer: offer ? offerView(offer) : null,
      values,
      oneBody: bodies.length === 1 ? bodies[0] : undefined,
      bodyItems: [{ value: '', text: 'Choose a body' }, ...bodies.map((b) => ({ value: b.slug, text: b.name, selected: values.organisation === b.slug }))],
      fixedKind: kinds.length === 1 ? kinds[0] : undefined,
      kindItems: kindItems(kinds, values.kind),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
        { text: asset.name, href: `/assets/${asset.id}` },
      ],
    }
  }

  app.get(`${ASSET_ID_PATH}/share-requests/new`, { schema: { params: AssetIdParams, querystring: NewRequestQuery } }, async (request, reply) => {
    const options = await sharing.requestOptions(request.actor, request.params.id)
    const { search, kind, from } = request.query
    const fromDate = from ? parseDate(from) : undefined
    const values: FormBody = {
      organisation: options.bodies.length === 1 ? options.bodies[0]!.slug : undefined,
      kind: options.kinds.length === 1 ? options.kinds[0] : options.kinds.find((k) => k === kind),
      neededFrom: fromDate && 'value' in fromDate && fromDate.value ? fromDate.value : todayInUk(),
      avoidedCostPence: penceInput(options.defaultAvoidedPence),
      search: search?.trim() || undefined,
    }
    return reply.render(FORM, formContext(options, values))
  })

  app.post(`${ASSET_ID_PATH}/share-requests`, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const options = await sharing.requestOptions(request.actor, request.params.id)
    const values = formBody(request)
    let created: ShareRequest | undefined
    const ok = await submitForm(reply, async () => (created = await sharing.request(request.actor, options.asset.id, values)), { template: FORM, context: formContext(options, values) })
    if (!ok) return reply
    flash(request, `Your request has been sent to ${created!.owner.name}`)
    return reply.redirect(`/share-requests/${created!.id}`, 303)
  })

  async function showContext(request: FastifyRequest, found: ShareRequest, values: FormBody = {}) {
    return {
      title: `${found.kindLabel} of ${found.asset.name}`,
      request: requestView(found),
      steps: sharing.stepsFor(request.actor, found),
      timeline: await sharing.timeline(found),
      values,
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
        { text: found.asset.name, href: `/assets/${found.asset.id}` },
      ],
    }
  }

  app.get('/share-requests/:id', { schema: { params: RequestParams } }, async (request, reply) => {
    const found = await sharing.getRequest(request.actor, request.params.id)
    return reply.render(SHOW, await showContext(request, found))
  })

  for (const step of SHARE_STEPS) {
    app.post(`/share-requests/:id/${step}`, { schema: { params: RequestParams } }, async (request, reply) => {
      const found = await sharing.getRequest(request.actor, request.params.id)
      const values = formBody(request)
      const ok = await submitForm(reply, () => sharing.step(request.actor, found.id, step as ShareStep, values), { template: SHOW, context: await showContext(request, found, values) })
      if (!ok) return reply
      flash(request, `The request has been ${STEPS[step].done}`)
      return reply.redirect(`/share-requests/${found.id}`, 303)
    })
  }

  app.get('/organisations/:slug/sharing', { schema: { params: Type.Object({ slug: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const { organisation, incoming, outgoing, offers, canDecide } = await sharing.forOrganisation(request.actor, request.params.slug)
    return reply.render('sharing/templates/organisation.njk', {
      title: `Sharing: ${organisation.name}`,
      organisation,
      canDecide,
      toDecide: incoming.filter((r) => r.state === 'requested' || r.state === 'approved').map(requestView),
      onLoan: incoming.filter((r) => r.state === 'handed-over' && r.kind === 'loan').map(requestView),
      incoming: incoming.map(requestView),
      outgoing: outgoing.map(requestView),
      offers: offers.map(offerView),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Organisations', href: '/organisations' },
        { text: organisation.name, href: `/organisations/${organisation.slug}` },
      ],
    })
  })
}

export default requestRoutes
