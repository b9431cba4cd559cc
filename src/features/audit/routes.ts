import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { changedFields } from '../../platform/audit.js'
import { pageRequest, paginationComponent, PageSchema } from '../../platform/pagination.js'
import { ProblemSchema } from '../../platform/problem-schema.js'

const AuditEvent = Type.Object({
  id: Type.Integer(),
  occurredAt: Type.String(),
  actor: Type.String({ description: 'Who made the change' }),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.String(),
  before: Type.Unknown({ description: 'The record before the change (null when created)' }),
  after: Type.Unknown({ description: 'The record after the change (null when removed)' }),
})

const AuditQuery = Type.Object({
  entity: Type.String({ maxLength: 50, description: 'The kind of record: organisation, dataset, asset…' }),
  id: Type.String({ maxLength: 100, description: 'The record’s id' }),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

/** The public "History" of a record: who changed what, and when. */
const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { audit } = app.services

  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['Audit log'],
        summary: 'The history of one record, newest first',
        querystring: AuditQuery,
        response: { 200: PageSchema(AuditEvent), 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => audit.history(request.query.entity, request.query.id, pageRequest(request.query)),
  )

  app.get(
    '/history/:entity/:id',
    { schema: { params: Type.Object({ entity: Type.String({ maxLength: 50 }), id: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const { entity, id } = request.params
      const page = await audit.history(entity, id, pageRequest(request.query as Record<string, unknown>))
      const events = page.items.map((event) => ({
        ...event,
        changes: changedFields(event.before, event.after).filter((c) => !/^(id|search_text|created_at)$/.test(c.field)),
      }))
      return reply.render('audit/templates/history.njk', {
        title: 'History of changes',
        events,
        page,
        entity,
        id,
        pagination: paginationComponent(page, `/history/${entity}/${id}`, {}),
      })
    },
  )
}

export default auditRoutes
