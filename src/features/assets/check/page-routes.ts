import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { canEditFor } from '../../../platform/authorisation.js'
import { ValidationError } from '../../../platform/errors.js'
import { flash, formBody, safeRedirectPath } from '../../../platform/forms.js'
import { pageRequest, paginationComponent } from '../../../platform/pagination.js'
import { formErrors } from '../../../platform/views.js'
import { cpvLabel } from '../cpv.js'
import { formatPence, parsePounds } from '../money.js'
import { first } from '../search/query.js'
import { describesNeed, needParams, type NeedInput } from './need.js'
import type { CheckResult, PurchaseSearch } from './service.js'
import { alternativeHref, CLASS_ITEMS, KIND_ITEMS, needHeading, PAGE_PATH, placeText, resultView, searchHref, SEARCHES_PATH, searchWhat } from './views.js'

const SearchIdParams = Type.Object({ id: Type.String({ maxLength: 40 }) })
const FIELDS = ['q', 'cpv', 'class', 'lat', 'lon', 'radiusKm', 'from', 'kind'] as const

/*
 * The "check before you buy" page: a GET form (so any search is an address to share, and works
 * without JavaScript) and its results; and the form that records "nothing fits: we are buying".
 */
const checkPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { purchaseChecks, organisations } = app.services

  app.get(PAGE_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const values = Object.fromEntries(FIELDS.map((f) => [f, first(query[f]) ?? ''])) as Record<(typeof FIELDS)[number], string>
    const bodySlug = first(query.body)
    const bodies = await purchaseChecks.bodiesOf(request.actor)
    const context = {
      title: 'Check before you buy',
      values,
      bodies: bodies.map((b) => ({ value: b.slug, text: b.name, selected: b.slug === (bodySlug ?? bodies[0]?.slug) })),
      defaultBody: bodies.find((b) => b.slug === bodySlug) ?? bodies[0],
      classItems: CLASS_ITEMS(values.class),
      kindItems: KIND_ITEMS(values.kind),
      signedIn: request.actor.kind === 'user',
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
      ],
    }
    if (!describesNeed(values)) return reply.render('assets/check/templates/check.njk', context)
    let checked: CheckResult
    try {
      checked = await purchaseChecks.check(request.actor, values as NeedInput, pageRequest(query), { ...(bodySlug ? { body: bodySlug } : {}) })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      return reply.status(400).render('assets/check/templates/check.njk', { ...context, errors: formErrors(error.fields) })
    }
    const { need, results, body, search, alternatives } = checked
    const state = { ...needParams(need), body: bodySlug }
    const heading = needHeading(need, body)
    return reply.render('assets/check/templates/check.njk', {
      ...context,
      title: results.page > 1 ? `${context.title}: ${heading} (page ${results.page})` : `${context.title}: ${heading}`,
      checked: true,
      heading,
      place: placeText(need, body),
      codes: need.cpvCodes.map((code) => ({ code, label: cpvLabel(code) ?? '' })),
      alternatives: alternatives.map((e) => ({ code: e.code, label: e.label, href: alternativeHref(need, e.code, bodySlug) })),
      results,
      rows: results.items.map((item) => resultView(item, need, request.actor.kind === 'user' ? (search?.id ?? null) : null)),
      pagination: paginationComponent(results, PAGE_PATH, { ...state, pageSize: first(query.pageSize) }),
      body,
      search,
      canRecordOutcome: search !== null && canEditFor(request.actor, search.organisationId),
      estimatedCost: search?.estimatedCostPence == null ? null : formatPence(search.estimatedCostPence, { wholePounds: true }),
      back: request.url,
    })
  })

  // The outcome form on its own: where its errors are shown, and a page to come back to.
  app.get(`${SEARCHES_PATH}/:id/purchased`, { schema: { params: SearchIdParams } }, async (request, reply) => {
    const search = await purchaseChecks.find(request.actor, request.params.id)
    return reply.render('assets/check/templates/purchased.njk', await purchasedContext(search, {}, undefined))
  })

  app.post(`${SEARCHES_PATH}/:id/purchased`, { schema: { params: SearchIdParams } }, async (request, reply) => {
    const values = formBody(request)
    const search = await purchaseChecks.find(request.actor, request.params.id)
    const cost = parsePounds(values.estimatedCost ?? '')
    if ('problem' in cost) {
      const errors = formErrors([{ name: 'estimatedCost', message: `The estimated cost ${cost.problem}` }])
      return reply.status(400).render('assets/check/templates/purchased.njk', await purchasedContext(search, values, errors))
    }
    await purchaseChecks.recordPurchased(request.actor, search.id, { estimatedCostPence: cost.pence })
    flash(request, 'You have recorded that nothing fitted and the purchase goes ahead')
    const back = safeRedirectPath(values.back, SEARCHES_PATH)
    return reply.redirect(back.startsWith(PAGE_PATH) ? back : SEARCHES_PATH, 303)
  })

  async function purchasedContext(search: PurchaseSearch, values: Record<string, string | undefined>, errors: ReturnType<typeof formErrors> | undefined) {
    const body = await organisations.findById(search.organisationId)
    return {
      title: 'Record that nothing fits and you are buying',
      search,
      what: searchWhat(search),
      againHref: searchHref(search, body?.slug ?? ''),
      values,
      errors,
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
        { text: 'Check before you buy', href: PAGE_PATH },
      ],
    }
  }
}

export default checkPageRoutes
