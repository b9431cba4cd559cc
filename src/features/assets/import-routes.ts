import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requireEditFor } from '../../platform/authorisation.js'
import { acceptCsvUploads, apiUpload, importQueryOptions, importReportSchema, rejectedRowsSchema, reportPageContext, sendImportReport, uploadedForm } from '../../platform/import-endpoints.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { formErrors } from '../../platform/views.js'
import type { Organisation } from '../organisations/service.js'
import { assetImportOutcome, type AssetImportReport } from './import.js'
import { COLUMN_SPECS, type ImportFormat } from './import-columns.js'
import { templateCsv } from './import-template.js'

/** The largest file accepted by upload or API (the command reads files of any size from disk). */
const MAX_BYTES = 100 * 1024 * 1024
const FORMATS: ImportFormat[] = ['transparency-code', 'generic']

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const ImportReportSchema = importReportSchema(
  {
    column: 'The file’s own heading of the column at fault; empty when the whole row or file is',
    warnings: 'What was accepted but is worth checking: an unknown column, swapped coordinates, a malformed postcode kept as written',
  },
  { format: Type.String({ description: 'transparency-code or generic: how the headings were read' }) },
)
const ImportQuery = Type.Object({
  ...importQueryOptions,
  format: Type.Optional(Type.Union([Type.Literal('transparency-code'), Type.Literal('generic')], { description: 'How to read the headings; by default, told from them' })),
})

const assetImportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisations, assetImport } = app.services

  await acceptCsvUploads(app, MAX_BYTES)

  app.get('/organisations/:slug/assets/template.csv', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    // The byte order mark makes Excel read the file as UTF-8 rather than guess.
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${organisation.slug}-assets-template.csv"`).send(`\uFEFF${templateCsv()}`)
  })

  app.get('/organisations/:slug/assets/import', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    return reply.render('assets/templates/import.njk', uploadContext(organisation, {}))
  })

  app.post('/organisations/:slug/assets/import', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    const { file, body, options: ticked } = uploadedForm(request)
    const format = FORMATS.find((f) => f === body.format)
    const options = { ...ticked, ...(format ? { format } : {}) }
    if (!file) {
      return reply.status(400).render('assets/templates/import.njk', { ...uploadContext(organisation, options), errors: formErrors([{ name: 'file', message: 'Select a CSV file to upload' }]) })
    }
    const report = await assetImport.importCsv(request.actor, organisation.slug, file, options)
    return reply.status(report.rejected.length > 0 ? 422 : 200).render('assets/templates/import-report.njk', reportContext(organisation, report))
  })

  app.post(
    '/api/v1/assets/import',
    {
      schema: {
        tags: ['Assets'],
        summary: 'Import the token’s body’s asset register from a CSV file',
        description:
          'Send a Transparency Code land and buildings register, or a file in the template (`GET /organisations/{slug}/assets/template.csv`), as the request body with `Content-Type: text/csv`, up to 100 MB, UTF-8 or Windows-1252. Assets are matched on their asset code: importing the same file again changes nothing, and columns the file does not have keep their stored values. Unless `allowPartial` is set, a file with any rejected row changes nothing. Answers 200 with the report when every row was accepted, otherwise 422 with each rejected row in `errors` and the report in `report`.',
        security: [{ bearerToken: [] }],
        consumes: ['text/csv'],
        querystring: ImportQuery,
        body: Type.Unknown({ description: 'The CSV file' }),
        response: { 200: ImportReportSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 413: ProblemSchema, 415: ProblemSchema, 422: rejectedRowsSchema(ImportReportSchema) },
      },
    },
    async (request, reply) => {
      const { organisation, file } = await apiUpload(request, organisations)
      const { dryRun, allowPartial, format } = request.query
      const report = await assetImport.importCsv(request.actor, organisation.slug, file, { dryRun, allowPartial, ...(format ? { format } : {}) })
      return sendImportReport(request, reply, report, assetImportOutcome(report).detail)
    },
  )
}

function breadcrumbs(organisation: Organisation) {
  return [
    { text: 'Home', href: '/' },
    { text: 'Public assets', href: '/assets' },
    { text: organisation.name, href: `/assets?body=${organisation.slug}` },
  ]
}

function uploadContext(organisation: Organisation, values: { dryRun?: boolean; allowPartial?: boolean; format?: ImportFormat }) {
  return {
    title: 'Import an asset register',
    organisation,
    values,
    formatItems: [
      { value: '', text: 'Tell from the column headings', checked: !values.format },
      { value: 'transparency-code', text: 'Transparency Code land and buildings register', checked: values.format === 'transparency-code' },
      { value: 'generic', text: 'The platform’s template', checked: values.format === 'generic' },
    ],
    columns: COLUMN_SPECS.filter((spec) => spec.field !== 'ignored'),
    maxMegabytes: MAX_BYTES / 1024 / 1024,
    breadcrumbs: breadcrumbs(organisation),
  }
}

function reportContext(organisation: Organisation, report: AssetImportReport) {
  return {
    ...reportPageContext(report, assetImportOutcome(report)),
    organisation,
    breadcrumbs: [...breadcrumbs(organisation), { text: 'Import an asset register', href: `/organisations/${organisation.slug}/assets/import` }],
  }
}

export default assetImportRoutes
