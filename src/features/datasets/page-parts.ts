import type { Actor } from '../../platform/actor.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { ConflictError, NotFoundError } from '../../platform/errors.js'
import type { Organisation } from '../organisations/service.js'
import type { Dataset, Release } from './model.js'
import type { DatasetDetail, DatasetService } from './service.js'
import { RELEASE_STATES, labelOf, type ReleaseState } from './vocabularies.js'

/*
 * What the dataset pages and the schedule pages share: who may open an edit form, the refusals,
 * breadcrumbs, and how releases and sizes are shown.
 */

/** The dataset, once the actor is known to be allowed to change it. */
export async function editable(datasets: DatasetService, actor: Actor, id: string): Promise<DatasetDetail> {
  const detail = await datasets.get(id)
  requireEditFor(actor, detail.dataset.organisationId)
  return detail
}

export async function editableRelease(datasets: DatasetService, actor: Actor, id: string, releaseId: string): Promise<DatasetDetail & { release: Release }> {
  const detail = await editable(datasets, actor, id)
  const release = detail.releases.find((r) => r.id === releaseId)
  if (!release) throw new NotFoundError('This dataset has no such release')
  return { ...detail, release }
}

/**
 * A form the page would not have offered (a withdrawn dataset, a release already released) is
 * refused, whatever the service would make of it.
 */
export function unblocked<T extends { blocked?: string }>(context: T): T {
  if (context.blocked) throw new ConflictError(context.blocked)
  return context
}

export function withdrawnMessage(dataset: Dataset): string | undefined {
  return dataset.status === 'withdrawn' ? 'This dataset has been withdrawn, so nothing more can be scheduled or published for it.' : undefined
}

/** A version that is not a number can never match, so the edit is refused as stale. */
export function versionOf(value: string | undefined): number {
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : 0
}

const RELEASE_TAG_CLASSES: Record<ReleaseState, string> = {
  provisional: 'govuk-tag--yellow',
  confirmed: '',
  cancelled: 'govuk-tag--grey',
  released: 'govuk-tag--green',
}

export function releaseView(release: Release) {
  return {
    ...release,
    stateTag: { text: labelOf(RELEASE_STATES, release.state), classes: RELEASE_TAG_CLASSES[release.state] },
    moved: release.firstLabel !== release.label,
    open: release.state === 'provisional' || release.state === 'confirmed',
  }
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

export function organisationBreadcrumbs(organisation: Organisation) {
  return [
    { text: 'Home', href: '/' },
    { text: 'Organisations', href: '/organisations' },
    { text: organisation.name, href: `/organisations/${organisation.slug}` },
  ]
}

export function datasetBreadcrumbs(organisation: Organisation, dataset: Dataset) {
  return [...organisationBreadcrumbs(organisation), { text: dataset.title, href: `/datasets/${dataset.id}` }]
}
