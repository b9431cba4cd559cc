import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Actor } from '../../platform/actor.js'
import { ForbiddenError, UnauthenticatedError } from '../../platform/errors.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import type { Organisation } from '../organisations/service.js'
import { Dataset, DatasetDetail, DeclarationBody, DistributionInput, IdParams, Release, ReleaseBody, ReleaseChangeBody, ReleasedBody, UpdateBody, WithdrawBody } from './schemas.js'

const TAGS = ['Datasets']
const WRITE = [{ bearerToken: [] }]

/** The answers every write can give besides success. */
const WRITE_PROBLEMS = {
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
}

/*
 * The declarations API for publishers' scripts. A write token acts for its own body only: the
 * service checks that for every write, whichever body the dataset belongs to.
 */
const datasetApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasets, organisations } = app.services

  app.get(
    '/api/v1/datasets/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One dataset with its publisher, release schedule and distributions',
        params: IdParams,
        response: { 200: DatasetDetail, 404: ProblemSchema },
      },
    },
    async (request) => datasets.get(request.params.id),
  )

  app.post(
    '/api/v1/datasets',
    {
      schema: {
        tags: TAGS,
        summary: 'Declare a dataset for the token’s body',
        description:
          'The dataset belongs to the body the write token was made for. Give `distributions` for data already published. Every failing field is named in `errors` (422).',
        security: WRITE,
        body: DeclarationBody,
        response: { 201: Dataset, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const { distributions, organisation: named, ...declaration } = request.body
      const organisation = await tokenOrganisation(request.actor)
      if (named !== undefined && named !== organisation.slug) throw new ForbiddenError(`This token can only declare datasets for ${organisation.name}`)
      const created = await datasets.declare(request.actor, organisation.slug, declaration, distributions ?? [])
      return reply.status(201).header('location', `/api/v1/datasets/${created.id}`).send(created)
    },
  )

  app.put(
    '/api/v1/datasets/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Replace a declaration',
        description: 'Send the whole declaration with the `version` you read. If the dataset changed since, the answer is 409 and nothing is saved.',
        security: WRITE,
        params: IdParams,
        body: UpdateBody,
        response: { 200: Dataset, ...WRITE_PROBLEMS },
      },
    },
    async (request) => {
      const { version, ...declaration } = request.body
      return datasets.update(request.actor, request.params.id, declaration, version)
    },
  )

  app.post(
    '/api/v1/datasets/:id/withdraw',
    {
      schema: {
        tags: TAGS,
        summary: 'Withdraw a dataset',
        description: 'A withdrawn dataset stays listed with its history and the reason given.',
        security: WRITE,
        params: IdParams,
        body: WithdrawBody,
        response: { 200: Dataset, ...WRITE_PROBLEMS },
      },
    },
    async (request) => datasets.withdraw(request.actor, request.params.id, request.body.reason, request.body.version),
  )

  app.post(
    '/api/v1/datasets/:id/releases',
    {
      schema: {
        tags: TAGS,
        summary: 'Add a planned release to the schedule',
        security: WRITE,
        params: IdParams,
        body: ReleaseBody,
        response: { 201: Release, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const release = await datasets.addRelease(request.actor, request.params.id, request.body)
      return reply.status(201).header('location', `/api/v1/datasets/${request.params.id}`).send(release)
    },
  )

  app.patch(
    '/api/v1/releases/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Move, confirm or cancel a planned release',
        description: 'Every change of date or state is kept in the release’s `changes`.',
        security: WRITE,
        params: IdParams,
        body: ReleaseChangeBody,
        response: { 200: Release, ...WRITE_PROBLEMS },
      },
    },
    async (request) => datasets.updateRelease(request.actor, request.params.id, request.body),
  )

  app.post(
    '/api/v1/releases/:id/released',
    {
      schema: {
        tags: TAGS,
        summary: 'Mark a release released, with the distribution it produced',
        description: 'The dataset is then published. Failing fields are named `distribution.accessUrl` and so on.',
        security: WRITE,
        params: IdParams,
        body: ReleasedBody,
        response: { 200: DatasetDetail, ...WRITE_PROBLEMS },
      },
    },
    async (request) => datasets.markReleased(request.actor, request.params.id, request.body.distribution),
  )

  app.post(
    '/api/v1/datasets/:id/distributions',
    {
      schema: {
        tags: TAGS,
        summary: 'Add a published distribution',
        description: 'For data already published outside the schedule. The dataset is then published.',
        security: WRITE,
        params: IdParams,
        body: DistributionInput,
        response: { 201: DatasetDetail, ...WRITE_PROBLEMS },
      },
    },
    async (request, reply) => {
      const detail = await datasets.addDistribution(request.actor, request.params.id, request.body)
      return reply.status(201).header('location', `/api/v1/datasets/${request.params.id}`).send(detail)
    },
  )

  /** The body a new declaration belongs to: the token's own. */
  async function tokenOrganisation(actor: Actor): Promise<Organisation> {
    if (actor.kind === 'anonymous') throw new UnauthenticatedError('Send a write token as Authorization: Bearer …')
    if (actor.kind !== 'token') throw new ForbiddenError('Declare datasets through the API with a body’s write token')
    const organisation = await organisations.findById(actor.organisationId)
    if (!organisation) throw new ForbiddenError('The token’s body no longer exists')
    return organisation
  }
}

export default datasetApiRoutes
