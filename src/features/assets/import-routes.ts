import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requireEditFor } from '../../platform/authorisation.js'
import { sendProblem, type Problem } from '../../platform/error-handler.js'
import { AppError, UnauthenticatedError } from '../../platform/errors.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import { formErrors } from '../../platform/views.js'
import { problemName } from '../datasets/import-report.js'
import type { Organisation } from '../organisations/service.js'
import { assetImportOutcome, type AssetImportReport } from './import.js'
import { COLUMN_SPECS, type ImportFormat } from './import-columns.js'
import { templateCsv } from './import-template.js'

/** The largest file accepted by upload or API (the command reads files of any size from disk). */
const MAX_BYTES = 100 * 1024 * 1024
/** Rejected rows listed on the report page; the command and the API list them all. */
const PAGE_PROBLEMS = 5000
const SUMMARY_PROBLEMS = 10
const FORMATS: ImportFormat[] = ['transparency-code', 'generic']

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const ImportProblemSchema = Type.Object({
  line: Type.Integer({ description: 'The line of the file where the row starts (the header is line 1)' }),
  column: Type.String({ description: 'The file’s own heading of the column at fault; empty when the whole row or file is' }),
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
    warnings: Type.Array(ImportProblemSchema, { description: 'What was accepted but is worth checking: an unknown column, swapped coordinates, a malformed postcode kept as written' }),
    fileRejected: Type.Boolean(),
    dryRun: Type.Boolean(),
    allowPartial: Type.Boolean(),
    saved: Type.Boolean({ description: 'Whether the changes were saved. When not, the counts say what importing would have done' }),
    encoding: Type.String(),
    format: Type.String({ description: 'transparency-code or generic: how the headings were read' }),
  },
  { description: 'What the import did' },
)
const ImportQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Check the file and report what would happen, saving nothing' })),
  allowPartial: Type.Optional(Type.Boolean({ default: false, description: 'Save the valid rows even when others are rejected' })),
  format: Type.Optional(Type.Union([Type.Literal('transparency-code'), Type.Literal('generic')], { description: 'How to read the headings; by default, told from them' })),
})
const RejectedProblemSchema = Type.Object({ ...ProblemSchema.properties, report: ImportReportSchema }, { description: 'application/problem+json: `errors` names each rejected row as `line N, column C`' })

const isTicked = (value: unknown) => value === 'yes' || value === 'true' || value === 'on'

const assetImportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisations, assetImport } = app.services

  // Only these routes accept uploads. With the fields attached to the body, the platform's CSRF
  // check (a preHandler) finds `_csrf` there as it does for every other form.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: MAX_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6 } })
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: MAX_BYTES }, (_request, body, done) => done(null, body))

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
    const body = (request.body ?? {}) as Record<string, unknown>
    const format = FORMATS.find((f) => f === body.format)
    const options = { dryRun: isTicked(body.dryRun), allowPartial: isTicked(body.allowPartial), ...(format ? { format } : {}) }
    const file = body.file
    if (!Buffer.isBuffer(file) || file.length === 0) {
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
      const { dryRun, allowPartial, format } = request.query
      const report = await assetImport.importCsv(actor, organisation.slug, request.body, { dryRun, allowPartial, ...(format ? { format } : {}) })
      if (report.rejected.length === 0) return report
      const problem: Problem & { report: AssetImportReport } = {
        type: '/api/docs#problem-validation',
        title: 'Rows rejected',
        status: 422,
        detail: assetImportOutcome(report).detail,
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
  const { heading, detail } = assetImportOutcome(report)
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
    warnings: report.warnings.slice(0, PAGE_PROBLEMS),
    hiddenWarnings: Math.max(0, report.warnings.length - PAGE_PROBLEMS),
    errors: summary.length > 0 ? { summary, byField: {} } : undefined,
    breadcrumbs: [...breadcrumbs(organisation), { text: 'Import an asset register', href: `/organisations/${organisation.slug}/assets/import` }],
  }
}

export default assetImportRoutes
