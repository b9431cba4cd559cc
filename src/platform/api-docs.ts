import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'

interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  security?: unknown[]
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: { type?: string; enum?: unknown[] } }[]
  responses?: Record<string, { description?: string }>
}

/**
 * The OpenAPI 3 document is generated from the routes' own TypeBox schemas, so it cannot drift
 * from what the API does. `/api/docs` renders it as an accessible page (no JavaScript needed).
 */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'LGDS API',
        version: '1',
        description:
          'The Local Government Digital Service API. Reads are open; writes need a body’s API token, sent as `Authorization: Bearer …`. Errors are `application/problem+json` (RFC 9457) with an `errors` list of failing fields.',
      },
      components: { securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'A body’s API token' } } },
    },
    hideUntagged: true,
  })

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  app.get('/api/docs', { schema: { hide: true } }, async (_request, reply) => {
    const document = app.swagger() as { paths?: Record<string, Record<string, Operation>>; info: { description?: string } }
    const operations = Object.entries(document.paths ?? {}).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        id: `${method}-${route}`.replace(/[^a-zA-Z0-9]+/g, '-'),
        method: method.toUpperCase(),
        route,
        summary: op.summary ?? '',
        description: op.description ?? '',
        tag: op.tags?.[0] ?? 'Other',
        needsToken: Boolean(op.security?.length),
        parameters: (op.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: Boolean(p.required),
          type: p.schema?.enum ? p.schema.enum.join(' | ') : (p.schema?.type ?? ''),
          description: p.description ?? '',
        })),
        responses: Object.entries(op.responses ?? {}).map(([code, r]) => ({ code, description: r.description ?? '' })),
      })),
    )
    const tags = [...new Set(operations.map((o) => o.tag))]
    return reply.render('api-docs.njk', {
      title: 'API documentation',
      tags: tags.map((tag) => ({ tag, operations: operations.filter((o) => o.tag === tag) })),
    })
  })
})
