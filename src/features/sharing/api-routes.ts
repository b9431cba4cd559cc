import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageRequest } from '../../platform/pagination.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { AssetIdParams } from '../assets/schemas.js'
import type { ShareStep } from './model.js'
import { CreateOfferBody, CreateShareRequestBody, Offer, OfferIdParams, OfferListQuery, OfferPage, SavingsSchema, ShareRequest, ShareRequestParams, StepBody } from './schemas.js'

const TAGS = ['Sharing assets']
const WRITE = [{ bearerToken: [] }]
const WRITE_PROBLEMS = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema }

const STEP_SUMMARIES: Record<ShareStep, { summary: string; description: string }> = {
  approve: { summary: 'Approve a request for one of your body’s assets', description: 'By a write token of the owner (when the request was made). `requested` → `approved`.' },
  decline: { summary: 'Decline a request, with the reason', description: 'By a write token of the owner. `requested` or `approved` → `declined`; `reason` is required.' },
  'hand-over': {
    summary: 'Record that the asset was handed over',
    description: 'By a write token of the owner. `approved` → `handed-over`. A transfer or sale makes the requesting body the owner (same id and history; its code gets `-{old owner}` added if the new owner already uses it), closes the offer and declines other open requests; a loan makes the requesting body the holder.',
  },
  return: { summary: 'Record that a lent asset came back', description: 'By a write token of the owner, for loans only. `handed-over` → `returned`; the holder is cleared.' },
  withdraw: { summary: 'Withdraw your body’s request', description: 'By a write token of the requesting body. `requested` or `approved` → `withdrawn`.' },
}

/*
 * Sharing for bodies' systems. A write token acts for its own body: the service checks every
 * write, whichever body the asset or request belongs to.
 */
const sharingApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sharing } = app.services

  app.get(
    '/api/v1/assets/offers',
    {
      schema: {
        tags: TAGS,
        summary: 'Assets offered for loan, transfer or sale',
        description: 'Open offers the caller may see: every body’s once its window has passed, and (with a token) the token’s own body’s at once.',
        querystring: OfferListQuery,
        response: { 200: OfferPage, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { page, pageSize, ...filters } = request.query
      return sharing.listOffers(request.actor, filters, pageRequest({ page, pageSize }))
    },
  )

  app.post(
    '/api/v1/assets/:id/offers',
    {
      schema: {
        tags: TAGS,
        summary: 'Offer one of your body’s assets for loan, transfer or sale',
        description: 'Only your own body sees the offer for `windowWorkingDays` (England and Wales working days, default 20); then every public body does. One open offer per asset. An asset with parts can only be lent.',
        security: WRITE,
        params: AssetIdParams,
        body: CreateOfferBody,
        response: { 201: Offer, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const offer = await sharing.offer(request.actor, request.params.id, request.body)
      return reply.status(201).send(offer)
    },
  )

  app.post(
    '/api/v1/assets/offers/:offerId/withdraw',
    { schema: { tags: TAGS, summary: 'Withdraw an offer', description: 'Requests made on it and not yet handed over are declined.', security: WRITE, params: OfferIdParams, response: { 200: Offer, ...WRITE_PROBLEMS } } },
    async (request) => sharing.withdrawOffer(request.actor, request.params.offerId),
  )

  app.post(
    '/api/v1/share-requests',
    {
      schema: {
        tags: TAGS,
        summary: 'Ask for an asset on behalf of your body',
        description: 'For an asset with an open offer your body can see (the offer decides the kind), or one that is underused, vacant, surplus or flagged available (`loan` or `transfer`). A loan needs `neededUntil`.',
        security: WRITE,
        body: CreateShareRequestBody,
        response: { 201: ShareRequest, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const { assetId, searchId, ...input } = request.body
      const created = await sharing.request(request.actor, assetId, { ...input, search: searchId })
      return reply.status(201).header('location', `/api/v1/share-requests/${created.id}`).send(created)
    },
  )

  app.get(
    '/api/v1/share-requests/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One share request',
        description: 'For a token of either body.',
        security: WRITE,
        params: ShareRequestParams,
        response: { 200: ShareRequest, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => sharing.getRequest(request.actor, request.params.id),
  )

  for (const step of Object.keys(STEP_SUMMARIES) as ShareStep[]) {
    app.post(
      `/api/v1/share-requests/:id/${step}`,
      { schema: { tags: TAGS, ...STEP_SUMMARIES[step], security: WRITE, params: ShareRequestParams, body: StepBody, response: { 200: ShareRequest, ...WRITE_PROBLEMS } } },
      async (request) => sharing.step(request.actor, request.params.id, step, request.body),
    )
  }

  app.get(
    '/api/v1/assets/savings',
    {
      schema: {
        tags: TAGS,
        summary: 'Spending avoided by sharing, by body, asset class and year',
        description: 'Each handed-over share counts the purchase it avoided (less the price of a sale, never below 0) for the receiving body, in the year it was handed over. Each breakdown adds up to the total.',
        response: { 200: SavingsSchema },
      },
    },
    async () => {
      const s = await sharing.savings()
      return {
        total: s.total,
        byBody: s.byBody.map((l) => ({ slug: l.slug, name: l.label, shares: l.shares, avoidedPence: l.avoidedPence })),
        byClass: s.byClass.map((l) => ({ assetClass: l.key === 'unclassified' ? null : l.key, label: l.label, shares: l.shares, avoidedPence: l.avoidedPence })),
        byYear: s.byYear.map((l) => ({ year: Number(l.key), shares: l.shares, avoidedPence: l.avoidedPence })),
      }
    },
  )
}

export default sharingApiRoutes
