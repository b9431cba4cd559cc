import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { canEditFor, requireEditFor } from '../../platform/authorisation.js'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import { formatDate } from '../../platform/views.js'
import type { Organisation } from '../organisations/service.js'
import type { Dataset } from './model.js'
import { IdParams, OrganisationSlugParams } from './schemas.js'
import type { DeclarationInput } from './validation.js'
import { datasetJsonLd, scriptJson } from './json-ld.js'
import { datasetBreadcrumbs, editable, formatBytes, organisationBreadcrumbs, releaseView, versionOf } from './page-parts.js'
import datasetScheduleRoutes from './schedule-routes.js'
import { STATUS_TAG_CLASSES } from './inventory.js'
import {
  ACCESS_LEVELS,
  ACCESS_REASONS,
  DATASET_STATUSES,
  DEFAULT_LICENCE,
  FREQUENCIES,
  LICENCES,
  THEMES,
  labelOf,
  type DatasetStatus,
} from './vocabularies.js'

/*
 * The pages where a body's editors declare and withdraw datasets, and the public page of each
 * dataset (the release schedule's forms are in schedule-routes.ts). Every rule about who may change what is the service's; the
 * routes only refuse early, so that someone who may not edit sees "sign in" or "forbidden"
 * rather than the form's validation messages.
 */

const datasetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasets, organisations, config } = app.services
  await app.register(datasetScheduleRoutes)

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
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
    return reply.render('datasets/templates/form.njk', declarationFormContext(publisher, dataset, formValuesOf(dataset)))
  })

  app.post('/datasets/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
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
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
    return reply.render('datasets/templates/withdraw.njk', withdrawContext(publisher, dataset, { version: String(dataset.version) }))
  })

  app.post('/datasets/:id/withdraw', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
    const values = formBody(request)
    const ok = await submitForm(reply, () => datasets.withdraw(request.actor, dataset.id, values.reason, versionOf(values.version)), {
      template: 'datasets/templates/withdraw.njk',
      context: withdrawContext(publisher, dataset, values),
    })
    if (!ok) return reply
    flash(request, `${dataset.title} has been withdrawn`)
    return reply.redirect(`/datasets/${dataset.id}`, 303)
  })


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

// ---- presentation ----

function statusTag(status: DatasetStatus) {
  return { text: labelOf(DATASET_STATUSES, status), classes: STATUS_TAG_CLASSES[status] }
}

function periodCovered(dataset: Dataset): string | undefined {
  const { temporalStart: start, temporalEnd: end } = dataset
  if (start && end) return `${formatDate(start)} to ${formatDate(end)}`
  if (start) return `From ${formatDate(start)}`
  if (end) return `Up to ${formatDate(end)}`
  return undefined
}

export default datasetRoutes
