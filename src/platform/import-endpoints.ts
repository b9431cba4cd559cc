import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type TObject, type TProperties } from 'typebox'
import type { OrganisationService, Organisation } from '../features/organisations/service.js'
import { sendProblem, type Problem } from './error-handler.js'
import { AppError, UnauthenticatedError } from './errors.js'
import { importOutcome, problemName, type ImportReport } from './import-report.js'
import { ProblemSchema } from './problem-schema.js'

/*
 * What the CSV imports' pages and API endpoints share: taking the upload, the report's schema,
 * the 422 problem listing every rejected row, and the report page's error summary.
 */

/** Rejected rows listed on the report page; the command and the API list them all. */
const PAGE_PROBLEMS = 5000
const SUMMARY_PROBLEMS = 10

/** The report of an import, as the API documents it; `extra` holds what one import adds. */
export function importReportSchema<Extra extends TProperties = {}>(descriptions: { column: string; warnings: string }, extra: Extra = {} as Extra) {
  const problem = Type.Object({
    line: Type.Integer({ description: 'The line of the file where the rejected row starts (the header is line 1)' }),
    column: Type.String({ description: descriptions.column }),
    reason: Type.String(),
  })
  return Type.Object(
    {
      rows: Type.Integer({ description: 'Data rows read' }),
      created: Type.Integer(),
      updated: Type.Integer(),
      unchanged: Type.Integer(),
      rejectedRows: Type.Integer(),
      rejected: Type.Array(problem),
      warnings: Type.Array(problem, { description: descriptions.warnings }),
      fileRejected: Type.Boolean(),
      dryRun: Type.Boolean(),
      allowPartial: Type.Boolean(),
      saved: Type.Boolean({ description: 'Whether the changes were saved. When not, the counts say what importing would have done' }),
      encoding: Type.String(),
      ...extra,
    },
    { description: 'What the import did' },
  )
}

/** The 422 answer: `errors` names each rejected row, and the whole report comes with it. */
export function rejectedRowsSchema<Report extends TObject>(report: Report) {
  return Type.Object({ ...ProblemSchema.properties, report }, { description: 'application/problem+json: `errors` names each rejected row as `line N, column C`' })
}

/** The query options every import endpoint takes. */
export const importQueryOptions = {
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Check the file and report what would happen, saving nothing' })),
  allowPartial: Type.Optional(Type.Boolean({ default: false, description: 'Save the valid rows even when others are rejected' })),
}

/**
 * Lets the plugin's routes (and only them) take a file: uploaded from a form, or sent as the
 * body with `Content-Type: text/csv`. With the form's fields attached to the body, the
 * platform's CSRF check (a preHandler) finds `_csrf` there as it does for every other form.
 */
export async function acceptCsvUploads(app: FastifyInstance, maxBytes: number): Promise<void> {
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6 } })
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body))
}

/** An upload form's fields: the file (absent or empty when none was chosen) and the two options. */
export function uploadedForm(request: FastifyRequest): { file: Buffer | null; body: Record<string, unknown>; options: { dryRun: boolean; allowPartial: boolean } } {
  const body = (request.body ?? {}) as Record<string, unknown>
  const ticked = (value: unknown) => value === 'yes' || value === 'true' || value === 'on'
  const file = Buffer.isBuffer(body.file) && body.file.length > 0 ? body.file : null
  return { file, body, options: { dryRun: ticked(body.dryRun), allowPartial: ticked(body.allowPartial) } }
}

/** The body a write token belongs to and the file it sent, or the problem with the request. */
export async function apiUpload(request: FastifyRequest, organisations: OrganisationService): Promise<{ organisation: Organisation; file: Buffer }> {
  const actor = request.actor
  if (actor.kind !== 'token') throw new UnauthenticatedError('Send a write token of the body as Authorization: Bearer …')
  if (!Buffer.isBuffer(request.body)) throw new AppError('Send the CSV file as the request body with Content-Type: text/csv', 415, 'Unsupported media type')
  if (request.body.length === 0) throw new AppError('The request body is empty: send the CSV file', 400, 'Bad request')
  const organisation = await organisations.findById(actor.organisationId)
  if (!organisation) throw new UnauthenticatedError('The API token is not valid or has been revoked')
  return { organisation, file: request.body }
}

/** The API's answer: the report, or a 422 problem listing every rejected row with the report. */
export function sendImportReport<R extends ImportReport>(request: FastifyRequest, reply: FastifyReply, report: R, detail: string): R | FastifyReply {
  if (report.rejected.length === 0) return report
  const problem: Problem & { report: R } = {
    type: '/api/docs#problem-validation',
    title: 'Rows rejected',
    status: 422,
    detail,
    instance: request.url.split('?')[0],
    errors: report.rejected.map((p) => ({ name: problemName(p), message: p.reason })),
    report,
  }
  return sendProblem(reply, problem)
}

/** What the report page shows: the outcome, the first few thousand problems, and an error summary linking to them. */
export function reportPageContext(report: ImportReport, outcome: { heading: string; detail: string } = importOutcome(report)) {
  const shown = report.rejected.slice(0, PAGE_PROBLEMS).map((p, i) => ({ ...p, id: `problem-${i + 1}` }))
  const summary = shown.slice(0, SUMMARY_PROBLEMS).map((p) => ({ text: `${p.column ? `Line ${p.line}, column ${p.column}` : `Line ${p.line}`}: ${p.reason}`, href: `#${p.id}` }))
  if (report.rejected.length > SUMMARY_PROBLEMS) summary.push({ text: `And ${(report.rejected.length - SUMMARY_PROBLEMS).toLocaleString('en-GB')} more problems listed below`, href: '#rejected-rows' })
  return {
    title: outcome.heading,
    heading: outcome.heading,
    detail: outcome.detail,
    report,
    problems: shown,
    hiddenProblems: report.rejected.length - shown.length,
    warnings: report.warnings.slice(0, PAGE_PROBLEMS),
    hiddenWarnings: Math.max(0, report.warnings.length - PAGE_PROBLEMS),
    errors: summary.length > 0 ? { summary, byField: {} } : undefined,
  }
}
