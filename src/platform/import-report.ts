import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Actor } from './actor.js'
import { recordAudit } from './audit.js'

/** What an import found and did, and how that is told on the page, in the API and by the command. */

export interface ImportOptions {
  /** Check the file and report what would happen, saving nothing. */
  dryRun?: boolean
  /** Save the valid rows even when others are rejected. */
  allowPartial?: boolean
  /** Told how far through the file the import is, in bytes. */
  onProgress?: (done: number, total: number) => void
}

/** A problem with the file: the physical line where its record starts, and the column. */
export interface ImportProblem {
  line: number
  /** A template column name, or '' when the problem is the whole row or file. */
  column: string
  reason: string
}

/**
 * What an import did. When nothing was saved (a dry run, or rejected rows without
 * `allowPartial`), the counts say what importing would have done.
 */
export interface ImportReport {
  /** Data rows read (blank lines are not rows). */
  rows: number
  created: number
  updated: number
  unchanged: number
  /** How many rows were rejected (a row can have several problems). */
  rejectedRows: number
  /** Every problem of every rejected row, in file order. */
  rejected: ImportProblem[]
  /** Problems that rejected no row, like a column the template does not have. */
  warnings: ImportProblem[]
  /** The file itself could not be imported (unreadable, or a required column missing). */
  fileRejected: boolean
  dryRun: boolean
  allowPartial: boolean
  /** Whether the changes were saved. */
  saved: boolean
  encoding: 'utf-8' | 'windows-1252' | 'unknown'
}

/**
 * Logs an import as a whole, beside the event of each record it created or changed. Call it
 * inside the import's transaction: an import that is not kept takes its entry with it.
 */
export async function recordImport(db: Kysely<Database>, actor: Actor, organisationId: string, action: string, report: ImportReport & { format?: string }): Promise<void> {
  const { rows, created, updated, unchanged, encoding, format } = report
  // Like any change, an import that changed nothing leaves nothing in the log.
  if (created + updated === 0) return
  const rejected = new Set(report.rejected.map((p) => p.line)).size
  await recordAudit(db, actor, { organisationId, action, entityType: 'organisation', entityId: organisationId, after: { ...(format ? { format } : {}), encoding, rows, created, updated, unchanged, rejected } })
}

/** A report before anything is read: nothing done, nothing saved. */
export function emptyImportReport(options: ImportOptions): ImportReport {
  return {
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejectedRows: 0,
    rejected: [],
    warnings: [],
    fileRejected: false,
    dryRun: Boolean(options.dryRun),
    allowPartial: Boolean(options.allowPartial),
    saved: false,
    encoding: 'unknown',
  }
}

/** The file as a whole cannot be imported: one problem, on its first line. */
export function rejectFile(report: ImportReport, reason: string): void {
  report.rejected.push({ line: 1, column: '', reason })
  report.fileRejected = true
  report.rejectedRows = 1
}

/** What happened, in a heading and a sentence, for the page and the API's `detail`. */
export function importOutcome(report: ImportReport): { heading: string; detail: string } {
  const rows = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'row was' : 'rows were'}`
  if (report.fileRejected) return { heading: 'The file could not be imported', detail: 'The file could not be read as the template: nothing was saved.' }
  if (report.dryRun) {
    return report.rejected.length > 0
      ? { heading: 'Dry run: rows would be rejected', detail: `Nothing was saved. ${rows(report.rejectedRows)} rejected.` }
      : { heading: 'Dry run: the file can be imported', detail: 'Nothing was saved. This is what importing the file would do.' }
  }
  if (!report.saved) return { heading: 'Nothing was imported', detail: `${rows(report.rejectedRows)} rejected, so nothing was saved. Correct them and import the file again, or allow a partial import to keep the valid rows.` }
  if (report.rejected.length > 0) return { heading: 'Import finished with rejected rows', detail: `The valid rows were saved. ${rows(report.rejectedRows)} rejected.` }
  return { heading: 'Import complete', detail: 'Every row was imported.' }
}

/** `line 4, column licence`: how a problem is named in the API and by the command. */
export function problemName(p: ImportProblem): string {
  return p.column ? `line ${p.line}, column ${p.column}` : `line ${p.line}`
}

/** The report as lines of text, for the `lgds` command. */
export function importReportText(report: ImportReport): string[] {
  const { heading, detail } = importOutcome(report)
  const lines = [`${heading}. ${detail}`]
  if (!report.fileRejected) {
    lines.push(`Rows read: ${report.rows}. Added: ${report.created}, updated: ${report.updated}, unchanged: ${report.unchanged}, rejected: ${report.rejectedRows}.`)
  }
  for (const p of report.warnings) lines.push(`Warning: ${problemName(p)}: ${p.reason}`)
  for (const p of report.rejected) lines.push(`${problemName(p)}: ${p.reason}`)
  return lines
}

