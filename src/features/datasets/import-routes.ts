import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requireEditFor } from '../../platform/authorisation.js'
import { sendProblem, type Problem } from '../../platform/error-handler.js'
import { AppError, UnauthenticatedError } from '../../platform/errors.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { formErrors } from '../../platform/views.js'
import type { Organisation } from '../organisations/service.js'
import { importOutcome, problemName, type ImportReport } from './import-report.js'
import { columnGuide, templateCsv } from './import-template.js'

/** The largest file accepted, by upload or API. */
const MAX_BYTES = 50 * 1024 * 1024
/** Rejected rows listed on the report page; the command and the API list them all. */
const PAGE_PROBLEMS = 5000
const SUMMARY_PROBLEMS = 10

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })

const ImportProblemSchema = Type.Object({
  line: Type.Integer({ description: 'The line of the file where the rejected row starts (the header is line 1)' }),
  column: Type.String({ description: 'The template column at fault; empty when the whole row or file is' }),
  reason: Type.String(),
})

const ImportReportSchema = Type.Object(
  {
    rows: Type.Integer({ description: 'Data rows read' }),
    created: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    rejectedRows: Type.Integer(),
    rejected: Type.Array(ImportProblemSchema),
    warnings: Type.Array(ImportProblemSchema, { description: 'Problems that rejected no row, like a column the template does not have' }),
    fileRejected: Type.Boolean(),
    dryRun: Type.Boolean(),
    allowPartial: Type.Boolean(),
    saved: Type.Boolean({ description: 'Whether the changes were saved. When not, the counts say what importing would have done' }),
    encoding: Type.String(),
  },
  { description: 'What the import did' },
)

const ImportQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Check the file and report what would happen, saving nothing' })),
  allowPartial: Type.Optional(Type.Boolean({ default: false, description: 'Save the valid rows even when others are rejected' })),
})

const RejectedProblemSchema = Type.Object(
  { ...ProblemSchema.properties, report: ImportReportSchema },
  { description: 'application/problem+json: `errors` names each rejected row as `line N, column C`' },
)

const isTicked = (value: unknown) => value === 'yes' || value === 'true' || value === 'on'

const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisations, datasetImport } = app.services

  // Registered here, not on the whole app, so only these routes accept uploads. With the fields
  // attached to the body, they are read before the platform's CSRF check (a preHandler), which
  // then finds `_csrf` in the body as it does for every other form.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6 },
  })
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: MAX_BYTES }, (_request, body, done) => done(null, body))

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
    const body = (request.body ?? {}) as Record<string, unknown>
    const options = { dryRun: isTicked(body.dryRun), allowPartial: isTicked(body.allowPartial) }
    const file = body.file
    if (!Buffer.isBuffer(file) || file.length === 0) {
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
        response: { 200: ImportReportSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 413: ProblemSchema, 415: ProblemSchema, 422: RejectedProblemSchema },
      },
    },
    async (request, reply) => {
      const actor = request.actor
      if (actor.kind !== 'token') throw new UnauthenticatedError('Send a write token of the body as Authorization: Bearer …')
      if (!Buffer.isBuffer(request.body)) throw new AppError('Send the CSV file as the request body with Content-Type: text/csv', 415, 'Unsupported media type')
      if (request.body.length === 0) throw new AppError('The request body is empty: send the CSV file', 400, 'Bad request')
      const organisation = await organisations.findById(actor.organisationId)
      if (!organisation) throw new UnauthenticatedError('The API token is not valid or has been revoked')
      const report = await datasetImport.importCsv(actor, organisation.slug, request.body, { dryRun: request.query.dryRun, allowPartial: request.query.allowPartial })
      if (report.rejected.length === 0) return report
      const problem: Problem & { report: ImportReport } = {
        type: '/api/docs#problem-validation',
        title: 'Rows rejected',
        status: 422,
        detail: importOutcome(report).detail,
        instance: request.url.split('?')[0],
        errors: report.rejected.map((p) => ({ name: problemName(p), message: p.reason })),
        report,
      }
      return sendProblem(reply, problem)
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
  const { heading, detail } = importOutcome(report)
  const shown = report.rejected.slice(0, PAGE_PROBLEMS).map((p, i) => ({ ...p, id: `problem-${i + 1}` }))
  const summary = shown.slice(0, SUMMARY_PROBLEMS).map((p) => ({ text: `${p.column ? `Line ${p.line}, column ${p.column}` : `Line ${p.line}`}: ${p.reason}`, href: `#${p.id}` }))
  if (report.rejected.length > SUMMARY_PROBLEMS) summary.push({ text: `And ${(report.rejected.length - SUMMARY_PROBLEMS).toLocaleString('en-GB')} more problems listed below`, href: '#rejected-rows' })
  return {
    title: heading,
    heading,
    detail,
    organisation,
    report,
    problems: shown,
    hiddenProblems: report.rejected.length - shown.length,
    errors: summary.length > 0 ? { summary, byField: {} } : undefined,
    breadcrumbs: [...breadcrumbs(organisation), { text: 'Import datasets', href: `/organisations/${organisation.slug}/datasets/import` }],
  }
}

export default importRoutes
