import { todayInUk } from '../../platform/uk-date.js'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'

/** How a body has kept to the time it has to answer requests. */
export interface RequestTimeliness {
  /** Requests whose answer was due by now or that are answered already. */
  due: number
  /** Of those, the ones first answered on or before their due date (in UK time). */
  answeredOnTime: number
}

/*
 * A request is on time when its answer came on the due date in UK time or earlier. `answered_at`
 * is a UTC timestamp, and the UK is on UTC or one hour ahead, so an answer before 23:00 UTC on
 * the due date is on time whatever the season, and one from midnight UTC the next day is late.
 * Only the hour between depends on summer time: those few rows are read and judged one by one.
 */
const SURELY_ON_TIME = sql<string>`due_date || 'T23:00:00.000Z'`
const NEXT_DAY = sql<string>`due_date || 'T24'`

/**
 * Requests due and answered on time, per body, for the audit dashboard: one grouped query and
 * one for the answers given in the last hour of a due date.
 */
export async function requestTimelinessByOrganisation(db: Kysely<Database>, today: string = todayInUk()): Promise<Map<string, RequestTimeliness>> {
  const counted = db
    .selectFrom('data_requests')
    .where('organisation_id', 'is not', null)
    .where((eb) => eb.or([eb('answered_at', 'is not', null), eb('due_date', '<', today)]))
  const [groups, borderline] = await Promise.all([
    counted
      .select((eb) => [
        'organisation_id',
        eb.fn.countAll<number>().as('due'),
        eb.fn.sum<number>(eb.case().when('answered_at', '<', SURELY_ON_TIME).then(1).else(0).end()).as('on_time'),
      ])
      .groupBy('organisation_id')
      .execute(),
    counted
      .select(['organisation_id', 'answered_at'])
      .where('answered_at', '>=', SURELY_ON_TIME)
      .where('answered_at', '<', NEXT_DAY)
      .select('due_date')
      .execute(),
  ])
  const out = new Map<string, RequestTimeliness>()
  for (const g of groups) out.set(g.organisation_id!, { due: Number(g.due), answeredOnTime: Number(g.on_time ?? 0) })
  for (const row of borderline) {
    if (todayInUk(new Date(row.answered_at!)) <= row.due_date) out.get(row.organisation_id!)!.answeredOnTime++
  }
  return out
}
