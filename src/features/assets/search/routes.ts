import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { projectRoot } from '../../../paths.js'
import { canEditFor } from '../../../platform/authorisation.js'
import { pageRequest, paginationComponent } from '../../../platform/pagination.js'
import assetSearchApiRoutes from './api-routes.js'
import coverageRoutes from './coverage-routes.js'
import { csvExport, geoJsonExport } from './export.js'
import { filterParams, filtersFrom, first, sortFrom, withQuery } from './query.js'
import { assetSearchFor } from './search.js'
import { bboxText, chosenCount, facetGroups, resultRow, searchLinks, sortItems } from './views.js'

/** Where the whole United Kingdom fits: the map's first view when no place is chosen. */
export const UK_BBOX = [-8.7, 49.8, 1.9, 60.9] as const

/*
 * Finding public assets: the search page with its facets, the map (an enhancement of the same
 * list), the coverage of the £1,000 rule, and the register as CSV and GeoJSON. Every state is a
 * GET address, so it can be shared and needs no JavaScript.
 */
const assetSearchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.services
  const search = assetSearchFor(db)

  // Leaflet, served from the project: no page depends on another site for its scripts.
  await app.register(fastifyStatic, {
    root: path.join(projectRoot, 'node_modules', 'leaflet', 'dist'),
    prefix: '/vendor/leaflet/',
    decorateReply: false,
    maxAge: '1d',
    allowedPath: (p) => /^\/(leaflet\.(js|css)|images\/[\w-]+\.png)$/.test(p),
  })
  // The first search would otherwise read every asset's facets while someone waits.
  app.addHook('onListen', async () => {
    const started = Date.now()
    search.warmUp().then(
      () => app.log.info({ ms: Date.now() - started, assets: search.index.size }, 'asset search index ready'),
      (error: unknown) => app.log.error({ err: error }, 'could not read the asset search index; searches will try again'),
    )
  })

  await app.register(assetSearchApiRoutes, { search })
  await app.register(coverageRoutes, { search })

  app.get('/assets', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const requestedSort = sortFrom(query.sort)
    const result = await search.search(filtersFrom(query), pageRequest(query), requestedSort)
    const { filters } = result
    const pageSize = first(query.pageSize)
    const heading = filters.q ? `Assets matching “${filters.q}”` : 'Public assets'
    const links = searchLinks(filters, { sort: requestedSort, pageSize })
    // One body chosen: its editors can add to its register from here.
    const at = filters.body.length === 1 ? search.index.organisationBySlug(filters.body[0]!) : undefined
    const owner = at === undefined ? undefined : search.index.organisations[at]
    return reply.render('assets/search/templates/search.njk', {
      owner,
      canEdit: owner ? canEditFor(request.actor, owner.id) : false,
      title: result.page > 1 ? `${heading} (page ${result.page})` : heading,
      result,
      filters,
      rows: result.items.map(resultRow),
      facetGroups: facetGroups(result),
      chosenCount: chosenCount(filters),
      place: bboxText(filters.bbox),
      sortItems: sortItems(result),
      ...links,
      pagination: paginationComponent(result, '/assets', { ...filterParams(filters), sort: requestedSort, pageSize }),
      breadcrumbs: [{ text: 'Home', href: '/' }],
    })
  })

  app.get('/assets/map', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const result = await search.search(filtersFrom(query), { page: 1, pageSize: 1 })
    const { filters } = result
    const links = searchLinks(filters, {})
    return reply.render('assets/search/templates/map.njk', {
      title: filters.q ? `Map of assets matching “${filters.q}”` : 'Map of public assets',
      result,
      filters,
      facetGroups: facetGroups(result),
      chosenCount: chosenCount(filters),
      place: bboxText(filters.bbox),
      ...links,
      map: {
        // The script adds the view's box and zoom to this.
        features: withQuery('/api/v1/assets.geojson', { ...filterParams(filters), bbox: undefined }),
        bbox: (filters.bbox ?? UK_BBOX).join(','),
        tiles: config.map.tileUrl,
        attribution: config.map.attribution,
      },
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: links.listHref },
      ],
    })
  })

  // The tile server, for the small map on an asset's page (whose route does not know the settings).
  app.get('/assets/map/tiles.json', async () => ({ url: config.map.tileUrl, attribution: config.map.attribution }))

  app.get('/assets.csv', async (request, reply) => {
    const filters = filtersFrom(request.query as Record<string, unknown>)
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="assets.csv"').send(csvExport(db, search, filters, config.baseUrl))
  })

  app.get('/assets.geojson', async (request, reply) => {
    const filters = filtersFrom(request.query as Record<string, unknown>)
    return reply
      .type('application/geo+json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="assets.geojson"')
      .send(geoJsonExport(db, search, filters, config.baseUrl))
  })
}

export default assetSearchRoutes
