import { todayInUk } from '../../platform/uk-date.js'
import { formatPlannedDate, isOverdue } from './dates.js'
import type { DatasetRow, DistributionRow, ReleaseChangeRow, ReleaseRow } from './repository.js'
import type { AccessLevel, DatasetStatus, DatePrecision, ReleaseState } from './vocabularies.js'

/** A declared dataset as services, pages and the API see it. */
export interface Dataset {
  id: string
  identifier: string
  organisationId: string
  reference: string | null
  title: string
  description: string
  keywords: string[]
  themes: string[]
  accessLevel: AccessLevel
  accessReason: string | null
  accessExplanation: string | null
  licence: string
  frequency: string
  temporalStart: string | null
  temporalEnd: string | null
  spatial: string | null
  contactName: string | null
  contactEmail: string | null
  status: DatasetStatus
  withdrawnReason: string | null
  nextReleaseDate: string | null
  version: number
  createdAt: string
  updatedAt: string
  publishedAt: string | null
}

export interface ReleaseChange {
  changedAt: string
  actor: string
  fromDate: string | null
  fromPrecision: string | null
  toDate: string | null
  toPrecision: string | null
  fromState: string | null
  toState: string | null
  note: string | null
  /** "Moved from March 2027 to June 2027", "Confirmed"… */
  summary: string
}

export interface Release {
  id: string
  datasetId: string
  plannedDate: string
  precision: DatePrecision
  /** The planned date for people: "June 2027". */
  label: string
  firstPlannedDate: string
  firstPrecision: DatePrecision
  firstLabel: string
  state: ReleaseState
  changeNote: string | null
  releasedAt: string | null
  overdue: boolean
  createdAt: string
  updatedAt: string
  changes: ReleaseChange[]
}

export interface Distribution {
  id: string
  datasetId: string
  title: string
  accessUrl: string | null
  downloadUrl: string | null
  format: string | null
  mediaType: string | null
  byteSize: number | null
  releaseId: string | null
  createdAt: string
}

export function toDataset(row: DatasetRow): Dataset {
  return {
    id: row.id,
    identifier: row.identifier,
    organisationId: row.organisation_id,
    reference: row.reference,
    title: row.title,
    description: row.description,
    keywords: JSON.parse(row.keywords) as string[],
    themes: JSON.parse(row.themes) as string[],
    accessLevel: row.access_level as AccessLevel,
    accessReason: row.access_reason,
    accessExplanation: row.access_explanation,
    licence: row.licence,
    frequency: row.frequency,
    temporalStart: row.temporal_start,
    temporalEnd: row.temporal_end,
    spatial: row.spatial,
    contactName: row.contact_name,
    contactEmail: row.contact_email,
    status: row.status as DatasetStatus,
    withdrawnReason: row.withdrawn_reason,
    nextReleaseDate: row.next_release_date,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
  }
}

export function toRelease(row: ReleaseRow, changes: ReleaseChangeRow[] = [], today = todayInUk()): Release {
  const planned = { date: row.planned_date, precision: row.precision as DatePrecision }
  const first = { date: row.first_planned_date, precision: row.first_precision as DatePrecision }
  return {
    id: row.id,
    datasetId: row.dataset_id,
    plannedDate: row.planned_date,
    precision: planned.precision,
    label: formatPlannedDate(planned),
    firstPlannedDate: row.first_planned_date,
    firstPrecision: first.precision,
    firstLabel: formatPlannedDate(first),
    state: row.state as ReleaseState,
    changeNote: row.change_note,
    releasedAt: row.released_at,
    overdue: isOverdue(planned, row.state, today),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    changes: changes.filter((c) => c.release_id === row.id).map(toReleaseChange),
  }
}

function toReleaseChange(row: ReleaseChangeRow): ReleaseChange {
  const from = row.from_date ? formatPlannedDate({ date: row.from_date, precision: row.from_precision as DatePrecision }) : null
  const to = row.to_date ? formatPlannedDate({ date: row.to_date, precision: row.to_precision as DatePrecision }) : null
  const parts: string[] = []
  if (!from && to) parts.push(`Planned for ${to}`)
  else if (from && to && from !== to) parts.push(`Moved from ${from} to ${to}`)
  if (row.from_state !== row.to_state && row.to_state) parts.push(row.from_state ? `${capitalise(row.from_state)} → ${row.to_state}` : capitalise(row.to_state))
  return {
    changedAt: row.changed_at,
    actor: row.actor_label,
    fromDate: row.from_date,
    fromPrecision: row.from_precision,
    toDate: row.to_date,
    toPrecision: row.to_precision,
    fromState: row.from_state,
    toState: row.to_state,
    note: row.note,
    summary: parts.join('; ') || 'Note added',
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

export function toDistribution(row: DistributionRow): Distribution {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    title: row.title,
    accessUrl: row.access_url,
    downloadUrl: row.download_url,
    format: row.format,
    mediaType: row.media_type,
    byteSize: row.byte_size === null ? null : Number(row.byte_size),
    releaseId: row.release_id,
    createdAt: row.created_at,
  }
}
