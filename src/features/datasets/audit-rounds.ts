import type { Kysely, Selectable } from 'kysely'
import type { Db } from '../../db/connection.js'
import { isUniqueViolation, nowIso } from '../../db/dialect.js'
import type { AuditRoundTable, AuditSignoffTable, Database } from '../../db/schema.js'
import type { Actor, UserActor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requirePlatformAdmin, roleIn } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, FieldErrors, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { typeLabel } from '../organisations/types.js'
import { requestTimelinessByOrganisation } from '../requests/stats.js'
import { isRealDate, todayInUk } from './dates.js'

type AuditRoundRow = Selectable<AuditRoundTable>
type AuditSignoffRow = Selectable<AuditSignoffTable>

/** A yearly round in which every body reviews its inventory and signs it off. */
export interface AuditRound {
  id: string
  year: number
  title: string
  openedAt: string
  /** ISO date: the last day to sign off. */
  deadline: string
  closedAt: string | null
  isOpen: boolean
  deadlinePassed: boolean
}

export interface AuditSignoff {
  id: string
  roundId: string
  organisationId: string
  signedOffBy: string
  signedOffByName: string
  signedOffAt: string
  note: string | null
  /** Signed off after the round's deadline (UK date). */
  late: boolean
}

export interface OpenRoundInput {
  year?: string | number
  /** ISO date, `2027-03-31`. */
  deadline?: string
  title?: string
}

/** The two things a body confirms before signing off, and a note for the record. */
export interface SignOffInput {
  reviewedInventory?: string | boolean
  declaredMissing?: string | boolean
  note?: string
}

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

export class AuditRoundService {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
  ) {}

  // ---- rounds ----

  async list(): Promise<AuditRound[]> {
    const rows = await this.db.kysely.selectFrom('audit_rounds').selectAll().orderBy('year', 'desc').execute()
    const today = todayInUk()
    return rows.map((r) => toRound(r, today))
  }

  async get(id: string): Promise<AuditRound> {
    const row = await this.db.kysely.selectFrom('audit_rounds').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw new NotFoundError('There is no audit round with that id')
    return toRound(row)
  }

  /** The round that is open; when none is, the latest one, so its results stay visible. */
  async current(): Promise<AuditRound | undefined> {
    const rounds = await this.list()
    return rounds.find((r) => r.isOpen) ?? rounds[0]
  }

  /** Opens a year's round. One round per year, and one open at a time, so "current" is never in doubt. */
  async open(actor: Actor, input: OpenRoundInput): Promise<AuditRound> {
    requirePlatformAdmin(actor)
    const today = todayInUk()
    const errors = new FieldErrors()
    const yearText = String(input.year ?? '').trim()
    const year = Number(yearText)
    if (!yearText) errors.add('year', 'Enter the year the round is for')
    else if (!/^\d{4}$/.test(yearText) || year < 2000 || year > 2100) errors.add('year', 'Year must be a year like 2027')
    const deadline = (input.deadline ?? '').trim()
    if (!deadline) errors.add('deadline', 'Enter the deadline for signing off')
    else if (!isRealDate(deadline)) errors.add('deadline', 'Deadline must be a real date, like 31 3 2027')
    else if (deadline <= today) errors.add('deadline', 'Deadline must be in the future')
    const title = (input.title ?? '').trim() || `Data audit ${yearText}`
    if (title.length > 200) errors.add('title', 'Title must be 200 characters or fewer')
    errors.throwIfAny()

    return this.db.kysely.transaction().execute(async (trx) => {
      const sameYear = await trx.selectFrom('audit_rounds').select('id').where('year', '=', year).executeTakeFirst()
      if (sameYear) {
        errors.add('year', `There is already an audit round for ${year}`)
        errors.throwIfAny()
      }
      const stillOpen = await trx.selectFrom('audit_rounds').select('year').where('closed_at', 'is', null).executeTakeFirst()
      if (stillOpen) throw new ConflictError(`Close the ${stillOpen.year} round before opening another`)
      const row: AuditRoundRow = { id: newId(), year, title, opened_at: nowIso(), deadline, closed_at: null }
      try {
        await trx.insertInto('audit_rounds').values(row).execute()
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`There is already an audit round for ${year}`)
        throw error
      }
      await recordAudit(trx, actor, { organisationId: null, action: 'audit_round.open', entityType: 'audit_round', entityId: row.id, after: row })
      return toRound(row, today)
    })
  }

  /** Ends a round: no more sign-offs or withdrawals; its results stay on the dashboard. */
  async close(actor: Actor, roundId: string): Promise<AuditRound> {
    requirePlatformAdmin(actor)
    return this.db.kysely.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('audit_rounds').selectAll().where('id', '=', roundId).executeTakeFirst()
      if (!before) throw new NotFoundError('There is no audit round with that id')
      if (before.closed_at) throw new ConflictError(`The ${before.year} round is already closed`)
      const after = { ...before, closed_at: nowIso() }
      await trx.updateTable('audit_rounds').set({ closed_at: after.closed_at }).where('id', '=', roundId).execute()
      await recordAudit(trx, actor, { organisationId: null, action: 'audit_round.close', entityType: 'audit_round', entityId: roundId, before, after })
      return toRound(after)
    })
  }

  // ---- signing off ----

  async signoffFor(roundId: string, organisationId: string): Promise<AuditSignoff | undefined> {
    const [round, row] = await Promise.all([
      this.get(roundId),
      this.db.kysely.selectFrom('audit_signoffs').selectAll().where('round_id', '=', roundId).where('organisation_id', '=', organisationId).executeTakeFirst(),
    ])
    return row && toSignoff(row, round.deadline)
  }

  async signedOffCount(roundId: string): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('audit_signoffs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('round_id', '=', roundId)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /**
   * The body's attestation that its inventory is complete. Only the body's own administrators
   * give it: it is the body speaking, so neither its editors, its API tokens nor a platform
   * administrator can sign off for it. Who and when are kept.
   */
  async signOff(actor: Actor, organisationSlug: string, input: SignOffInput): Promise<AuditSignoff> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    const user = requireBodyAdmin(actor, organisation)
    const errors = new FieldErrors()
    if (!ticked(input.reviewedInventory) || !ticked(input.declaredMissing)) {
      errors.add('confirm', 'Confirm you have reviewed the inventory and declared the data that is missing')
    }
    const note = (input.note ?? '').trim() || null
    if (note && note.length > 2000) errors.add('note', 'Note must be 2,000 characters or fewer')
    errors.throwIfAny()

    return this.db.kysely.transaction().execute(async (trx) => {
      const round = await openRound(trx)
      const existing = await trx.selectFrom('audit_signoffs').select('signed_off_by_name').where('round_id', '=', round.id).where('organisation_id', '=', organisation.id).executeTakeFirst()
      if (existing) throw new ConflictError(`${organisation.name} has already signed off the ${round.year} audit (${existing.signed_off_by_name})`)
      const row: AuditSignoffRow = {
        id: newId(),
        round_id: round.id,
        organisation_id: organisation.id,
        signed_off_by: user.userId,
        signed_off_by_name: user.name,
        signed_off_at: nowIso(),
        note,
      }
      try {
        await trx.insertInto('audit_signoffs').values(row).execute()
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`${organisation.name} has already signed off the ${round.year} audit`)
        throw error
      }
      await recordAudit(trx, actor, { organisationId: organisation.id, action: 'audit_signoff.create', entityType: 'audit_signoff', entityId: row.id, after: row })
      return toSignoff(row, round.deadline)
    })
  }

  /** Takes a sign-off back (to correct the inventory and sign again), until the deadline. */
  async withdrawSignoff(actor: Actor, organisationSlug: string): Promise<void> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireBodyAdmin(actor, organisation)
    await this.db.kysely.transaction().execute(async (trx) => {
      const round = await openRound(trx)
      if (round.deadline < todayInUk()) throw new ConflictError(`The deadline for the ${round.year} audit has passed: the sign-off can no longer be withdrawn`)
      const before = await trx.selectFrom('audit_signoffs').selectAll().where('round_id', '=', round.id).where('organisation_id', '=', organisation.id).executeTakeFirst()
      if (!before) throw new ConflictError(`${organisation.name} has not signed off the ${round.year} audit`)
      await trx.deleteFrom('audit_signoffs').where('id', '=', before.id).execute()
      await recordAudit(trx, actor, { organisationId: organisation.id, action: 'audit_signoff.withdraw', entityType: 'audit_signoff', entityId: before.id, before })
    })
  }

  // ---- the dashboard ----

  /** Every body's line, sorted, with the totals; a few grouped queries whatever the number of bodies. */
  async dashboard(options: DashboardOptions = {}): Promise<Dashboard> {
    const round = options.roundId ? await this.get(options.roundId) : await this.current()
    const sort = (AUDIT_SORT_KEYS as readonly string[]).includes(options.sort ?? '') ? (options.sort as AuditSortKey) : 'body'
    const direction: SortDirection = options.direction === 'asc' || options.direction === 'desc' ? options.direction : defaultDirection(sort)
    const rows = await this.rows(round, { nation: options.nation, region: options.region, type: options.type })
    return { round, rows: sortRows(rows, sort, direction), totals: totalsOf(rows), sort, direction }
  }

  /** One body's figures, for its sign-off page. */
  async inventory(organisation: Organisation, round: AuditRound | undefined): Promise<DashboardRow> {
    const [row] = await this.rows(round, { organisationId: organisation.id })
    return row ?? emptyRow(organisation)
  }

  private async rows(round: AuditRound | undefined, filters: { nation?: string; region?: string; type?: string; organisationId?: string }): Promise<DashboardRow[]> {
    const k = this.db.kysely
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
}

// ---- helpers ----

function requireBodyAdmin(actor: Actor, organisation: Organisation): UserActor {
  if (actor.kind === 'anonymous') throw new UnauthenticatedError()
  if (actor.kind !== 'user' || roleIn(actor, organisation.id) !== 'admin') {
    throw new ForbiddenError(`Only an administrator of ${organisation.name} can sign off its audit`)
  }
  return actor
}

async function openRound(trx: Kysely<Database>): Promise<AuditRoundRow> {
  const round = await trx.selectFrom('audit_rounds').selectAll().where('closed_at', 'is', null).orderBy('year', 'desc').executeTakeFirst()
  if (!round) throw new ConflictError('There is no audit round open')
  return round
}

function ticked(value: string | boolean | undefined): boolean {
  return value === true || (typeof value === 'string' && value !== '' && value !== 'false')
}

function toRound(row: AuditRoundRow, today = todayInUk()): AuditRound {
  return {
    id: row.id,
    year: Number(row.year),
    title: row.title,
    openedAt: row.opened_at,
    deadline: row.deadline,
    closedAt: row.closed_at,
    isOpen: row.closed_at === null,
    deadlinePassed: row.deadline < today,
  }
}

function toSignoff(row: AuditSignoffRow, deadline: string): AuditSignoff {
  return {
    id: row.id,
    roundId: row.round_id,
    organisationId: row.organisation_id,
    signedOffBy: row.signed_off_by,
    signedOffByName: row.signed_off_by_name,
    signedOffAt: row.signed_off_at,
    note: row.note,
    late: todayInUk(new Date(row.signed_off_at)) > deadline,
  }
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

function emptyRow(o: Organisation): DashboardRow {
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

function totalsOf(rows: DashboardRow[]): DashboardTotals {
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
function sortRows(rows: DashboardRow[], sort: AuditSortKey, direction: SortDirection): DashboardRow[] {
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
