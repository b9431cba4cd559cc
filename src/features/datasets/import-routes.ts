import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requireEditFor } from '../../platform/authorisation.js'
import { acceptCsvUploads, apiUpload, importQueryOptions, importReportSchema, rejectedRowsSchema, reportPageContext, sendImportReport, uploadedForm } from '../../platform/import-endpoints.js'
import { importOutcome, type ImportReport } from '../../platform/import-report.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { formErrors } from '../../platform/views.js'
import type { Organisation } from '../organisations/service.js'
import { columnGuide, templateCsv } from './import-template.js'

/** The largest file accepted, by upload or API. */
const MAX_BYTES = 50 * 1024 * 1024

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const ImportReportSchema = importReportSchema({
  column: 'The template column at fault; empty when the whole row or file is',
  warnings: 'Problems that rejected no row, like a column the template does not have',
})
const ImportQuery = Type.Object(importQueryOptions)

const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisations, datasetImport } = app.services

  await acceptCsvUploads(app, MAX_BYTES)

  // ---- pages ----

  app.get('/organisations/:slug/datasets/template.csv', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    // The byte order mark makes Excel read the file as UTF-8 rather than guess.
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${organisation.slug}-datasets-template.csv"`)
      .send(`\uFEFF${templateCsv()}`)
  })

  app.get('/organisations/:slug/datasets/import', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    return reply.render('datasets/templates/import.njk', uploadContext(organisation, {}))
  })

  app.post('/organisations/:slug/datasets/import', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    const { file, options } = uploadedForm(request)
    if (!file) {
      return reply.status(400).render('datasets/templates/import.njk', {
        ...uploadContext(organisation, options),
        errors: formErrors([{ name: 'file', message: 'Select a CSV file to upload' }]),
      })
    }
    const report = await datasetImport.importCsv(request.actor, organisation.slug, file, options)
    return reply.status(report.rejected.length > 0 ? 422 : 200).render('datasets/templates/import-report.njk', reportContext(organisation, report))
  })

  // ---- API ----

  app.post(
    '/api/v1/datasets/import',
    {
      schema: {
        tags: ['Datasets'],
        summary: 'Declare and update the token’s body’s datasets from a CSV file',
        description:
          'Send the file in the published template (`GET /organisations/{slug}/datasets/template.csv`) as the request body with `Content-Type: text/csv`, up to 50 MB, UTF-8 or Windows-1252. Rows are matched to datasets already declared by identifier, then reference, then exact title; importing the same file again changes nothing. Unless `allowPartial` is set, a file with any rejected row changes nothing. Answers 200 with the report when every row was accepted, otherwise 422 with each rejected row in `errors` and the report in `report`.',
        security: [{ bearerToken: [] }],
        consumes: ['text/csv'],
        querystring: ImportQuery,
        body: Type.Unknown({ description: 'The CSV file' }),
        response: { 200: ImportReportSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 413: ProblemSchema, 415: ProblemSchema, 422: rejectedRowsSchema(ImportReportSchema) },
      },
    },
    async (request, reply) => {
      const { organisation, file } = await apiUpload(request, organisations)
      const report = await datasetImport.importCsv(request.actor, organisation.slug, file, { dryRun: request.query.dryRun, allowPartial: request.query.allowPartial })
      return sendImportReport(request, reply, report, importOutcome(report).detail)
    },
  )
}

function breadcrumbs(organisation: Organisation) {
  return [
    { text: 'Home', href: '/' },
    { text: 'Organisations', href: '/organisations' },
    { text: organisation.name, href: `/organisations/${organisation.slug}` },
  ]
}

function uploadContext(organisation: Organisation, values: { dryRun?: boolean; allowPartial?: boolean }) {
  return {
    title: 'Import datasets from a spreadsheet',
    organisation,
    values,
    columnGuide,
    maxMegabytes: MAX_BYTES / 1024 / 1024,
    breadcrumbs: breadcrumbs(organisation),
  }
}

function reportContext(organisation: Organisation, report: ImportReport) {
  return {
    ...reportPageContext(report),
    organisation,
    breadcrumbs: [...breadcrumbs(organisation), { text: 'Import datasets', href: `/organisations/${organisation.slug}/datasets/import` }],
  }
}

export default importRoutes
