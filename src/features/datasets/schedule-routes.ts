import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import type { Organisation } from '../organisations/service.js'
import { plannedDateInput } from './dates.js'
import type { Dataset, Release } from './model.js'
import { datasetBreadcrumbs, editable, editableRelease, releaseView, unblocked, withdrawnMessage } from './page-parts.js'
import { DatasetReleaseParams, IdParams } from './schemas.js'
import type { DistributionInput } from './validation.js'
import { RELEASE_STATES } from './vocabularies.js'

/*
 * The forms where a body's editors keep a dataset's release schedule (plan, move, cancel, mark
 * released) and add the distributions it has published.
 */

const DISTRIBUTION_FIELDS = ['title', 'downloadUrl', 'accessUrl', 'format', 'mediaType', 'byteSize'] as const

const datasetScheduleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { datasets } = app.services

  // ---- the release schedule ----

  app.get('/datasets/:id/releases/new', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
    return reply.render('datasets/templates/release-form.njk', releaseFormContext(publisher, dataset, undefined, { state: 'provisional' }))
  })

  app.post('/datasets/:id/releases/new', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
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
    const { dataset, publisher, release } = await editableRelease(datasets, request.actor, request.params.id, request.params.releaseId)
    const values = { plannedDate: plannedDateInput({ date: release.plannedDate, precision: release.precision }), state: release.state, note: '' }
    return reply.render('datasets/templates/release-form.njk', releaseFormContext(publisher, dataset, release, values))
  })

  app.post('/datasets/:id/releases/:releaseId/edit', { schema: { params: DatasetReleaseParams } }, async (request, reply) => {
    const { dataset, publisher, release } = await editableRelease(datasets, request.actor, request.params.id, request.params.releaseId)
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
    const { dataset, publisher, release } = await editableRelease(datasets, request.actor, request.params.id, request.params.releaseId)
    return reply.render('datasets/templates/release-released.njk', releasedContext(publisher, dataset, release, {}))
  })

  app.post('/datasets/:id/releases/:releaseId/released', { schema: { params: DatasetReleaseParams } }, async (request, reply) => {
    const { dataset, publisher, release } = await editableRelease(datasets, request.actor, request.params.id, request.params.releaseId)
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
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
    return reply.render('datasets/templates/distribution-form.njk', distributionFormContext(publisher, dataset, {}))
  })

  app.post('/datasets/:id/distributions/new', { schema: { params: IdParams } }, async (request, reply) => {
    const { dataset, publisher } = await editable(datasets, request.actor, request.params.id)
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
}

// ---- forms ----

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

export default datasetScheduleRoutes
