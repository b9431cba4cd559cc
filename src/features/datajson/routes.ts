import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { sendProblem } from '../../platform/error-handler.js'
import { NotFoundError } from '../../platform/errors.js'
import type { CatalogueFilter } from '../datasets/catalogue.js'
import { IdParams } from '../datasets/schemas.js'
import { dataJsonChunks, podDataset } from './pod.js'

/*
 * The inventory as Project Open Data v1.1 `data.json`, for harvesters. The catalogue is written
 * while it is read, a batch at a time, so a national inventory is served in flat memory.
 */

/** Datasets read per query while streaming. */
const BATCH_SIZE = 500
const CACHE_CONTROL = 'public, max-age=300'
const JSON_TYPE = 'application/json; charset=utf-8'

const DataJsonQuery = Type.Object({
  publisher: Type.Optional(Type.String({ maxLength: 100, description: 'Slug of one publishing body, like `trafford`' })),
})

const dataJsonRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasetCatalogue, organisations, config } = app.services

  app.get('/data.json', { schema: { querystring: DataJsonQuery } }, async (request, reply) => {
    const slug = request.query.publisher?.trim().toLowerCase()
    const filter: CatalogueFilter = {}
    let selfUrl = `${config.baseUrl}/data.json`
    if (slug) {
      try {
        const publisher = await organisations.getBySlug(slug)
        filter.organisationId = publisher.id
        selfUrl += `?${new URLSearchParams({ publisher: publisher.slug })}`
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error
        return notFound(reply, request.url, `There is no publisher called “${slug}”: use the slug of an organisation, as in /organisations/{slug}`)
      }
    }
    const body = Readable.from(dataJsonChunks(datasetCatalogue.stream(filter, BATCH_SIZE), config.baseUrl, selfUrl), { objectMode: false })
    return reply.type(JSON_TYPE).header('cache-control', CACHE_CONTROL).send(body)
  })

  app.get('/datasets/:id/data.json', { schema: { params: IdParams } }, async (request, reply) => {
    const entry = await datasetCatalogue.entry(request.params.id)
    if (!entry) return notFound(reply, request.url, 'There is no dataset with that id')
    return reply.type(JSON_TYPE).header('cache-control', CACHE_CONTROL).send(JSON.stringify(podDataset(entry, config.baseUrl)))
  })
}

/** Machines ask for data.json, so a miss is answered in problem+json rather than a page. */
function notFound(reply: FastifyReply, url: string, detail: string) {
  return sendProblem(reply, { type: 'about:blank', title: 'Not found', status: 404, detail, instance: url.split('?')[0] })
}

export default dataJsonRoutes
