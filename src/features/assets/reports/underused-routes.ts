import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageRequest, paginationComponent } from '../../../platform/pagination.js'
import { ProblemSchema } from '../../../platform/problem-schema.js'
import { formErrors } from '../../../platform/views.js'
import { parseBbox } from '../search/filters.js'
import { selectionFeatures } from '../search/map-clusters.js'
import { MapFeatureCollection, first, withQuery } from '../search/query.js'
import { assetSearchFor } from '../search/search.js'
import { leniently, underusedInput } from './query.js'
import { UnderusedMapQuery, UnderusedQuery, UnderusedSchema } from './schemas.js'
import { underusedReport, type UnderusedReport, type UnderusedTotals } from './underused.js'
import { underusedAssetsCsv, underusedTotalsCsv } from './underused-export.js'
import { assetRows, filterOptions, mapBbox, money, narrowedHref, totalsCells, underusedParams } from './underused-view.js'

/** Bodies shown in the page's table until the viewer asks for all of them. */
const BODIES_SHOWN = 20
const ASSETS_PAGE_SIZE = 20

/** The report as the API gives it: everything but the positions and caches. */
function publicReport(report: UnderusedReport) {
  const { filters, total, byReason, byBody, byClass, byRegion } = report
  return { filters, total, byReason, byBody, byClass, byRegion }
}

/*
 * Underused capital across the public sector: the page (filters as a GET form, totals, the
 * tables by body, class and region, a map and the list), its two CSV downloads, and the API.
 */
const underusedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, config } = app.services
  const search = assetSearchFor(db)
  const { index } = search

  app.get('/assets/underused', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const read = underusedInput(query)
    const { result: report, errors } = await leniently(read.input, read.errors, (input) => underusedReport(index, input))
    const everything = await underusedReport(index)
    const { filters } = report
    const params = underusedParams(filters)
    const allBodies = first(query.bodies) === 'all'
    const page = pageRequest({ page: query.page, pageSize: ASSETS_PAGE_SIZE })
    const assets = await assetRows(db, index, report, page.page, page.pageSize)
    const view = <T extends UnderusedTotals>(rows: T[]) => rows.map((r) => ({ ...r, ...totalsCells(r) }))
    return reply.status(errors.length > 0 ? 400 : 200).render('assets/reports/templates/underused.njk', {
      title: page.page > 1 ? `Underused capital (assets page ${page.page})` : 'Underused capital',
      ...(errors.length > 0 ? { errors: formErrors(errors) } : {}),
      // What was typed stays in the form, even when it was refused.
      typed: { ...read.typed, threshold: read.typed.threshold || String(filters.threshold) },
      filters,
      options: filterOptions(index, everything, filters),
      total: { ...report.total, ...totalsCells(report.total), registerBookValue: money(report.total.registerBookValuePence) },
      byReason: view(report.byReason),
      byBody: view(allBodies ? report.byBody : report.byBody.slice(0, BODIES_SHOWN)).map((r) => ({ ...r, label: r.name, href: narrowedHref(filters, { body: r.slug }) })),
      bodiesHidden: allBodies ? 0 : Math.max(0, report.byBody.length - BODIES_SHOWN),
      allBodiesHref: `${withQuery('/assets/underused', { ...params, bodies: 'all' })}#by-body`,
      byClass: view(report.byClass).map((r) => ({ ...r, href: narrowedHref(filters, { class: r.code }) })),
      byRegion: view(report.byRegion).map((r) => ({ ...r, href: narrowedHref(filters, { region: r.value }) })),
      assets,
      assetsFrom: (page.page - 1) * page.pageSize + 1,
      pagination: paginationComponent({ items: assets, total: report.total.count, ...page }, '/assets/underused', { ...params, bodies: allBodies ? 'all' : undefined }),
      csvHref: withQuery('/assets/underused.csv', params),
      totalsCsvHref: withQuery('/assets/underused-totals.csv', params),
      apiHref: withQuery('/api/v1/assets/underused', params),
      registerHref: withQuery('/assets', { body: filters.body ?? undefined, class: filters.class ?? undefined }),
      map: {
        features: withQuery('/api/v1/assets/underused.geojson', params),
        bbox: mapBbox(first(query.bbox), report.extent),
        tiles: config.map.tileUrl,
        attribution: config.map.attribution,
      },
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
      ],
    })
  })

  app.get('/assets/underused.csv', async (request, reply) => {
    const report = await underusedReport(index, underusedInput(request.query as Record<string, unknown>).input)
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="underused-assets.csv"')
      .send(underusedAssetsCsv(db, index, report, config.baseUrl))
  })

  app.get('/assets/underused-totals.csv', async (request, reply) => {
    const report = await underusedReport(index, underusedInput(request.query as Record<string, unknown>).input)
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="underused-totals.csv"').send(underusedTotalsCsv(report))
  })

  app.get(
    '/api/v1/assets/underused',
    {
      schema: {
        tags: ['Assets'],
        summary: 'Underused capital: assets recorded as underused, vacant or surplus, or used less than a threshold, with their book value, by body, class and region',
        description: 'Disposed assets never count; nor do assets out on loan to another body (the borrower is using them). Regions are the owning bodies’. The figures add up: each table’s rows sum to the total.',
        querystring: UnderusedQuery,
        response: { 200: UnderusedSchema, 400: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request) => publicReport(await underusedReport(index, request.query)),
  )

  app.get(
    '/api/v1/assets/underused.geojson',
    {
      schema: {
        tags: ['Assets'],
        summary: 'The map of underused assets: those in a box, clustered for a zoom level',
        description: 'The same RFC 7946 FeatureCollection as `/api/v1/assets.geojson`, of the assets the underused report with these filters counts.',
        querystring: UnderusedMapQuery,
        response: { 200: MapFeatureCollection, 400: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { bbox, zoom, limit, ...filters } = request.query
      const view = { bbox: checkedBbox(bbox), ...(zoom === undefined ? {} : { zoom }) }
      const report = await underusedReport(index, filters)
      // The version is in the key: the map's cell totals are kept by key alone.
      const selection = { key: `underused|${report.version}|${JSON.stringify(report.filters)}`, version: report.version, passing: report.positions }
      return reply.type('application/geo+json; charset=utf-8').send(await selectionFeatures(db, search, selection, view, limit))
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

export default underusedRoutes
