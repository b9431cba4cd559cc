import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageRequest } from '../../../platform/pagination.js'
import { ProblemSchema } from '../../../platform/problem-schema.js'
import { parseBbox, type AssetFilters } from './filters.js'
import { mapFeatures } from './map-clusters.js'
import { AssetSearchPage, AssetSearchQuery, MapFeatureCollection, MapQuery } from './query.js'
import type { AssetSearch, AssetSort } from './search.js'

const TAGS = ['Assets']

/*
 * The register's search and map for machines: the same filters as the pages, answered as JSON
 * and GeoJSON (RFC 7946).
 */
const assetSearchApiRoutes: FastifyPluginAsyncTypebox<{ search: AssetSearch }> = async (app, { search }) => {
  const { db } = app.services

  app.get(
    '/api/v1/assets/search',
    {
      schema: {
        tags: TAGS,
        summary: 'Search the register of public assets, with counts for each filter',
        querystring: AssetSearchQuery,
        response: { 200: AssetSearchPage, 400: ProblemSchema },
      },
    },
    async (request) => {
      const { page, pageSize, sort, bbox, ...filters } = request.query
      const result = await search.search({ ...filters, ...(bbox ? { bbox: checkedBbox(bbox) } : {}) }, pageRequest({ page, pageSize }), sort as AssetSort | undefined)
      return { items: result.items, total: result.total, page: result.page, pageSize: result.pageSize, sort: result.sort, facets: result.facets }
    },
  )

  app.get(
    '/api/v1/assets.geojson',
    {
      schema: {
        tags: TAGS,
        summary: 'The map: assets in a box, clustered for a zoom level',
        description:
          'An RFC 7946 FeatureCollection of at most `limit` points, however many assets are in view: a single asset (with `id`, `name` and `href`) or a cluster (with `cluster: true`, its `count`, and a `bbox` of where its assets are). The counts add up to `total`. Takes the search’s filters.',
        querystring: MapQuery,
        response: { 200: MapFeatureCollection, 400: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { bbox, zoom, limit, ...filters } = request.query
      const features = await mapFeatures(db, search, filters as AssetFilters, { bbox: checkedBbox(bbox), ...(zoom === undefined ? {} : { zoom }) }, limit)
      return reply.type('application/geo+json; charset=utf-8').send(features)
    },
  )
}

/** A box that is not one is refused as the query's schema refuses anything else: 400, naming `bbox`. */
function checkedBbox(text: string): [number, number, number, number] {
  const bbox = parseBbox(text)
  if ('problem' in bbox) {
    throw Object.assign(new Error(bbox.problem), { statusCode: 400, validationContext: 'querystring', validation: [{ instancePath: '/bbox', message: bbox.problem, params: {} }] })
  }
  return bbox
}

export default assetSearchApiRoutes
