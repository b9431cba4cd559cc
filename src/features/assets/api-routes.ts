import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Actor } from '../../platform/actor.js'
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../platform/errors.js'
import { pageRequest, PageSchema } from '../../platform/pagination.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import type { Organisation } from '../organisations/service.js'
import { searchCpv } from './cpv.js'
import { Asset, AssetIdParams, AssetListQuery, assetFields, CpvQuery, CpvResults, CreateAssetBody, UpdateAssetBody } from './schemas.js'

const TAGS = ['Assets']
const WRITE = [{ bearerToken: [] }]
const WRITE_PROBLEMS = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema }
const KNOWN_FIELDS = new Set([...Object.keys(assetFields), 'organisation', 'version'])

/*
 * The asset register's API for bodies' asset systems. A write token acts for its own body only:
 * the service checks that for every write, whichever body the asset belongs to.
 */
const assetApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { assets, organisations } = app.services

  app.get(
    '/api/v1/assets',
    { schema: { tags: TAGS, summary: 'The register of public assets, a page at a time', querystring: AssetListQuery, response: { 200: PageSchema(Asset), 400: ProblemSchema, 404: ProblemSchema } } },
    async (request) => assets.list({ body: request.query.body }, pageRequest(request.query)),
  )

  app.get(
    '/api/v1/assets/:id',
    { schema: { tags: TAGS, summary: 'One asset', params: AssetIdParams, response: { 200: Asset, 400: ProblemSchema, 404: ProblemSchema } } },
    async (request) => assets.find(request.params.id),
  )

  app.post(
    '/api/v1/assets',
    {
      schema: {
        tags: TAGS,
        summary: 'Record an asset of the token’s body',
        description: 'Amounts are integer pence. An asset worth £1,000 or more (current value, else acquisition cost) must have `assetClass` and `cpvCode`. Give latitude and longitude or easting and northing: the other pair is worked out. Every failing field is named in `errors` (422).',
        security: WRITE,
        body: CreateAssetBody,
        response: { 201: Asset, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body)
      const { organisation: named, ...input } = request.body
      const organisation = await tokenOrganisation(request.actor)
      if (named !== undefined && named !== organisation.slug) throw new ForbiddenError(`This token can only record assets of ${organisation.name}`)
      const created = await assets.create(request.actor, organisation.slug, input)
      return reply.status(201).header('location', `/api/v1/assets/${created.id}`).send(created)
    },
  )

  app.patch(
    '/api/v1/assets/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change an asset',
        description: 'Send the fields to change (null clears one) with the `version` you read. If the asset changed since, the answer is 409 and nothing is saved. Sending any coordinate replaces the location. To dispose of an asset, send `status: "disposed"` with `disposalDate`, `disposalMethod` and, if any, `disposalProceedsPence`.',
        security: WRITE,
        params: AssetIdParams,
        body: UpdateAssetBody,
        response: { 200: Asset, ...WRITE_PROBLEMS },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body)
      const { version, ...changes } = request.body
      return assets.update(request.actor, request.params.id, changes, version)
    },
  )

  app.get(
    '/api/v1/cpv',
    {
      schema: {
        tags: TAGS,
        summary: 'Look up CPV 2008 codes',
        description: 'By digits (`302` or `30200000` finds computer equipment and everything under it) or by words of the label (`computer equipment`). Broader codes come first.',
        querystring: CpvQuery,
        response: { 200: CpvResults, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { total, items } = searchCpv(request.query.q, request.query.limit ?? 50)
      return { total, items: items.map(({ code, checkDigit, label }) => ({ code, checkDigit, label })) }
    },
  )

  /** The body a new asset belongs to: the token's own. */
  async function tokenOrganisation(actor: Actor): Promise<Organisation> {
    if (actor.kind === 'anonymous') throw new UnauthenticatedError('Send a write token as Authorization: Bearer …')
    if (actor.kind !== 'token') throw new ForbiddenError('Record assets through the API with a body’s write token')
    const organisation = await organisations.findById(actor.organisationId)
    if (!organisation) throw new ForbiddenError('The token’s body no longer exists')
    return organisation
  }
}

/** A misspelt field would otherwise be ignored and the script never know. */
function refuseUnknownFields(body: object): void {
  const unknown = Object.keys(body).filter((key) => !KNOWN_FIELDS.has(key))
  if (unknown.length > 0) throw new ValidationError(unknown.map((name) => ({ name, message: `${name} is not a field of an asset` })))
}

export default assetApiRoutes
