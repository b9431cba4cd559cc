import { todayInUk } from '../../platform/uk-date.js'
import { formatPlannedDate } from '../datasets/dates.js'
import type { DatePrecision } from '../datasets/vocabularies.js'
import type { RequestCommentRow, RequestJoinedRow } from './repository.js'

export type RequestKind = 'new' | 'early-release'
export const REQUEST_KINDS: RequestKind[] = ['new', 'early-release']

export type RequestStatus = 'submitted' | 'acknowledged' | 'scheduled' | 'declined' | 'fulfilled'

/** Statuses in the order a request moves through them, with the colour of their tag. */
export const REQUEST_STATUSES: { code: RequestStatus; label: string; tag: string }[] = [
  { code: 'submitted', label: 'Awaiting an answer', tag: 'govuk-tag--grey' },
  { code: 'acknowledged', label: 'Acknowledged', tag: 'govuk-tag--light-blue' },
  { code: 'scheduled', label: 'Scheduled', tag: 'govuk-tag--purple' },
  { code: 'declined', label: 'Declined', tag: 'govuk-tag--red' },
  { code: 'fulfilled', label: 'Fulfilled', tag: 'govuk-tag--green' },
]

/** Where a body can take a request from each status. Declined and fulfilled are final. */
export const TRANSITIONS: Record<RequestStatus, RequestStatus[]> = {
  submitted: ['acknowledged', 'scheduled', 'declined', 'fulfilled'],
  acknowledged: ['scheduled', 'declined', 'fulfilled'],
  scheduled: ['fulfilled', 'declined'],
  declined: [],
  fulfilled: [],
}

export const DECLINE_REASONS: { code: string; label: string }[] = [
  { code: 'already-published', label: 'The data is already published' },
  { code: 'not-held', label: 'The body does not hold this data' },
  { code: 'personal-data', label: 'It would reveal personal data' },
  { code: 'commercial-confidentiality', label: 'Commercial confidentiality' },
  { code: 'disproportionate-cost', label: 'The cost would be disproportionate' },
  { code: 'other', label: 'Another reason' },
]

/** Working days a body has to answer, as for a request under the Freedom of Information Act. */
export const ANSWER_WORKING_DAYS = 20

/** The `hidden_by` of a comment hidden by a platform administrator rather than the body. */
export const HIDDEN_BY_PLATFORM = 'platform'

export interface DataRequest {
  id: string
  kind: RequestKind
  title: string
  description: string
  reason: string | null
  status: RequestStatus
  statusLabel: string
  statusTag: string
  /** The body asked; null until someone suggests or a platform administrator assigns one. */
  organisation: { id: string; slug: string; name: string; shortName: string } | null
  /** For an early release: the declared dataset asked for. */
  dataset: { id: string; title: string; status: string } | null
  requesterName: string
  declineReason: string | null
  declineReasonLabel: string | null
  /** The body's explanation or message with its answer. */
  response: string | null
  release: { id: string; datasetId: string; datasetTitle: string; plannedDate: string; precision: string; label: string; state: string } | null
  fulfilledDataset: { id: string; title: string } | null
  dueDate: string
  answeredAt: string | null
  /** Whether the first answer came by the due date (null while unanswered). */
  answeredOnTime: boolean | null
  overdue: boolean
  supportCount: number
  createdAt: string
  updatedAt: string
}

export interface RequestComment {
  id: string
  authorName: string
  /** Null once hidden: the text is kept in the database but no longer shown. */
  body: string | null
  createdAt: string
  hidden: { at: string; by: string; reason: string } | null
}

export function statusOf(code: string) {
  return REQUEST_STATUSES.find((s) => s.code === code) ?? { code: code as RequestStatus, label: code, tag: 'govuk-tag--grey' }
}

export function declineReasonLabel(code: string | null): string | null {
  if (!code) return null
  return DECLINE_REASONS.find((r) => r.code === code)?.label ?? code
}

/** A request is overdue while it is still unanswered after its due date. */
export function isRequestOverdue(status: string, dueDate: string, today: string): boolean {
  return status === 'submitted' && dueDate < today
}

export function answeredOnTime(answeredAt: string | null, dueDate: string): boolean | null {
  return answeredAt ? todayInUk(new Date(answeredAt)) <= dueDate : null
}

export function toDataRequest(row: RequestJoinedRow, today: string): DataRequest {
  const status = statusOf(row.status)
  return {
    id: row.id,
    kind: row.kind as RequestKind,
    title: row.title,
    description: row.description,
    reason: row.reason,
    status: status.code,
    statusLabel: status.label,
    statusTag: status.tag,
    organisation:
      row.organisation_id && row.organisation_slug
        ? { id: row.organisation_id, slug: row.organisation_slug, name: row.organisation_name ?? '', shortName: row.organisation_short_name ?? '' }
        : null,
    dataset: row.dataset_id ? { id: row.dataset_id, title: row.dataset_title ?? '', status: row.dataset_status ?? '' } : null,
    requesterName: row.requester_name,
    declineReason: row.decline_reason,
    declineReasonLabel: declineReasonLabel(row.decline_reason),
    response: row.response,
    release:
      row.release_id && row.release_planned_date
        ? {
            id: row.release_id,
            datasetId: row.release_dataset_id ?? '',
            datasetTitle: row.release_dataset_title ?? '',
            plannedDate: row.release_planned_date,
            precision: row.release_precision ?? 'day',
            label: formatPlannedDate({ date: row.release_planned_date, precision: (row.release_precision ?? 'day') as DatePrecision }),
            state: row.release_state ?? '',
          }
        : null,
    fulfilledDataset: row.fulfilled_dataset_id ? { id: row.fulfilled_dataset_id, title: row.fulfilled_dataset_title ?? '' } : null,
    dueDate: row.due_date,
    answeredAt: row.answered_at,
    answeredOnTime: answeredOnTime(row.answered_at, row.due_date),
    overdue: isRequestOverdue(row.status, row.due_date, today),
    supportCount: Number(row.support_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toComment(row: RequestCommentRow, request: { organisationId: string | null; organisationName: string | null }): RequestComment {
  const hidden = row.hidden_at
    ? {
        at: row.hidden_at,
        by: row.hidden_by && row.hidden_by === request.organisationId && request.organisationName ? request.organisationName : 'the platform administrators',
        reason: row.hidden_reason ?? '',
      }
    : null
  return { id: row.id, authorName: row.author_name, body: hidden ? null : row.body, createdAt: row.created_at, hidden }
}
