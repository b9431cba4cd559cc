import { todayInUk } from '../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import { isUniqueViolation, nowIso } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import type { Actor, UserActor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requirePlatformAdmin, roleIn } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, FieldErrors, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { isRealDate } from './dates.js'
import { toRound, toSignoff, type AuditRound, type AuditRoundRow, type AuditSignoff, type AuditSignoffRow } from './audit-round-model.js'
import { AUDIT_SORT_KEYS, dashboardRows, defaultDirection, emptyRow, sortRows, totalsOf, type AuditSortKey, type Dashboard, type DashboardOptions, type DashboardRow, type SortDirection } from './audit-dashboard.js'

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
    const rows = await dashboardRows(this.db.kysely, round, { nation: options.nation, region: options.region, type: options.type })
    return { round, rows: sortRows(rows, sort, direction), totals: totalsOf(rows), sort, direction }
  }

  /** One body's figures, for its sign-off page. */
  async inventory(organisation: Organisation, round: AuditRound | undefined): Promise<DashboardRow> {
    const [row] = await dashboardRows(this.db.kysely, round, { organisationId: organisation.id })
    return row ?? emptyRow(organisation)
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

