import { todayInUk } from '../../platform/uk-date.js'
import type { Selectable } from 'kysely'
import type { AuditRoundTable, AuditSignoffTable } from '../../db/schema.js'

export type AuditRoundRow = Selectable<AuditRoundTable>
export type AuditSignoffRow = Selectable<AuditSignoffTable>

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

export function toRound(row: AuditRoundRow, today = todayInUk()): AuditRound {
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

export function toSignoff(row: AuditSignoffRow, deadline: string): AuditSignoff {
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
