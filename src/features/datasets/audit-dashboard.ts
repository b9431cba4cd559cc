import { todayInUk } from '../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Organisation } from '../organisations/service.js'
import { typeLabel } from '../organisations/types.js'
import { requestTimelinessByOrganisation } from '../requests/stats.js'
import { toSignoff, type AuditRound, type AuditSignoff } from './audit-round-model.js'

/*
 * The audit dashboard: per body, whether it signed the round off, what it has declared, how much
 * is open, releases overdue and requests answered on time.
 */

export const AUDIT_SORT_KEYS = ['body', 'signedOff', 'declared', 'shareOpen', 'overdue', 'onTime'] as const
export type AuditSortKey = (typeof AUDIT_SORT_KEYS)[number]
export type SortDirection = 'asc' | 'desc'

export interface DashboardOptions {
  /** The round whose sign-offs are shown; the current round when absent. */
  roundId?: string
  sort?: string
  direction?: string
  nation?: string
  region?: string
  type?: string
}

/** One body's line on the audit dashboard. */
export interface DashboardRow {
  organisationId: string
  slug: string
  name: string
  type: string
  typeLabel: string
  nation: string | null
  region: string | null
  signoff: AuditSignoff | null
  /** Datasets declared and not withdrawn. */
  declared: number
  open: number
  restricted: number
  nonPublic: number
  /** Open datasets as a percentage of those declared, to one decimal place; null with none declared. */
  shareOpen: number | null
  overdueReleases: number
  /** Requests whose answer was due by now, or that are answered already. */
  requestsDue: number
  requestsOnTime: number
  /** Requests answered on time as a percentage of those due; null with none due. */
  shareOnTime: number | null
}

export interface DashboardTotals {
  bodies: number
  signedOff: number
  declared: number
  open: number
  restricted: number
  nonPublic: number
  shareOpen: number | null
  overdueReleases: number
  requestsDue: number
  requestsOnTime: number
  shareOnTime: number | null
}

export interface Dashboard {
  round: AuditRound | undefined
  rows: DashboardRow[]
  totals: DashboardTotals
  sort: AuditSortKey
  direction: SortDirection
}

/** The order a column sorts in when first chosen: names A to Z, numbers largest first. */
export function defaultDirection(sort: AuditSortKey): SortDirection {
  return sort === 'body' ? 'asc' : 'desc'
}

const OPEN_RELEASE_STATES = ['provisional', 'confirmed']
/** Bodies from the local-authority register are always on the dashboard, declared data or not. */
const LOCAL_AUTHORITY_SOURCE = 'register'

/** Every body's line, in a few grouped queries whatever the number of bodies. */
export async function dashboardRows(k: Kysely<Database>, round: AuditRound | undefined, filters: { nation?: string; region?: string; type?: string; organisationId?: string }): Promise<DashboardRow[]> {
  const today = todayInUk()
  const datasetCounts = k
    .selectFrom('datasets')
    .select((eb) => [
      'organisation_id',
      eb.fn.countAll<number>().as('any_datasets'),
      eb.fn.sum<number>(eb.case().when('status', '<>', 'withdrawn').then(1).else(0).end()).as('declared'),
      ...(['open', 'restricted', 'non-public'] as const).map((level) =>
        eb.fn.sum<number>(eb.case().when(eb.and([eb('status', '<>', 'withdrawn'), eb('access_level', '=', level)])).then(1).else(0).end()).as(`access_${level.replace('-', '_')}`),
      ),
    ])
    .groupBy('organisation_id')
    .as('dc')
  // A release is overdue once its whole period has ended: for a month or a quarter, that is
  // when today falls in a later month or quarter, so compare the period's start with today's.
  const overdueCounts = k
    .selectFrom('releases as r')
    .innerJoin('datasets as d', 'd.id', 'r.dataset_id')
    .select((eb) => ['d.organisation_id', eb.fn.countAll<number>().as('overdue')])
    .where('r.state', 'in', OPEN_RELEASE_STATES)
    .where('d.status', '<>', 'withdrawn')
    .where((eb) =>
      eb.or([
        eb.and([eb('r.precision', '=', 'day'), eb('r.planned_date', '<', today)]),
        eb.and([eb('r.precision', '=', 'month'), eb('r.planned_date', '<', monthStart(today))]),
        eb.and([eb('r.precision', '=', 'quarter'), eb('r.planned_date', '<', quarterStart(today))]),
      ]),
    )
    .groupBy('d.organisation_id')
    .as('oc')
  const requested = k.selectFrom('data_requests').select('organisation_id').where('organisation_id', 'is not', null).groupBy('organisation_id').as('rq')

  let query = k
    .selectFrom('organisations as o')
    .leftJoin(datasetCounts, 'dc.organisation_id', 'o.id')
    .leftJoin(overdueCounts, 'oc.organisation_id', 'o.id')
    .leftJoin(requested, 'rq.organisation_id', 'o.id')
    .leftJoin('audit_signoffs as s', (join) => join.onRef('s.organisation_id', '=', 'o.id').on('s.round_id', '=', round?.id ?? ''))
    .select([
      'o.id',
      'o.slug',
      'o.name',
      'o.type',
      'o.nation',
      'o.region',
      'dc.declared',
      'dc.access_open',
      'dc.access_restricted',
      'dc.access_non_public',
      'oc.overdue',
      's.id as signoff_id',
      's.round_id',
      's.signed_off_by',
      's.signed_off_by_name',
      's.signed_off_at',
      's.note',
    ])
  if (filters.organisationId) {
    query = query.where('o.id', '=', filters.organisationId)
  } else {
    query = query.where((eb) =>
      eb.or([eb('o.source', '=', LOCAL_AUTHORITY_SOURCE), eb('dc.any_datasets', 'is not', null), eb('s.id', 'is not', null), eb('rq.organisation_id', 'is not', null)]),
    )
  }
  if (filters.nation) query = query.where('o.nation', '=', filters.nation)
  if (filters.region) query = query.where('o.region', '=', filters.region)
  if (filters.type) query = query.where('o.type', '=', filters.type)

  const [found, timeliness] = await Promise.all([query.execute(), requestTimelinessByOrganisation(k, today)])
  return found.map((r) => {
    const declared = Number(r.declared ?? 0)
    const open = Number(r.access_open ?? 0)
    const requests = timeliness.get(r.id) ?? { due: 0, answeredOnTime: 0 }
    return {
      organisationId: r.id,
      slug: r.slug,
      name: r.name,
      type: r.type,
      typeLabel: typeLabel(r.type),
      nation: r.nation,
      region: r.region,
      signoff:
        r.signoff_id && round
          ? toSignoff(
              { id: r.signoff_id, round_id: r.round_id!, organisation_id: r.id, signed_off_by: r.signed_off_by!, signed_off_by_name: r.signed_off_by_name!, signed_off_at: r.signed_off_at!, note: r.note ?? null },
              round.deadline,
            )
          : null,
      declared,
      open,
      restricted: Number(r.access_restricted ?? 0),
      nonPublic: Number(r.access_non_public ?? 0),
      shareOpen: percentage(open, declared),
      overdueReleases: Number(r.overdue ?? 0),
      requestsDue: requests.due,
      requestsOnTime: requests.answeredOnTime,
      shareOnTime: percentage(requests.answeredOnTime, requests.due),
    }
  })
}

function monthStart(today: string): string {
  return `${today.slice(0, 7)}-01`
}

function quarterStart(today: string): string {
  const month = Number(today.slice(5, 7))
  return `${today.slice(0, 4)}-${String(Math.floor((month - 1) / 3) * 3 + 1).padStart(2, '0')}-01`
}

export function percentage(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10
}

export function emptyRow(o: Organisation): DashboardRow {
  return {
    organisationId: o.id,
    slug: o.slug,
    name: o.name,
    type: o.type,
    typeLabel: o.typeLabel,
    nation: o.nation,
    region: o.region,
    signoff: null,
    declared: 0,
    open: 0,
    restricted: 0,
    nonPublic: 0,
    shareOpen: null,
    overdueReleases: 0,
    requestsDue: 0,
    requestsOnTime: 0,
    shareOnTime: null,
  }
}

export function totalsOf(rows: DashboardRow[]): DashboardTotals {
  const sum = (pick: (r: DashboardRow) => number) => rows.reduce((n, r) => n + pick(r), 0)
  const declared = sum((r) => r.declared)
  const open = sum((r) => r.open)
  const requestsDue = sum((r) => r.requestsDue)
  const requestsOnTime = sum((r) => r.requestsOnTime)
  return {
    bodies: rows.length,
    signedOff: rows.filter((r) => r.signoff).length,
    declared,
    open,
    restricted: sum((r) => r.restricted),
    nonPublic: sum((r) => r.nonPublic),
    shareOpen: percentage(open, declared),
    overdueReleases: sum((r) => r.overdueReleases),
    requestsDue,
    requestsOnTime,
    shareOnTime: percentage(requestsOnTime, requestsDue),
  }
}

const SORT_VALUE: Record<AuditSortKey, (r: DashboardRow) => string | number | null> = {
  body: (r) => r.name.toLocaleLowerCase('en-GB'),
  signedOff: (r) => r.signoff?.signedOffAt ?? null,
  declared: (r) => r.declared,
  shareOpen: (r) => r.shareOpen,
  overdue: (r) => r.overdueReleases,
  onTime: (r) => r.shareOnTime,
}

/** Sorts by the column, bodies with nothing to show (no datasets, no sign-off) last either way, then by name. */
export function sortRows(rows: DashboardRow[], sort: AuditSortKey, direction: SortDirection): DashboardRow[] {
  const value = SORT_VALUE[sort]
  const sign = direction === 'asc' ? 1 : -1
  const byName = (a: DashboardRow, b: DashboardRow) => a.name.localeCompare(b.name, 'en-GB') || a.slug.localeCompare(b.slug)
  return [...rows].sort((a, b) => {
    const x = value(a)
    const y = value(b)
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1
    if (x < y) return -sign
    if (x > y) return sign
    return byName(a, b)
  })
}

