import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { ReleaseRow } from '../datasets/repository.js'
import { cleanFilters, publisherCondition, themeCondition } from '../datasets/search.js'

/*
 * The releases the calendar feed and the release Atom feed publish. The release calendar page
 * (datasets/calendar.ts) shows only what is still to come, a page at a time; feeds need past
 * releases too, and all of them, so they read their own rows with the same filter conditions.
 */

export interface ReleaseFeedFilters {
  /** Organisation slugs. */
  publisher: string[]
  /** EU data-theme codes. */
  theme: string[]
}

/** Keeps only values the filters can hold, as the search page and the calendar do. */
export function releaseFeedFilters(input: { publisher?: string[]; theme?: string[] }): ReleaseFeedFilters {
  const { publisher, theme } = cleanFilters({ publisher: input.publisher, theme: input.theme })
  return { publisher, theme }
}

function filterConditions(filters: ReleaseFeedFilters): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = []
  if (filters.publisher.length > 0) conditions.push(publisherCondition(filters.publisher))
  if (filters.theme.length > 0) conditions.push(themeCondition(filters.theme))
  return conditions
}

export type CalendarReleaseRow = ReleaseRow & {
  dataset_title: string
  publisher_slug: string
  publisher_name: string
  /** Recorded changes, counting the first plan: the event's SEQUENCE is one less. */
  change_count: number
}

/**
 * Every release planned on or after `since`, in whatever state, a batch at a time in id order
 * (keyset paging, so a national calendar is read in flat memory).
 */
export async function* releasesPlannedSince(db: Db, filters: ReleaseFeedFilters, since: string, batchSize = 1000): AsyncGenerator<CalendarReleaseRow[]> {
  const base = [sql`r.planned_date >= ${since}`, ...filterConditions(filters)]
  let afterId: string | undefined
  for (;;) {
    const where = sql.join(afterId === undefined ? base : [...base, sql`r.id > ${afterId}`], sql` and `)
    const rows = (
      await sql<CalendarReleaseRow>`
        select r.*, d.title as dataset_title, o.slug as publisher_slug, o.name as publisher_name,
          (select count(*) from release_changes c where c.release_id = r.id) as change_count
        from releases r
        join datasets d on d.id = r.dataset_id
        join organisations o on o.id = d.organisation_id
        where ${where}
        order by r.id
        limit ${batchSize}`.execute(db.kysely)
    ).rows.map((row) => ({ ...row, change_count: Number(row.change_count) }))
    if (rows.length > 0) yield rows
    if (rows.length < batchSize) return
    afterId = rows[rows.length - 1]!.id
  }
}

export interface ReleaseChangeFeedRow {
  id: number
  release_id: string
  changed_at: string
  from_date: string | null
  from_precision: string | null
  to_date: string | null
  to_precision: string | null
  from_state: string | null
  to_state: string | null
  note: string | null
  dataset_id: string
  dataset_title: string
  publisher_slug: string
  publisher_name: string
}

/**
 * The latest releases that happened, moved or were cancelled, newest first. Changes are
 * numbered as they are recorded, so the newest are the highest ids: the primary key orders
 * them without a sort of the whole history.
 */
export async function recentReleaseChanges(db: Db, filters: ReleaseFeedFilters, limit = 50): Promise<ReleaseChangeFeedRow[]> {
  const happened = sql`(
    (c.to_state in ('released', 'cancelled') and (c.from_state is null or c.from_state <> c.to_state))
    or (c.from_date is not null and (c.from_date <> c.to_date or c.from_precision <> c.to_precision))
  )`
  const where = sql.join([happened, ...filterConditions(filters)], sql` and `)
  const rows = (
    await sql<ReleaseChangeFeedRow>`
      select c.id, c.release_id, c.changed_at, c.from_date, c.from_precision, c.to_date, c.to_precision, c.from_state, c.to_state, c.note,
        r.dataset_id, d.title as dataset_title, o.slug as publisher_slug, o.name as publisher_name
      from release_changes c
      join releases r on r.id = c.release_id
      join datasets d on d.id = r.dataset_id
      join organisations o on o.id = d.organisation_id
      where ${where}
      order by c.id desc
      limit ${limit}`.execute(db.kysely)
  ).rows
  return rows.map((row) => ({ ...row, id: Number(row.id) }))
}
