import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { pageRequest } from '../../../platform/pagination.js'
import { ProblemSchema } from '../../../platform/problem-schema.js'
import { Asset } from '../schemas.js'
import { ASSET_CLASSES } from '../vocabularies.js'
import { DEFAULT_RADIUS_KM, MAX_RADIUS_KM } from './need.js'
import type { PurchaseSearch } from './service.js'
import { requestHref } from './views.js'

const TAGS = ['Assets']
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {})

export const AvailableQuery = Type.Object({
  cpv: Type.Optional(Type.String({ maxLength: 40, description: 'CPV 2008 code of what is needed, like `34114400` or `34114400-3`; assets under it fit best, then those sharing its class, group or division' })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words matched against CPV labels, when no `cpv` is given (the best codes found are used)' })),
  class: Type.Optional(Type.Enum(ASSET_CLASSES.map((c) => c.code), { description: 'Asset class; with `cpv` or `q` it narrows, alone it is the need' })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'Latitude of the place it is needed (WGS84). Without it and `lon`, the token’s body’s own place; anonymous callers search everywhere' })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, with `lat`' })),
  radiusKm: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: MAX_RADIUS_KM, description: `How far from the place, in kilometres (default ${DEFAULT_RADIUS_KM})` })),
  from: Type.Optional(Type.String({ maxLength: 10, description: 'The day it is needed from, YYYY-MM-DD (default today; not in the past)' })),
  kind: Type.Optional(Type.Enum(['loan', 'transfer', 'either'], { description: '`loan` fits loan offers; `transfer` fits transfer and sale offers; either (the default) fits all. Assets not offered fit any, the owner to be asked' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

const Offer = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['loan', 'transfer', 'sale']),
  pricePence: nullable(Type.Integer()),
  availableFrom: Type.String(),
  availableUntil: nullable(Type.String()),
})

const AvailablePage = Type.Object({
  items: Type.Array(
    Type.Object({
      asset: Asset,
      owner: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
      distanceKm: nullable(Type.Number(), 'From the place, to 0.1 km; null when searching everywhere'),
      fit: Type.Enum(['same', 'class', 'group', 'division', 'asset-class'], { description: '`same`: the code asked for or one under it; sharing its `class`, `group` or `division`; `asset-class` when only a class was asked for' }),
      offer: nullable(Offer, 'The open offer it fits; null when it is not offered but idle or marked available (ask the owner)'),
      requestHref: nullable(Type.String(), 'Where a member of the searching body asks for it'),
    }),
  ),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  need: Type.Object({
    cpvCodes: Type.Array(Type.String()),
    words: nullable(Type.String()),
    assetClass: nullable(Type.String()),
    lat: nullable(Type.Number()),
    lon: nullable(Type.Number()),
    radiusKm: Type.Number(),
    place: Type.Enum(['given', 'body', 'anywhere']),
    from: Type.String(),
    kind: nullable(Type.Enum(['loan', 'transfer'])),
  }),
  searchId: nullable(Type.String(), 'The record of this search, when made with a body’s token: the same body, need and day is one record'),
})

export const PurchaseSearchSchema = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  actor: Type.String(),
  cpvCode: nullable(Type.String()),
  cpvLabel: nullable(Type.String()),
  words: nullable(Type.String()),
  assetClass: nullable(Type.String()),
  assetClassLabel: nullable(Type.String()),
  lat: nullable(Type.Number()),
  lon: nullable(Type.Number()),
  radiusKm: nullable(Type.Number()),
  neededFrom: nullable(Type.String()),
  kind: nullable(Type.String()),
  resultCount: Type.Integer(),
  outcome: nullable(Type.Enum(['requested', 'purchased'])),
  outcomeAt: nullable(Type.String()),
  estimatedCostPence: nullable(Type.Integer()),
  createdAt: Type.String(),
})

const PurchasedBody = Type.Object({
  estimatedCostPence: Type.Optional(nullable(Type.Integer({ minimum: 0 }), 'What the purchase is expected to cost, in pence')),
})

/** "Check before you buy" for machines: the same search and record as the page. */
const checkApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { purchaseChecks } = app.services

  app.get(
    '/api/v1/assets/available',
    {
      schema: {
        tags: TAGS,
        summary: 'Check before you buy: assets of any body that could meet a need',
        description:
          'Assets offered for sharing (offers still in their owner-only window show only to the owner’s own token), marked available to share, or underused, vacant or surplus, never disposed of; that fit the need by CPV code (or words) and class, lie within `radiusKm` of the place, and (when offered) are of the right kind and available on `from`. Best fit first, then nearest. With a body’s token the search is recorded (`searchId`). Bad input is 400 or 422 naming every failing field.',
        querystring: AvailableQuery,
        response: { 200: AvailablePage, 400: ProblemSchema, 401: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request) => {
      const { page, pageSize, ...input } = request.query
      const { need, results, search } = await purchaseChecks.check(request.actor, input, pageRequest({ page, pageSize }))
      const searchId = search?.id ?? null
      return {
        ...results,
        items: results.items.map((item) => ({
          ...item,
          requestHref: searchId ? requestHref(item, need, searchId) : null,
        })),
        need,
        searchId,
      }
    },
  )

  app.post(
    '/api/v1/assets/available/searches/:id/purchased',
    {
      schema: {
        tags: TAGS,
        summary: 'Record that nothing fitted a search and the purchase goes ahead',
        description: 'With a write token of the body that searched. Shown in the record of searches as demand that went unmet.',
        security: [{ bearerToken: [] }],
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: PurchasedBody,
        response: { 200: PurchaseSearchSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema },
      },
      // A POST with no body at all means no estimate, as `{}` does.
      preValidation: async (request) => {
        request.body ??= {}
      },
    },
    async (request): Promise<PurchaseSearch> => purchaseChecks.recordPurchased(request.actor, request.params.id, { estimatedCostPence: request.body.estimatedCostPence ?? null }),
  )
}

export default checkApiRoutes
