import { todayInUk } from '../../platform/uk-date.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Actor } from '../../platform/actor.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { ConflictError } from '../../platform/errors.js'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import { pageRequest, paginationComponent } from '../../platform/pagination.js'
import { ASSET_ID_PATH } from '../assets/paths.js'
import { AssetIdParams } from '../assets/schemas.js'
import type { AssetDetail } from '../assets/service.js'
import { SHARE_KINDS } from './model.js'
import { DEFAULT_WINDOW_WORKING_DAYS } from './offers.js'
import { kindItems, offerView } from './views.js'

const FORM = 'sharing/templates/offer-form.njk'

/** The offers list, and the form where an owner's editor offers an asset or withdraws the offer. */
const offerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sharing, assets } = app.services

  app.get('/assets/offers', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    const filters = { kind: SHARE_KINDS.some((k) => k.code === query.kind) ? query.kind : undefined, body: query.body?.trim().slice(0, 100) || undefined }
    const [page, bodies] = await Promise.all([sharing.listOffers(request.actor, filters, pageRequest(query)), sharing.offerBodies(request.actor)])
    return reply.render('sharing/templates/offers.njk', {
      title: 'Assets offered by public bodies',
      filters,
      page,
      offers: page.items.map(offerView),
      kindItems: [{ value: '', text: 'Any kind' }, ...SHARE_KINDS.map((k) => ({ value: k.code, text: k.label, selected: filters.kind === k.code }))],
      bodyItems: [{ value: '', text: 'Any body' }, ...bodies.map((b) => ({ value: b.slug, text: b.name, selected: filters.body === b.slug }))],
      pagination: paginationComponent(page, '/assets/offers', { ...filters, pageSize: query.pageSize }),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
      ],
    })
  })

  function formContext(detail: AssetDetail, values: FormBody) {
    const { asset, owner } = detail
    return {
      title: `Offer ${asset.name}`,
      asset,
      owner,
      values,
      hasParts: detail.childCount > 0,
      kindItems: kindItems(detail.childCount > 0 ? ['loan'] : ['loan', 'transfer', 'sale'], values.kind),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
        { text: owner.name, href: `/assets?body=${owner.slug}` },
        { text: asset.name, href: `/assets/${asset.id}` },
      ],
    }
  }

  /** The asset, once the actor is known to be allowed to offer it. */
  async function offerable(actor: Actor, id: number): Promise<AssetDetail> {
    const detail = await assets.get(id)
    requireEditFor(actor, detail.asset.organisationId)
    if (detail.asset.status === 'disposed') throw new ConflictError('This asset has been disposed of, so it cannot be offered')
    return detail
  }

  app.get(`${ASSET_ID_PATH}/offer`, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const detail = await offerable(request.actor, request.params.id)
    return reply.render(FORM, formContext(detail, { availableFrom: todayInUk(), windowWorkingDays: String(DEFAULT_WINDOW_WORKING_DAYS) }))
  })

  app.post(`${ASSET_ID_PATH}/offer`, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const detail = await offerable(request.actor, request.params.id)
    const values = formBody(request)
    const ok = await submitForm(reply, () => sharing.offer(request.actor, detail.asset.id, values), { template: FORM, context: formContext(detail, values) })
    if (!ok) return reply
    flash(request, `${detail.asset.name} is on offer`)
    return reply.redirect(`/assets/${detail.asset.id}#sharing`, 303)
  })

  app.post('/assets/offers/:offerId/withdraw', { schema: { params: Type.Object({ offerId: Type.String({ maxLength: 100 }) }) } }, async (request, reply) => {
    const offer = await sharing.withdrawOffer(request.actor, request.params.offerId)
    flash(request, `The offer of ${offer.asset.name} has been withdrawn`)
    return reply.redirect(`/assets/${offer.asset.id}#sharing`, 303)
  })
}

export default offerRoutes
