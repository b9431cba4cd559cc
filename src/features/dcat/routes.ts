import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { sendProblem } from '../../platform/error-handler.js'
import { IdParams } from '../datasets/schemas.js'
import { CachedCount } from './cached-count.js'
import { parseCatalogQuery } from './catalog-query.js'
import { CATALOG_PAGE_SIZE, describeCatalogPage, describeSingleDataset } from './describe-catalog.js'
import { lgdsVocabulary, vocabularyPrefixes } from './lgds-vocabulary.js'
import { prefixesFor } from './namespaces.js'
import type { RdfDocument } from './rdf-document.js'

/*
 * The inventory in DCAT-AP 3.0.1, for harvesters:
 *   GET /catalog.ttl | /catalog.jsonld            the catalogue, 100 datasets a page (?page=N),
 *                                                  optionally ?modified_since=ISO-8601
 *   GET /datasets/{id}.ttl | /datasets/{id}.jsonld one dataset
 *   GET /ns                                        the lgds: extension terms, as Turtle
 *   GET /catalog                                   303 to the catalogue in the format asked for
 * Every declaration is listed, open or not; dct:accessRights says which.
 */

type Format = 'ttl' | 'jsonld'
const FORMATS: Format[] = ['ttl', 'jsonld']
const TURTLE = 'text/turtle; charset=utf-8'
const JSON_LD = 'application/ld+json'

const dcatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasetCatalogue, config } = app.services
  const { baseUrl } = config
  const prefixes = prefixesFor(baseUrl)
  const totalItemsOf = new CachedCount((filter) => datasetCatalogue.count(filter))

  const send = (reply: FastifyReply, doc: RdfDocument, format: Format) =>
    format === 'ttl' ? reply.type(TURTLE).send(doc.toTurtle(prefixes)) : reply.type(JSON_LD).send(JSON.stringify(doc.toJsonLd(prefixes)))

  for (const format of FORMATS) {
    app.get(`/catalog.${format}`, async (request, reply) => {
      const parsed = parseCatalogQuery(request.query as Record<string, unknown>)
      if ('error' in parsed) {
        return sendProblem(reply, {
          type: '/api/docs#problem-validation',
          title: 'Validation failed',
          status: 400,
          detail: parsed.error.message,
          instance: `/catalog.${format}`,
          errors: [parsed.error],
        })
      }
      const { page, modifiedSince } = parsed.query
      const filter = modifiedSince ? { modifiedSince } : {}
      // One row past the page says whether there is a next one, however old the count.
      const [totalItems, rows] = await Promise.all([
        totalItemsOf.get(filter),
        datasetCatalogue.batch(filter, { offset: (page - 1) * CATALOG_PAGE_SIZE, limit: CATALOG_PAGE_SIZE + 1 }),
      ])
      const hasMore = rows.length > CATALOG_PAGE_SIZE
      const entries = hasMore ? rows.slice(0, CATALOG_PAGE_SIZE) : rows
      const pageUrl = (n: number) => {
        const params = new URLSearchParams(modifiedSince ? { modified_since: modifiedSince } : {})
        params.set('page', String(n))
        return `${baseUrl}/catalog.${format}?${params.toString()}`
      }
      return send(reply, describeCatalogPage(entries, { number: page, totalItems, hasMore, pageUrl }, baseUrl), format)
    })

    // find-my-way tells `/datasets/:id.ttl` from the page at `/datasets/:id` by its suffix.
    app.get(`/datasets/:id.${format}`, { schema: { params: IdParams } }, async (request, reply) => {
      const entry = await datasetCatalogue.entry(request.params.id)
      if (!entry) {
        return sendProblem(reply, { type: 'about:blank', title: 'Not found', status: 404, detail: 'There is no dataset with that id', instance: request.url })
      }
      return send(reply, describeSingleDataset(entry, baseUrl), format)
    })
  }

  app.get('/ns', async (_request, reply) => reply.type(TURTLE).send(lgdsVocabulary(baseUrl).toTurtle(vocabularyPrefixes(baseUrl))))

  app.get('/catalog', async (request, reply) => {
    const accept = request.headers.accept ?? ''
    const target = accept.includes(JSON_LD) ? '/catalog.jsonld' : accept.includes('text/turtle') ? '/catalog.ttl' : '/datasets'
    return reply.header('vary', 'Accept').redirect(target, 303)
  })
}

export default dcatRoutes
