import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageRequest } from '../../platform/pagination.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { AnswerBody, DataRequest, DataRequestDetail, DataRequestPage, RequestListQuery, RequestParams } from './schemas.js'

/** Data requests for machines: the same list and filters as `/requests`, and a body's answer by token. */
const requestApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { requests, requestParticipation } = app.services

  app.get(
    '/api/v1/requests',
    {
      schema: {
        tags: ['Data requests'],
        summary: 'Search data requests',
        description: 'Filter by status (or `overdue`) and body; sort by newest or most supported.',
        querystring: RequestListQuery,
        response: { 200: DataRequestPage, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { page, pageSize, ...filters } = request.query
      return requests.list(filters, pageRequest({ page, pageSize }))
    },
  )

  app.get(
    '/api/v1/requests/:id',
    {
      schema: {
        tags: ['Data requests'],
        summary: 'One data request, with its answer and comments',
        params: RequestParams,
        response: { 200: DataRequestDetail, 404: ProblemSchema },
      },
    },
    async (request) => {
      const found = await requests.get(request.params.id)
      return { ...found, comments: await requestParticipation.comments(found) }
    },
  )

  app.post(
    '/api/v1/requests/:id/answer',
    {
      schema: {
        tags: ['Data requests'],
        summary: 'Answer a request made to your body',
        description:
          'With a write token of the body asked. `scheduled` needs `release` (a planned release of one of the body’s datasets); `declined` needs `declineReason` and `response`; `fulfilled` needs `dataset`.',
        security: [{ bearerToken: [] }],
        params: RequestParams,
        body: AnswerBody,
        response: { 200: DataRequest, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request) => requests.answer(request.actor, request.params.id, request.body),
  )
}

export default requestApiRoutes
