import { newId } from '../../platform/crypto.js'
import { FieldErrors } from '../../platform/errors.js'
import { parsePlannedDate, type PlannedDate } from './dates.js'
import type { DistributionRow, ReleaseChangeRow, ReleaseRow } from './repository.js'
import type { ReleaseState } from './vocabularies.js'

/*
 * What every way of planning and moving releases shares (the forms, the API, the CSV import and
 * bulk declaration): the rows they write, the checks of what an editor asks for, and the status
 * a dataset has because of its releases and distributions.
 */

export interface ReleaseInput {
  /** `2027-03-15`, `2027-03` or `2027-Q1`. */
  plannedDate?: string
  state?: string
  note?: string
}

/** Releases still to come: they can move, and one whose date has passed is overdue. */
export const OPEN_RELEASE_STATES = new Set(['provisional', 'confirmed'])

const PLANNED_DATE_MESSAGE = 'Enter the planned date as a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1)'
const MAX_NOTE = 1000

/** A new release's row. */
export function newReleaseRow(datasetId: string, planned: PlannedDate, state: ReleaseState, note: string | null, now: string): ReleaseRow {
  return {
    id: newId(),
    dataset_id: datasetId,
    planned_date: planned.date,
    precision: planned.precision,
    first_planned_date: planned.date,
    first_precision: planned.precision,
    state,
    change_note: note,
    released_at: null,
    created_at: now,
    updated_at: now,
  }
}

/** The line of a release's history saying it went from `before` (nothing, for a new one) to `after`. */
export function releaseChange(before: ReleaseRow | null, after: ReleaseRow, actorLabel: string, now: string, note: string | null): Omit<ReleaseChangeRow, 'id'> {
  return {
    release_id: after.id,
    changed_at: now,
    actor_label: actorLabel,
    from_date: before?.planned_date ?? null,
    from_precision: before?.precision ?? null,
    to_date: after.planned_date,
    to_precision: after.precision,
    from_state: before?.state ?? null,
    to_state: after.state,
    note,
  }
}

/** What an editor asks a new release to be; every problem at once. */
export function checkNewRelease(input: ReleaseInput): { planned: PlannedDate; state: ReleaseState; note: string | null } {
  const planned = parsePlannedDate(input.plannedDate ?? '')
  const state = (input.state ?? 'provisional') as ReleaseState
  const errors = new FieldErrors()
  if (!planned) errors.add('plannedDate', PLANNED_DATE_MESSAGE)
  if (state !== 'provisional' && state !== 'confirmed') errors.add('state', 'A new release is provisional or confirmed')
  const note = checkNote(input, errors)
  errors.throwIfAny()
  return { planned: planned!, state, note }
}

/** What an editor asks to change of a planned release (a date, a state, a note); every problem at once. */
export function checkReleaseChange(input: ReleaseInput): { planned: PlannedDate | undefined; state: ReleaseState | undefined; note: string | null } {
  const errors = new FieldErrors()
  const planned = input.plannedDate ? parsePlannedDate(input.plannedDate) : undefined
  if (input.plannedDate && !planned) errors.add('plannedDate', PLANNED_DATE_MESSAGE)
  if (input.state && !['provisional', 'confirmed', 'cancelled'].includes(input.state)) {
    errors.add('state', 'State must be provisional, confirmed or cancelled (mark a release released with its distribution)')
  }
  const note = checkNote(input, errors)
  errors.throwIfAny()
  return { planned: planned ?? undefined, state: input.state as ReleaseState | undefined, note }
}

function checkNote(input: ReleaseInput, errors: FieldErrors): string | null {
  const note = (input.note ?? '').trim() || null
  if (note && note.length > MAX_NOTE) errors.add('note', 'Note must be 1,000 characters or fewer')
  return note
}

/**
 * Status follows from the facts: withdrawn stays withdrawn; with a distribution it is published;
 * with a release still to come, scheduled; otherwise declared. The next release is the earliest
 * still to come.
 */
export function derivedStatus(
  dataset: { status: string; published_at: string | null },
  releases: readonly Pick<ReleaseRow, 'state' | 'planned_date'>[],
  distributions: readonly Pick<DistributionRow, 'id'>[],
  now: string,
): { status: string; next_release_date: string | null; published_at: string | null } {
  const open = releases.filter((r) => OPEN_RELEASE_STATES.has(r.state)).map((r) => r.planned_date).sort()
  let status = dataset.status
  if (status !== 'withdrawn') status = distributions.length > 0 ? 'published' : open.length > 0 ? 'scheduled' : 'declared'
  return {
    status,
    next_release_date: status === 'withdrawn' ? null : (open[0] ?? null),
    published_at: dataset.published_at ?? (distributions.length > 0 ? now : null),
  }
}
