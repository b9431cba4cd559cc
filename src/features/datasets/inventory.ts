import type { Actor } from '../../platform/actor.js'
import { canEditFor } from '../../platform/authorisation.js'
import { pageCount, pageRequest, paginationComponent, type Page } from '../../platform/pagination.js'
import type { Services } from '../../services.js'
import type { Organisation } from '../organisations/service.js'
import type { Dataset } from './model.js'
import { DATASET_STATUSES, labelOf, type DatasetStatus } from './vocabularies.js'

/* The body's declared datasets, as the table on its organisation page shows them. */

export const STATUS_TAG_CLASSES: Record<DatasetStatus, string> = {
  declared: 'govuk-tag--grey',
  scheduled: '',
  published: 'govuk-tag--green',
  withdrawn: 'govuk-tag--red',
}


export interface InventoryRow {
  id: string
  title: string
  status: string
  statusClasses: string
  nextRelease: string | undefined
  overdue: boolean
}

/** A page of the body's declared datasets, for the table on `/organisations/{slug}`. */
export async function organisationInventory(services: Services, organisation: Organisation, query: Record<string, unknown>, actor: Actor) {
  const page: Page<Dataset> = await services.datasets.listForOrganisation(organisation.slug, pageRequest(query))
  const next = await services.datasets.nextReleases(page.items.map((d) => d.id))
  const rows: InventoryRow[] = page.items.map((d) => {
    const release = d.status === 'withdrawn' ? undefined : next.get(d.id)
    return {
      id: d.id,
      title: d.title,
      status: labelOf(DATASET_STATUSES, d.status),
      statusClasses: STATUS_TAG_CLASSES[d.status],
      nextRelease: release?.label,
      overdue: release?.overdue ?? false,
    }
  })
  return {
    page,
    pages: pageCount(page),
    rows,
    pagination: paginationComponent(page, `/organisations/${organisation.slug}`, { pageSize: query.pageSize }),
    canDeclare: canEditFor(actor, organisation.id),
  }
}
