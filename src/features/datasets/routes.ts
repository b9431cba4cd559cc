import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Actor } from '../../platform/actor.js'
import { canEditFor, requireEditFor } from '../../platform/authorisation.js'
import { ConflictError, NotFoundError } from '../../platform/errors.js'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import { formatDate } from '../../platform/views.js'
import type { Organisation } from '../organisations/service.js'
import { plannedDateInput } from './dates.js'
import type { Dataset, Distribution, Release } from './model.js'
import { DatasetReleaseParams, IdParams, OrganisationSlugParams } from './schemas.js'
import type { DatasetDetail } from './service.js'
import type { DeclarationInput, DistributionInput } from './validation.js'
import { datasetJsonLd, scriptJson } from './json-ld.js'
import { STATUS_TAG_CLASSES } from './inventory.js'
import {
  ACCESS_LEVELS,
  ACCESS_REASONS,
  DATASET_STATUSES,
  DEFAULT_LICENCE,
  FREQUENCIES,
  LICENCES,
  RELEASE_STATES,
  THEMES,
  labelOf,
  type DatasetStatus,
  type ReleaseState,
} from './vocabularies.js'

/*
 * The pages where a body's editors declare datasets and keep their release schedules, and the
 * public page of each dataset. Every rule about who may change what is the service's; the
 * routes only refuse early, so that someone who may not edit sees "sign in" or "forbidden"
 * rather than the form's validation messages.
 */

const RELEASE_TAG_CLASSES: Record<ReleaseState, string> = {
  provisional: 'govuk-tag--yellow',
  confirmed: '',
  cancelled: 'govuk-tag--grey',
  released: 'govuk-tag--green',
}


const DISTRIBUTION_FIELDS = ['title', 'downloadUrl', 'accessUrl', 'format', 'mediaType', 'byteSize'] as const

const datasetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasets, organisations, config } = app.services

  // ---- the dataset ----

  app.get('/datasets/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const detail = await datasets.get(request.params.id)
    const { dataset, publisher } = detail
    const requests = await app.services.requests.listForDataset(dataset.id)
    return reply.render('datasets/templates/show.njk', {
      title: dataset.title,
      ...detail,
      requests,
      statusTag: statusTag(dataset.status),
      paragraphs: dataset.description.split(/\r?\n/).filter((p) => p.trim()),
      themes: dataset.themes.map((code) => ({ code, label: labelOf(THEMES, code) })),
      accessLabel: labelOf(ACCESS_LEVELS, dataset.accessLevel),
      accessReasonLabel: labelOf(ACCESS_REASONS, dataset.accessReason),
      licence: LICENCES.find((l) => l.code === dataset.licence) ?? { code: dataset.licence, label: dataset.licence, url: '' },
      frequencyLabel: labelOf(FREQUENCIES, dataset.frequency),
      period: periodCovered(dataset),
      distributionRows: detail.distributions.map((d) => ({ ...d, size: formatBytes(d.byteSize), href: d.downloadUrl ?? d.accessUrl })),
      releases: detail.releases.map(releaseView),
      canEdit: canEditFor(request.actor, dataset.organisationId),
      jsonLd: scriptJson(datasetJsonLd(detail, config.baseUrl)),
      breadcrumbs: organisationBreadcrumbs(publisher),
    })
  })

  // ---- declaring and changing ----

  app.get('/organisations/:slug/datasets/new', { schema: { params: OrganisationSlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    const values = { licence: DEFAULT_LICENCE, accessLevel: 'open', themes: [] }
    return reply.render('datasets/templates/form.njk', declarationFormContext(organisation, undefined, values))
  })

  app.post('/organisations/:slug/datasets/new', { schema: { params: OrganisationSlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    const values = declarationForm(request)
    let created: Dataset | undefined
    const ok = await submitForm(
      reply,
      async () => (created = await datasets.declare(request.actor, organisation.slug, declarationInput(values))),
      { template: 'datasets/templates/form.njk', context: declarationFormContext(organisation, undefined, values) },
    )
    if (!ok) return reply
    flash(request, `${created!.title} has been declared`)
    return reply.redirect(`/datasets/${created!.id}`, 303)
  })

  app.get('/datasets/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    return reply.render('datasets/templates/form.njk', declarationFormContext(publisher, dataset, formValuesOf(dataset)))
  })

  app.post('/datasets/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    const values = declarationForm(request)
    const ok = await submitForm(
      reply,
      () => datasets.update(request.actor, dataset.id, declarationInput(values), versionOf(values.version)),
      { template: 'datasets/templates/form.njk', context: declarationFormContext(publisher, dataset, values) },
    )
    if (!ok) return reply
    flash(request, 'Your changes have been saved')
    return reply.redirect(`/datasets/${dataset.id}`, 303)
  })

  app.get('/datasets/:id/withdraw', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    return reply.render('datasets/templates/withdraw.njk', withdrawContext(publisher, dataset, { version: String(dataset.version) }))
  })

  app.post('/datasets/:id/withdraw', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    const values = formBody(request)
    const ok = await submitForm(reply, () => datasets.withdraw(request.actor, dataset.id, values.reason, versionOf(values.version)), {
      template: 'datasets/templates/withdraw.njk',
      context: withdrawContext(publisher, dataset, values),
    })
    if (!ok) return reply
    flash(request, `${dataset.title} has been withdrawn`)
    return reply.redirect(`/datasets/${dataset.id}`, 303)
  })

  // ---- the release schedule ----

  app.get('/datasets/:id/releases/new', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    return reply.render('datasets/templates/release-form.njk', releaseFormContext(publisher, dataset, undefined, { state: 'provisional' }))
  })

  app.post('/datasets/:id/releases/new', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    const values = formBody(request)
    const context = unblocked(releaseFormContext(publisher, dataset, undefined, values))
    const ok = await submitForm(reply, () => datasets.addRelease(request.actor, dataset.id, { plannedDate: values.plannedDate, state: values.state, note: values.note }), {
      template: 'datasets/templates/release-form.njk',
      context,
    })
    if (!ok) return reply
    flash(request, 'The release has been added to the schedule')
    return reply.redirect(`/datasets/${dataset.id}#releases`, 303)
  })

  app.get('/datasets/:id/releases/:releaseId/edit', { schema: { params: DatasetReleaseParams } }, async (request, reply) => {
    const { dataset, publisher, release } = await editableRelease(request.actor, request.params.id, request.params.releaseId)
    const values = { plannedDate: plannedDateInput({ date: release.plannedDate, precision: release.precision }), state: release.state, note: '' }
    return reply.render('datasets/templates/release-form.njk', releaseFormContext(publisher, dataset, release, values))
  })

  app.post('/datasets/:id/releases/:releaseId/edit', { schema: { params: DatasetReleaseParams } }, async (request, reply) => {
    const { dataset, publisher, release } = await editableRelease(request.actor, request.params.id, request.params.releaseId)
    const values = formBody(request)
    const context = unblocked(releaseFormContext(publisher, dataset, release, values))
    const ok = await submitForm(reply, () => datasets.updateRelease(request.actor, release.id, { plannedDate: values.plannedDate, state: values.state, note: values.note }), {
      template: 'datasets/templates/release-form.njk',
      context,
    })
    if (!ok) return reply
    flash(request, values.state === 'cancelled' ? 'The release has been cancelled' : 'The release has been changed')
    return reply.redirect(`/datasets/${dataset.id}#releases`, 303)
  })

  app.get('/datasets/:id/releases/:releaseId/released', { schema: { params: DatasetReleaseParams } }, async (request, reply) => {
    const { dataset, publisher, release } = await editableRelease(request.actor, request.params.id, request.params.releaseId)
    return reply.render('datasets/templates/release-released.njk', releasedContext(publisher, dataset, release, {}))
  })

  app.post('/datasets/:id/releases/:releaseId/released', { schema: { params: DatasetReleaseParams } }, async (request, reply) => {
    const { dataset, publisher, release } = await editableRelease(request.actor, request.params.id, request.params.releaseId)
    const values = formBody(request)
    const context = unblocked(releasedContext(publisher, dataset, release, values))
    const ok = await submitForm(reply, () => datasets.markReleased(request.actor, release.id, distributionInput(values, 'distribution.')), {
      template: 'datasets/templates/release-released.njk',
      context,
    })
    if (!ok) return reply
    flash(request, `The ${release.label} release has been marked released and ${dataset.title} is published`)
    return reply.redirect(`/datasets/${dataset.id}`, 303)
  })

  // ---- distributions ----

  app.get('/datasets/:id/distributions/new', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    return reply.render('datasets/templates/distribution-form.njk', distributionFormContext(publisher, dataset, {}))
  })

  app.post('/datasets/:id/distributions/new', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(request.actor, request.params.id)
    const values = formBody(request)
    const context = unblocked(distributionFormContext(publisher, dataset, values))
    const ok = await submitForm(reply, () => datasets.addDistribution(request.actor, dataset.id, distributionInput(values, '')), {
      template: 'datasets/templates/distribution-form.njk',
      context,
    })
    if (!ok) return reply
    flash(request, 'The distribution has been added')
    return reply.redirect(`/datasets/${dataset.id}#downloads`, 303)
  })

  /** The dataset, once the actor is known to be allowed to change it. */
  async function editable(actor: Actor, id: string): Promise<DatasetDetail> {
    const detail = await datasets.get(id)
    requireEditFor(actor, detail.dataset.organisationId)
    return detail
  }

  async function editableRelease(actor: Actor, id: string, releaseId: string): Promise<DatasetDetail & { release: Release }> {
    const detail = await editable(actor, id)
    const release = detail.releases.find((r) => r.id === releaseId)
    if (!release) throw new NotFoundError('This dataset has no such release')
    return { ...detail, release }
  }
}

// ---- forms ----

/** The declaration form as posted. Themes are checkboxes, so they arrive as a list. */
interface DeclarationFormValues {
  title?: string
  description?: string
  reference?: string
  keywords?: string
  themes: string[]
  accessLevel?: string
  accessReason?: string
  accessExplanation?: string
  licence?: string
  frequency?: string
  temporalStart?: string
  temporalEnd?: string
  spatial?: string
  contactName?: string
  contactEmail?: string
  version?: string
}

function declarationForm(request: FastifyRequest): DeclarationFormValues {
  const raw = (request.body ?? {}) as Record<string, unknown>
  const themes = raw.themes === undefined ? [] : (Array.isArray(raw.themes) ? raw.themes : [raw.themes]).map(String)
  return { ...formBody(request), themes }
}

function declarationInput(values: DeclarationFormValues): DeclarationInput {
  return {
    title: values.title,
    description: values.description,
    reference: values.reference,
    keywords: values.keywords,
    themes: values.themes,
    accessLevel: values.accessLevel,
    accessReason: values.accessReason,
    accessExplanation: values.accessExplanation,
    licence: values.licence,
    frequency: values.frequency,
    temporalStart: values.temporalStart,
    temporalEnd: values.temporalEnd,
    spatial: values.spatial,
    contactName: values.contactName,
    contactEmail: values.contactEmail,
  }
}


function formValuesOf(dataset: Dataset): DeclarationFormValues {
  return {
    title: dataset.title,
    description: dataset.description,
    reference: dataset.reference ?? '',
    keywords: dataset.keywords.join(', '),
    themes: dataset.themes,
    accessLevel: dataset.accessLevel,
    accessReason: dataset.accessReason ?? '',
    accessExplanation: dataset.accessExplanation ?? '',
    licence: dataset.licence,
    frequency: dataset.frequency,
    temporalStart: dataset.temporalStart ?? '',
    temporalEnd: dataset.temporalEnd ?? '',
    spatial: dataset.spatial ?? '',
    contactName: dataset.contactName ?? '',
    contactEmail: dataset.contactEmail ?? '',
    version: String(dataset.version),
  }
}

function declarationFormContext(organisation: Organisation, dataset: Dataset | undefined, values: Partial<DeclarationFormValues>) {
  const themes = values.themes ?? []
  const reasonItems = (selected: string | undefined) => [
    { value: '', text: 'Select a reason' },
    ...ACCESS_REASONS.map((r) => ({ value: r.code, text: r.label, selected: selected === r.code })),
  ]
  return {
    title: dataset ? `Change ${dataset.title}` : 'Declare a dataset',
    organisation,
    dataset,
    values,
    action: dataset ? `/datasets/${dataset.id}/edit` : `/organisations/${organisation.slug}/datasets/new`,
    themeItems: THEMES.map((t) => ({ value: t.code, text: t.label, checked: themes.includes(t.code) })),
    accessLevelItems: ACCESS_LEVELS.map((a) => ({ value: a.code, text: a.label, checked: (values.accessLevel || 'open') === a.code })),
    reasonItems: reasonItems(values.accessReason),
    licenceItems: LICENCES.map((l) => ({ value: l.code, text: l.label, selected: (values.licence || DEFAULT_LICENCE) === l.code })),
    frequencyItems: [{ value: '', text: 'Select how often' }, ...FREQUENCIES.map((f) => ({ value: f.code, text: f.label, selected: values.frequency === f.code }))],
    breadcrumbs: dataset ? datasetBreadcrumbs(organisation, dataset) : organisationBreadcrumbs(organisation),
  }
}

function withdrawContext(organisation: Organisation, dataset: Dataset, values: FormBody) {
  return { title: `Withdraw ${dataset.title}`, organisation, dataset, values, breadcrumbs: datasetBreadcrumbs(organisation, dataset) }
}

function releaseFormContext(organisation: Organisation, dataset: Dataset, release: Release | undefined, values: FormBody) {
  const states = release ? RELEASE_STATES.filter((s) => s.code !== 'released') : RELEASE_STATES.filter((s) => s.code === 'provisional' || s.code === 'confirmed')
  const hints: Record<string, string> = {
    provisional: 'The date may still change',
    confirmed: 'The body is committed to this date',
    cancelled: 'This release will not happen. The schedule keeps it, crossed out',
  }
  return {
    title: release ? `Change the ${release.label} release` : 'Add a planned release',
    organisation,
    dataset,
    release: release && releaseView(release),
    blocked: withdrawnMessage(dataset) ?? (release && !releaseView(release).open ? `This release is ${release.state} and can no longer change.` : undefined),
    values,
    action: release ? `/datasets/${dataset.id}/releases/${release.id}/edit` : `/datasets/${dataset.id}/releases/new`,
    stateItems: states.map((s) => ({ value: s.code, text: s.label, hint: { text: hints[s.code] }, checked: values.state === s.code })),
    breadcrumbs: datasetBreadcrumbs(organisation, dataset),
  }
}

function releasedContext(organisation: Organisation, dataset: Dataset, release: Release, values: FormBody) {
  return {
    title: `Mark the ${release.label} release as released`,
    organisation,
    dataset,
    release: releaseView(release),
    values,
    prefix: 'distribution.',
    blocked: withdrawnMessage(dataset) ?? (releaseView(release).open ? undefined : `This release is ${release.state}, so it cannot be marked released.`),
    action: `/datasets/${dataset.id}/releases/${release.id}/released`,
    breadcrumbs: datasetBreadcrumbs(organisation, dataset),
  }
}

function distributionFormContext(organisation: Organisation, dataset: Dataset, values: FormBody) {
  return {
    title: 'Add a published distribution',
    organisation,
    dataset,
    values,
    prefix: '',
    blocked: withdrawnMessage(dataset),
    action: `/datasets/${dataset.id}/distributions/new`,
    breadcrumbs: datasetBreadcrumbs(organisation, dataset),
  }
}

function distributionInput(values: FormBody, prefix: string): DistributionInput {
  return Object.fromEntries(DISTRIBUTION_FIELDS.map((field) => [field, values[`${prefix}${field}`]]))
}

/**
 * A form the page would not have offered (a withdrawn dataset, a release already released) is
 * refused, whatever the service would make of it.
 */
function unblocked<T extends { blocked?: string }>(context: T): T {
  if (context.blocked) throw new ConflictError(context.blocked)
  return context
}

function withdrawnMessage(dataset: Dataset): string | undefined {
  return dataset.status === 'withdrawn' ? 'This dataset has been withdrawn, so nothing more can be scheduled or published for it.' : undefined
}

/** A version that is not a number can never match, so the edit is refused as stale. */
function versionOf(value: string | undefined): number {
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : 0
}

// ---- presentation ----

function statusTag(status: DatasetStatus) {
  return { text: labelOf(DATASET_STATUSES, status), classes: STATUS_TAG_CLASSES[status] }
}

function releaseView(release: Release) {
  return {
    ...release,
    stateTag: { text: labelOf(RELEASE_STATES, release.state), classes: RELEASE_TAG_CLASSES[release.state] },
    moved: release.firstLabel !== release.label,
    open: release.state === 'provisional' || release.state === 'confirmed',
  }
}

function periodCovered(dataset: Dataset): string | undefined {
  const { temporalStart: start, temporalEnd: end } = dataset
  if (start && end) return `${formatDate(start)} to ${formatDate(end)}`
  if (start) return `From ${formatDate(start)}`
  if (end) return `Up to ${formatDate(end)}`
  return undefined
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return ''
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toLocaleString('en-GB', { maximumFractionDigits: 1 })} ${units[unit]}`
}

function organisationBreadcrumbs(organisation: Organisation) {
  return [
    { text: 'Home', href: '/' },
    { text: 'Organisations', href: '/organisations' },
    { text: organisation.name, href: `/organisations/${organisation.slug}` },
  ]
}

function datasetBreadcrumbs(organisation: Organisation, dataset: Dataset) {
  return [...organisationBreadcrumbs(organisation), { text: dataset.title, href: `/datasets/${dataset.id}` }]
}

export default datasetRoutes
