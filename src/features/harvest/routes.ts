import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requireEditFor } from '../../platform/authorisation.js'
import type { FieldError } from '../../platform/errors.js'
import { formErrors } from '../../platform/views.js'
import { isWebAddress } from '../datasets/validation.js'
import { DEFAULT_LICENCE, FREQUENCIES, LICENCES, THEMES } from '../datasets/vocabularies.js'
import type { Organisation } from '../organisations/service.js'
import { harvestOutcome, HARVEST_FORMATS, isHarvestFormat, problemName, type HarvestProblem, type HarvestReport } from './report.js'
import type { HarvestSource } from './read-source.js'

/** The largest catalogue file accepted by upload. */
const MAX_BYTES = 50 * 1024 * 1024
/** Rows of each table on the report page; the command lists everything. */
const PAGE_ROWS = 2000
const SUMMARY_PROBLEMS = 10

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })

const isTicked = (value: unknown) => value === 'yes' || value === 'true' || value === 'on'

interface FormValues {
  url?: string
  format?: string
  dryRun?: boolean
  allowPartial?: boolean
}

const harvestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { organisations, harvest } = app.services

  // Uploads are accepted on these routes only. With the fields attached to the body, the
  // platform's CSRF check finds `_csrf` there, as for every other form.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_BYTES, files: 1, fields: 6, fieldSize: 2048, parts: 8 },
  })

  app.get('/organisations/:slug/datasets/harvest', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    return reply.render('harvest/templates/harvest.njk', formContext(organisation, {}))
  })

  app.post('/organisations/:slug/datasets/harvest', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    const body = (request.body ?? {}) as Record<string, unknown>
    const url = typeof body.url === 'string' ? body.url.trim() : ''
    const file = Buffer.isBuffer(body.file) && body.file.length > 0 ? body.file : undefined
    const values: FormValues = { url, format: typeof body.format === 'string' ? body.format : '', dryRun: isTicked(body.dryRun), allowPartial: isTicked(body.allowPartial) }

    const errors: FieldError[] = []
    if (!url && !file) errors.push({ name: 'url', message: 'Enter the address of the catalogue, or choose a catalogue file' })
    else if (url && file) errors.push({ name: 'url', message: 'Give the address of the catalogue or a file, not both' })
    else if (url && !isWebAddress(url)) errors.push({ name: 'url', message: 'Enter an address starting https:// or http://' })
    if (!isHarvestFormat(values.format)) errors.push({ name: 'format', message: 'Select the format of the catalogue' })
    if (errors.length > 0 || !isHarvestFormat(values.format)) {
      return reply.status(400).render('harvest/templates/harvest.njk', { ...formContext(organisation, values), errors: formErrors(errors) })
    }

    const source: HarvestSource = file ? { fileName: 'the uploaded file', bytes: file } : { url }
    const report = await harvest.harvest(request.actor, organisation.slug, source, values.format, { dryRun: values.dryRun, allowPartial: values.allowPartial })
    if (report.sourceRejected) {
      const message = `The catalogue could not be read: ${report.rejected[0]?.reason ?? 'unknown error'}`
      return reply.status(422).render('harvest/templates/harvest.njk', { ...formContext(organisation, values), errors: formErrors([{ name: file ? 'file' : 'url', message }]) })
    }
    return reply.status(report.rejected.length > 0 ? 422 : 200).render('harvest/templates/harvest-report.njk', reportContext(organisation, report))
  })
}

function breadcrumbs(organisation: Organisation) {
  return [
    { text: 'Home', href: '/' },
    { text: 'Organisations', href: '/organisations' },
    { text: organisation.name, href: `/organisations/${organisation.slug}` },
  ]
}

function formContext(organisation: Organisation, values: FormValues) {
  return {
    title: 'Harvest datasets from a portal',
    organisation,
    values,
    formats: HARVEST_FORMATS,
    maxMegabytes: MAX_BYTES / 1024 / 1024,
    licences: LICENCES.map((l) => l.code).join(', '),
    defaultLicence: DEFAULT_LICENCE,
    frequencies: FREQUENCIES.map((f) => f.code).join(', '),
    themes: THEMES.map((t) => t.code).join(', '),
    breadcrumbs: breadcrumbs(organisation),
  }
}

/** A problem as a table row, with an anchor the error summary links to. */
function rows(problems: HarvestProblem[], prefix: string) {
  return problems.slice(0, PAGE_ROWS).map((p, i) => ({ ...p, id: `${prefix}-${i + 1}`, name: p.record === 0 ? 'The catalogue' : `Record ${p.record}` }))
}

function reportContext(organisation: Organisation, report: HarvestReport) {
  const { heading, detail } = harvestOutcome(report)
  const problems = rows(report.rejected, 'problem')
  const summary = problems.slice(0, SUMMARY_PROBLEMS).map((p) => {
    const name = problemName(p)
    return { text: `${name.charAt(0).toUpperCase()}${name.slice(1)}: ${p.reason}`, href: `#${p.id}` }
  })
  if (report.rejected.length > SUMMARY_PROBLEMS) summary.push({ text: `And ${(report.rejected.length - SUMMARY_PROBLEMS).toLocaleString('en-GB')} more problems listed below`, href: '#rejected-records' })
  return {
    title: heading,
    heading,
    detail,
    organisation,
    report,
    formatLabel: HARVEST_FORMATS.find((f) => f.code === report.format)?.label,
    defaultLicence: DEFAULT_LICENCE,
    problems,
    warnings: rows(report.warnings, 'warning'),
    changes: report.changes.slice(0, PAGE_ROWS),
    hidden: Math.max(0, report.rejected.length - PAGE_ROWS) + Math.max(0, report.warnings.length - PAGE_ROWS) + Math.max(0, report.changes.length - PAGE_ROWS),
    errors: summary.length > 0 ? { summary, byField: {} } : undefined,
    breadcrumbs: [...breadcrumbs(organisation), { text: 'Harvest datasets', href: `/organisations/${organisation.slug}/datasets/harvest` }],
  }
}

export default harvestRoutes
