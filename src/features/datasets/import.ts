import { isUtf8 } from 'node:buffer'
import { finished } from 'node:stream/promises'
import { parse } from 'csv-parse'
import type { ControlledTransaction, Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import { isUniqueViolation } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { AppError, ValidationError, type FieldError } from '../../platform/errors.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { parsePlannedDate, type PlannedDate } from './dates.js'
import { DatasetRepository, type DatasetRow } from './repository.js'
import type { DatasetService } from './service.js'
import { validateDeclaration, validateDistribution, type DeclarationInput, type DeclarationValues, type DistributionInput } from './validation.js'
import { ACCESS_LEVELS, ACCESS_REASONS, DEFAULT_LICENCE, FREQUENCIES, LICENCES, THEMES } from './vocabularies.js'

/** The published template's columns, in its order. */
export const COLUMNS = [
  'identifier',
  'reference',
  'title',
  'description',
  'keywords',
  'themes',
  'access_level',
  'access_reason',
  'access_explanation',
  'licence',
  'frequency',
  'temporal_start',
  'temporal_end',
  'spatial',
  'contact_name',
  'contact_email',
  'distribution_title',
  'distribution_url',
  'distribution_format',
  'distribution_media_type',
  'next_release',
] as const
export type Column = (typeof COLUMNS)[number]

/**
 * Without these a file cannot describe a single valid dataset, so a file lacking one is refused
 * whole instead of every row being rejected for the same reason.
 */
const REQUIRED_COLUMNS: Column[] = ['title', 'description', 'themes', 'frequency']

/** Where each validation field is found in the file, so a problem names the column people see. */
const DECLARATION_COLUMN: Record<keyof DeclarationInput, Column> = {
  title: 'title',
  description: 'description',
  reference: 'reference',
  keywords: 'keywords',
  themes: 'themes',
  accessLevel: 'access_level',
  accessReason: 'access_reason',
  accessExplanation: 'access_explanation',
  licence: 'licence',
  frequency: 'frequency',
  temporalStart: 'temporal_start',
  temporalEnd: 'temporal_end',
  spatial: 'spatial',
  contactName: 'contact_name',
  contactEmail: 'contact_email',
}
const DISTRIBUTION_COLUMN: Record<string, Column> = {
  title: 'distribution_title',
  accessUrl: 'distribution_url',
  downloadUrl: 'distribution_url',
  format: 'distribution_format',
  mediaType: 'distribution_media_type',
}

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

/** One row of the file as a declaration, after every check that needs no database. */
interface CheckedRow {
  line: number
  identifier: string | null
  /** The declaration as the row gives it, and which of the template's columns the file has. */
  input: DeclarationInput
  present: ReadonlySet<Column>
  values?: DeclarationValues
  distribution?: DistributionInput
  nextRelease?: PlannedDate
  problems: ImportProblem[]
}

/** What the import knows of a dataset of the body, enough to match rows to it. */
interface Known {
  id: string
  identifier: string
  reference: string | null
  title: string
  withdrawn: boolean
  /** The line of the file that matched or created it, once one has. */
  line?: number
}

/** Datasets read from the database in one query when rows of the file match them. */
const PREFETCH = 500

interface Stored {
  row: DatasetRow
  releases: { planned_date: string; precision: string; state: string }[]
  /** Access and download addresses of its distributions. */
  urls: Set<string>
}
const CHUNK_BYTES = 64 * 1024
const SAVEPOINT = 'import_row'

/**
 * Declares and updates a body's datasets from a CSV file in the published template. Every row
 * goes through the same validation and service methods as the form, in one transaction, so the
 * file is imported whole or not at all (unless partial imports are allowed).
 */
export class DatasetImport {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
    private readonly datasets: DatasetService,
  ) {}

  async importCsv(actor: Actor, organisationSlug: string, bytes: Buffer, options: ImportOptions = {}): Promise<ImportReport> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireEditFor(actor, organisation.id)
    const report: ImportReport = {
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
    const decoded = decodeCsv(bytes)
    if ('problem' in decoded) {
      report.rejected.push({ line: 1, column: '', reason: decoded.problem })
      report.fileRejected = true
      return report
    }
    report.encoding = decoded.encoding

    const trx = await this.db.kysely.startTransaction().execute()
    try {
      const run = new ImportRun(trx, actor, organisation, this.datasets, report)
      await run.load()
      await readRows(decoded.text, report, options.onProgress, (rows) => run.applyAll(rows))
      // Rows declared in bulk are reported after the batch; the report reads in file order.
      report.rejected.sort((a, b) => a.line - b.line)
      report.rejectedRows = new Set(report.rejected.map((p) => p.line)).size
      const keep = !report.dryRun && !report.fileRejected && (report.rejected.length === 0 || report.allowPartial)
      if (keep) await trx.commit().execute()
      else await trx.rollback().execute()
      report.saved = keep
      return report
    } catch (error) {
      await trx.rollback().execute().catch(() => {})
      throw error
    }
  }
}

/** The state of one import: the body's datasets by each key a row can be matched on. */
class ImportRun {
  private readonly byIdentifier = new Map<string, Known>()
  private readonly byReference = new Map<string, Known>()
  private readonly byTitle = new Map<string, Known[]>()
  /** Keys already used by a row of this file, with that row's line. */
  private readonly seenIdentifiers = new Map<string, number>()
  private readonly seenReferences = new Map<string, number>()
  private readonly seenTitles = new Map<string, number>()
  /** What rows about to be applied will compare themselves with, read in bulk. */
  private readonly prefetched = new Map<string, Stored>()
  /** New datasets of the batch, declared together once the batch has been read. */
  private readonly pending: { row: CheckedRow; known: Known }[] = []
  private readonly repo: DatasetRepository

  constructor(
    private readonly trx: ControlledTransaction<Database>,
    private readonly actor: Actor,
    private readonly organisation: Organisation,
    private readonly datasets: DatasetService,
    private readonly report: ImportReport,
  ) {
    this.repo = new DatasetRepository(trx)
  }

  /** Reads the keys of the body's datasets once, instead of looking each row up three ways. */
  async load(): Promise<void> {
    const rows = await this.trx
      .selectFrom('datasets')
      .select(['id', 'identifier', 'reference', 'title', 'status'])
      .where('organisation_id', '=', this.organisation.id)
      .execute()
    for (const row of rows) this.remember({ id: row.id, identifier: row.identifier, reference: row.reference, title: row.title, withdrawn: row.status === 'withdrawn' })
  }

  async applyAll(rows: CheckedRow[]): Promise<void> {
    await this.prefetch(rows)
    for (const row of rows) await this.apply(row)
    this.prefetched.clear()
    await this.declarePending()
  }

  /**
   * Reads the stored datasets a batch of rows will probably be compared with in three queries,
   * rather than three for each row: a file imported again is mostly unchanged rows.
   */
  private async prefetch(rows: CheckedRow[]): Promise<void> {
    const ids = [...new Set(rows.map((row) => this.candidate(row)?.id).filter((id): id is string => Boolean(id)))]
    for (let i = 0; i < ids.length; i += PREFETCH) {
      const slice = ids.slice(i, i + PREFETCH)
      const datasets = await this.trx.selectFrom('datasets').selectAll().where('id', 'in', slice).execute()
      const releases = await this.trx.selectFrom('releases').select(['dataset_id', 'planned_date', 'precision', 'state']).where('dataset_id', 'in', slice).execute()
      const distributions = await this.trx.selectFrom('distributions').select(['dataset_id', 'access_url', 'download_url']).where('dataset_id', 'in', slice).execute()
      for (const row of datasets) this.prefetched.set(row.id, { row, releases: [], urls: new Set() })
      for (const r of releases) this.prefetched.get(r.dataset_id)?.releases.push(r)
      for (const d of distributions) {
        const urls = this.prefetched.get(d.dataset_id)?.urls
        if (d.access_url) urls?.add(d.access_url)
        if (d.download_url) urls?.add(d.download_url)
      }
    }
  }

  /** The dataset a row would match, without the checks `match` makes. */
  private candidate(row: CheckedRow): Known | undefined {
    if (!row.values) return undefined
    if (row.identifier !== null) return this.byIdentifier.get(row.identifier)
    if (row.values.reference !== null) return this.byReference.get(row.values.reference)
    const sameTitle = (this.byTitle.get(titleKey(row.values.title)) ?? []).filter((k) => !k.withdrawn)
    return sameTitle.length === 1 ? sameTitle[0] : undefined
  }

  /** A stored dataset with what a row is compared against. */
  private async stored(id: string): Promise<Stored> {
    const cached = this.prefetched.get(id)
    if (cached) return cached
    const row = (await this.repo.findById(id))!
    const urls = new Set((await this.repo.distributionsOf(id)).flatMap((d) => [d.access_url, d.download_url]).filter((u): u is string => u !== null))
    return { row, releases: await this.repo.releasesOf(id), urls }
  }

  private async apply(row: CheckedRow): Promise<void> {
    const problems = [...row.problems, ...this.duplicates(row)]
    if (problems.length > 0 || !row.values) return this.reject(problems)
    const match = await this.match(row)
    if ('problem' in match) return this.reject([match.problem])
    if (match.known) await this.change(row, match.known, match.column)
    else this.create(row)
  }

  /** A second row with the same identifier or reference (or, without either, title) is refused. */
  private duplicates(row: CheckedRow): ImportProblem[] {
    const problems: ImportProblem[] = []
    const reference = row.values?.reference ?? null
    const repeated = (seen: Map<string, number>, key: string | null, column: Column, reason: (first: number) => string) => {
      if (key === null) return
      const first = seen.get(key)
      if (first === undefined) seen.set(key, row.line)
      else problems.push({ line: row.line, column, reason: reason(first) })
    }
    repeated(this.seenIdentifiers, row.identifier, 'identifier', (first) => `This identifier is already used on line ${first} of this file`)
    repeated(this.seenReferences, reference, 'reference', (first) => `The reference “${reference}” is already used on line ${first} of this file`)
    if (row.identifier === null && reference === null && row.values) {
      repeated(this.seenTitles, titleKey(row.values.title), 'title', (first) => `Line ${first} of this file has the same title: give each dataset a reference so they can be told apart`)
    }
    return problems
  }

  /**
   * Which existing dataset of the body the row describes: by identifier, else by the body's own
   * reference, else (when the row has neither) by its exact title, so re-importing a file never
   * declares the same dataset twice.
   */
  private async match(row: CheckedRow): Promise<{ known?: Known; column: Column } | { problem: ImportProblem }> {
    const values = row.values!
    const problem = (column: Column, reason: string) => ({ problem: { line: row.line, column, reason } })
    let known: Known | undefined
    let column: Column = 'identifier'
    if (row.identifier !== null) {
      known = this.byIdentifier.get(row.identifier)
      if (!known) {
        const elsewhere = await this.repo.findByIdentifier(row.identifier)
        return elsewhere
          ? problem('identifier', `This identifier belongs to a dataset of another body, not ${this.organisation.name}`)
          : problem('identifier', `${this.organisation.name} has no dataset with this identifier: leave identifier empty to declare a new dataset`)
      }
      const holder = values.reference === null ? undefined : this.byReference.get(values.reference)
      if (holder && holder.id !== known.id) return problem('reference', `Another dataset of ${this.organisation.name} already has the reference “${values.reference}”`)
    } else if (values.reference !== null) {
      known = this.byReference.get(values.reference)
      column = 'reference'
    } else {
      const sameTitle = (this.byTitle.get(titleKey(values.title)) ?? []).filter((k) => !k.withdrawn)
      if (sameTitle.length > 1) return problem('title', `${this.organisation.name} has ${sameTitle.length} datasets with this title: give the identifier or reference of the one to change`)
      known = sameTitle[0]
      column = 'title'
    }
    if (known?.line !== undefined) return problem(column, `Line ${known.line} of this file is already about this dataset`)
    return { known, column }
  }

  /**
   * Plans a new dataset. It is known at once, so a later row of the file that would match it is
   * refused as a repeat, but declared with the rest of the batch.
   */
  private create(row: CheckedRow): void {
    const known: Known = { id: '', identifier: '', reference: row.values!.reference, title: row.values!.title, withdrawn: false, line: row.line }
    this.remember(known)
    this.pending.push({ row, known })
  }

  private async declarePending(): Promise<void> {
    const pending = this.pending.splice(0)
    if (pending.length === 0) return
    const savepoint = await this.trx.savepoint(SAVEPOINT).execute()
    let stored: DatasetRow[]
    try {
      stored = await this.datasets.insertDeclarations(
        this.trx,
        this.actor,
        this.organisation,
        pending.map(({ row }) => ({ values: row.values!, distributions: row.distribution ? [row.distribution] : [], ...(row.nextRelease ? { planned: row.nextRelease } : {}) })),
      )
      await savepoint.releaseSavepoint(SAVEPOINT).execute()
    } catch (error) {
      await savepoint.rollbackToSavepoint(SAVEPOINT).execute()
      await savepoint.releaseSavepoint(SAVEPOINT).execute()
      if (!(error instanceof AppError) && !isUniqueViolation(error)) throw error
      // Something changed under the import (another editor took a reference): one at a time,
      // so the rows at fault are the ones reported.
      for (const item of pending) await this.declareOne(item.row, item.known)
      return
    }
    stored.forEach((row, i) => this.declared(pending[i]!.known, row))
  }

  private async declareOne(row: CheckedRow, known: Known): Promise<void> {
    const created = await this.inSavepoint(row.line, async () => {
      let stored = await this.datasets.insertDeclaration(this.trx, this.actor, this.organisation, row.values!, row.distribution ? [row.distribution] : [])
      if (row.nextRelease) stored = await this.datasets.insertRelease(this.trx, this.actor, stored, row.nextRelease)
      return stored
    })
    if (created) this.declared(known, created)
  }

  private declared(known: Known, row: DatasetRow): void {
    known.id = row.id
    known.identifier = row.identifier
    this.byIdentifier.set(row.identifier, known)
    this.report.created += 1
  }

  /** Updates what differs; a row that says what is already stored changes nothing. */
  private async change(row: CheckedRow, known: Known, column: Column): Promise<void> {
    known.line = row.line
    const stored = await this.stored(known.id)
    const before = stored.row
    const merged = mergeWithStored(row, before)
    if ('problems' in merged) return this.reject(merged.problems)
    const values = merged.values
    const declarationChanged = !sameDeclaration(before, values)
    const url = row.distribution?.accessUrl
    const addDistribution = url !== undefined && !stored.urls.has(url)
    const planned = row.nextRelease
    // A release on that date already planned (or already made) is the same release, so a file
    // imported again later does not plan it a second time.
    const addRelease = planned !== undefined && !stored.releases.some((r) => r.state !== 'cancelled' && r.planned_date === planned.date && r.precision === planned.precision)
    // A withdrawn dataset gets no new releases or distributions (its planned releases were
    // cancelled), so the file it was imported from still matches it.
    if (before.status === 'withdrawn') {
      if (declarationChanged) return this.reject([{ line: row.line, column, reason: 'This dataset has been withdrawn and can no longer change' }])
      this.report.unchanged += 1
      return
    }
    if (!declarationChanged && !addDistribution && !addRelease) {
      this.report.unchanged += 1
      return
    }
    const updated = await this.inSavepoint(row.line, async () => {
      let current = before
      if (declarationChanged) current = await this.datasets.applyUpdate(this.trx, this.actor, current, values, current.version)
      if (addDistribution) current = await this.datasets.insertPublishedDistribution(this.trx, this.actor, current, row.distribution!)
      if (addRelease) current = await this.datasets.insertRelease(this.trx, this.actor, current, planned)
      return current
    })
    if (!updated) return
    this.forget(known)
    this.remember({ ...known, reference: updated.reference, title: updated.title })
    this.report.updated += 1
  }

  /**
   * Runs one row's writes so that, if the service refuses them, only that row is undone and the
   * import goes on to report the rest of the file.
   */
  private async inSavepoint(line: number, work: () => Promise<DatasetRow>): Promise<DatasetRow | undefined> {
    const savepoint = await this.trx.savepoint(SAVEPOINT).execute()
    try {
      const result = await work()
      await savepoint.releaseSavepoint(SAVEPOINT).execute()
      return result
    } catch (error) {
      await savepoint.rollbackToSavepoint(SAVEPOINT).execute()
      await savepoint.releaseSavepoint(SAVEPOINT).execute()
      if (error instanceof ValidationError) {
        this.reject(error.fields.map((f) => ({ line, column: declarationColumn(f), reason: f.message })))
        return undefined
      }
      if (error instanceof AppError && error.status < 500 && error.status !== 401 && error.status !== 403) {
        this.reject([{ line, column: '', reason: error.message }])
        return undefined
      }
      throw error
    }
  }

  private reject(problems: ImportProblem[]): void {
    this.report.rejected.push(...problems)
  }

  private remember(known: Known): void {
    if (known.identifier) this.byIdentifier.set(known.identifier, known)
    if (known.reference !== null) this.byReference.set(known.reference, known)
    const key = titleKey(known.title)
    this.byTitle.set(key, [...(this.byTitle.get(key) ?? []), known])
  }

  private forget(known: Known): void {
    if (known.reference !== null && this.byReference.get(known.reference) === known) this.byReference.delete(known.reference)
    const key = titleKey(known.title)
    this.byTitle.set(key, (this.byTitle.get(key) ?? []).filter((k) => k !== known))
  }
}

// ---- reading the file ----

/**
 * The file's text as UTF-8 bytes without a byte order mark. Spreadsheets on Windows still save
 * "CSV" as Windows-1252, so bytes that are not valid UTF-8 are read as that.
 */
export function decodeCsv(bytes: Buffer): { text: Buffer; encoding: 'utf-8' | 'windows-1252' } | { problem: string } {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) {
    return { problem: 'This is a spreadsheet workbook, not a CSV file: save it as “CSV UTF-8 (comma delimited)” and upload that' }
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { problem: 'This file is UTF-16 text: save it as “CSV UTF-8 (comma delimited)” and upload that' }
  }
  const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
  if (isUtf8(body)) return { text: body, encoding: 'utf-8' }
  return { text: Buffer.from(decodeWindows1252(body), 'utf8'), encoding: 'windows-1252' }
}

/*
 * Windows-1252 puts printable characters (€ ‘ ’ “ ” – …) where ISO-8859-1 has control codes.
 * Node 20's TextDecoder decodes the 'windows-1252' label as ISO-8859-1, so those bytes are
 * mapped here; on a Node that gets it right, this changes nothing.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ'

function decodeWindows1252(bytes: Buffer): string {
  return new TextDecoder('windows-1252').decode(bytes).replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!)
}

/** The template column a header names: case, spaces and surrounding blanks do not matter. */
function headerColumn(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_')
}

/**
 * Streams the file through csv-parse a chunk at a time, checking each record and handing valid
 * and invalid rows alike to `handle` in order. Lines are counted from the bytes, because a
 * record's line is where it starts and csv-parse only says where it ends.
 */
async function readRows(
  text: Buffer,
  report: ImportReport,
  onProgress: ImportOptions['onProgress'],
  handle: (rows: CheckedRow[]) => Promise<void>,
): Promise<void> {
  // Records are taken from `on_record` rather than read from the stream: a stream that fails
  // drops the records it had parsed before the failure, and those must still be reported.
  const parsed: { record: string[]; end: number }[] = []
  let failure: unknown
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    on_record: (record: string[], context: { bytes: number }) => {
      parsed.push({ record, end: context.bytes })
      return null
    },
  })
  parser.on('error', (error) => (failure ??= error))
  const lines = new LineCounter(text)
  let header: { columns: (Column | null)[]; present: ReadonlySet<Column>; line: number } | undefined

  const drain = async () => {
    const batch: CheckedRow[] = []
    let end = 0
    for (const record of parsed.splice(0)) {
      const line = lines.startOfNextRecord()
      lines.advanceTo(record.end)
      end = record.end
      if (report.fileRejected) continue
      if (record.record.every((cell) => cell.trim() === '')) continue
      if (!header) {
        header = readHeader(record.record, line, report)
        continue
      }
      report.rows += 1
      batch.push(checkRow(record.record, header.columns, header.present, line))
    }
    if (batch.length > 0 && !report.fileRejected) {
      await handle(batch)
      onProgress?.(end, text.length)
    }
  }

  for (let offset = 0; offset < text.length && !failure && !report.fileRejected; offset += CHUNK_BYTES) {
    parser.write(text.subarray(offset, offset + CHUNK_BYTES))
    await drain()
  }
  if (!failure && !report.fileRejected) {
    parser.end()
    await finished(parser, { readable: false }).catch(() => {})
    await drain()
  }
  parser.destroy()

  if (failure && !report.fileRejected) {
    const code = (failure as { code?: unknown }).code
    if (typeof code !== 'string' || !code.startsWith('CSV_')) throw failure
    report.rejected.push({ line: lines.startOfNextRecord(), column: '', reason: `The file cannot be read from this line on: ${csvErrorReason(code)}` })
    report.fileRejected = true
    return
  }
  if (!header && !report.fileRejected) {
    report.rejected.push({ line: 1, column: '', reason: 'The file is empty: it needs a header row and a row for each dataset' })
    report.fileRejected = true
  }
  onProgress?.(text.length, text.length)
}

function csvErrorReason(code: string): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted value is never closed (a " is missing)'
  if (code === 'CSV_INVALID_CLOSING_QUOTE') return 'a quoted value is followed by more text before the next comma'
  return `it is not valid CSV (${code})`
}

/** Physical line numbers of byte offsets, counted once through the file. */
class LineCounter {
  private offset = 0
  private line = 1

  constructor(private readonly text: Buffer) {}

  /** Skips the blank lines after the last record and says on which line the next one starts. */
  startOfNextRecord(): number {
    while (this.offset < this.text.length && (this.text[this.offset] === 0x0a || this.text[this.offset] === 0x0d)) this.step()
    return this.line
  }

  advanceTo(end: number): void {
    while (this.offset < end) this.step()
  }

  /** A line ends at \n, at \r\n, or at a lone \r (old Mac files). */
  private step(): void {
    const byte = this.text[this.offset]
    if (byte === 0x0a || (byte === 0x0d && this.text[this.offset + 1] !== 0x0a)) this.line += 1
    this.offset += 1
  }
}

function readHeader(record: string[], line: number, report: ImportReport): { columns: (Column | null)[]; present: ReadonlySet<Column>; line: number } {
  const known = new Set<string>(COLUMNS)
  const seen = new Set<string>()
  const columns = record.map((raw) => {
    const name = headerColumn(raw)
    if (!name) return null
    if (!known.has(name)) {
      report.warnings.push({ line, column: raw.trim(), reason: 'This column is not in the template, so it was ignored' })
      return null
    }
    if (seen.has(name)) {
      report.rejected.push({ line, column: name, reason: 'This column appears more than once' })
      report.fileRejected = true
    }
    seen.add(name)
    return name as Column
  })
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) {
      report.rejected.push({ line, column: required, reason: `The file has no ${required} column: start from the template` })
      report.fileRejected = true
    }
  }
  return { columns, present: seen as Set<Column>, line }
}

/** Everything about a row that can be checked without the database. */
function checkRow(record: string[], columns: (Column | null)[], present: ReadonlySet<Column>, line: number): CheckedRow {
  const cells: Partial<Record<Column, string>> = {}
  const problems: ImportProblem[] = []
  record.forEach((cell, index) => {
    const column = columns[index]
    if (column) cells[column] = cell
    else if (index >= columns.length && cell.trim() !== '' && !problems.length) {
      problems.push({ line, column: '', reason: `This row has ${record.length} values but the header has ${columns.length} columns: check for a missing pair of quotes` })
    }
  })
  const input: DeclarationInput = {
    title: cells.title,
    description: cells.description,
    reference: cells.reference,
    keywords: cells.keywords,
    themes: cells.themes,
    accessLevel: cells.access_level,
    accessReason: cells.access_reason,
    accessExplanation: cells.access_explanation,
    licence: cells.licence,
    frequency: cells.frequency,
    temporalStart: cells.temporal_start,
    temporalEnd: cells.temporal_end,
    spatial: cells.spatial,
    contactName: cells.contact_name,
    contactEmail: cells.contact_email,
  }
  const declaration = validateDeclaration(input)
  for (const error of declaration.errors.list) problems.push({ line, column: declarationColumn(error), reason: error.message })

  let distribution: DistributionInput | undefined
  const distributionCells = [cells.distribution_title, cells.distribution_url, cells.distribution_format, cells.distribution_media_type]
  if (distributionCells.some((cell) => (cell ?? '').trim() !== '')) {
    distribution = {
      title: cells.distribution_title,
      accessUrl: (cells.distribution_url ?? '').trim(),
      format: cells.distribution_format,
      mediaType: cells.distribution_media_type,
    }
    for (const error of validateDistribution(distribution).errors.list) {
      problems.push({ line, column: DISTRIBUTION_COLUMN[error.name] ?? 'distribution_url', reason: error.message })
    }
  }

  let nextRelease: PlannedDate | undefined
  const planned = (cells.next_release ?? '').trim()
  if (planned) {
    nextRelease = parsePlannedDate(planned)
    if (!nextRelease) problems.push({ line, column: 'next_release', reason: `“${planned}” is not a date: give the next release as a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1)` })
  }

  const identifier = (cells.identifier ?? '').trim() || null
  if (identifier && identifier.length > 500) problems.push({ line, column: 'identifier', reason: 'Identifier must be 500 characters or fewer' })

  return { line, identifier, input, present, problems, ...(declaration.values ? { values: declaration.values } : {}), ...(distribution ? { distribution } : {}), ...(nextRelease ? { nextRelease } : {}) }
}

/**
 * What a row says about a dataset already declared. A column the file does not have leaves the
 * stored value as it is (a file of titles and descriptions does not wipe licences), and an empty
 * reference keeps the dataset's reference: references are how rows find datasets, so an import
 * never removes one.
 */
function mergeWithStored(row: CheckedRow, before: DatasetRow): { values: DeclarationValues } | { problems: ImportProblem[] } {
  const absent = (Object.keys(DECLARATION_COLUMN) as (keyof DeclarationInput)[]).filter((field) => !row.present.has(DECLARATION_COLUMN[field]))
  const keepReference = row.values!.reference === null && before.reference !== null
  if (absent.length === 0 && !keepReference) return { values: row.values! }
  const stored = storedInput(before)
  const input: DeclarationInput = { ...row.input }
  for (const field of absent) (input as Record<string, unknown>)[field] = stored[field]
  if (keepReference) input.reference = before.reference!
  const checked = validateDeclaration(input)
  if (checked.values) return { values: checked.values }
  return { problems: checked.errors.list.map((e) => ({ line: row.line, column: declarationColumn(e), reason: e.message })) }
}

function storedInput(row: DatasetRow): Required<DeclarationInput> {
  return {
    title: row.title,
    description: row.description,
    reference: row.reference ?? '',
    keywords: JSON.parse(row.keywords) as string[],
    themes: JSON.parse(row.themes) as string[],
    accessLevel: row.access_level,
    accessReason: row.access_reason ?? '',
    accessExplanation: row.access_explanation ?? '',
    licence: row.licence,
    frequency: row.frequency,
    temporalStart: row.temporal_start ?? '',
    temporalEnd: row.temporal_end ?? '',
    spatial: row.spatial ?? '',
    contactName: row.contact_name ?? '',
    contactEmail: row.contact_email ?? '',
  }
}

function declarationColumn(error: FieldError): string {
  return DECLARATION_COLUMN[error.name as keyof DeclarationInput] ?? error.name
}

function titleKey(title: string): string {
  return title.trim().toLowerCase().replace(/\s+/g, ' ')
}

/** Whether a stored declaration already says everything the row says. */
function sameDeclaration(row: DatasetRow, v: DeclarationValues): boolean {
  return (
    row.reference === v.reference &&
    row.title === v.title &&
    row.description === v.description &&
    row.keywords === JSON.stringify(v.keywords) &&
    row.themes === JSON.stringify(v.themes) &&
    row.access_level === v.accessLevel &&
    row.access_reason === v.accessReason &&
    row.access_explanation === v.accessExplanation &&
    row.licence === v.licence &&
    row.frequency === v.frequency &&
    row.temporal_start === v.temporalStart &&
    row.temporal_end === v.temporalEnd &&
    row.spatial === v.spatial &&
    row.contact_name === v.contactName &&
    row.contact_email === v.contactEmail
  )
}

// ---- telling people what happened ----

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

// ---- the template ----

const EXAMPLE: Record<Column, string> = {
  identifier: '',
  reference: 'PARKS-001',
  title: 'Parks and open spaces',
  description: 'Every park, playground and open space the council looks after, with its size and facilities.',
  keywords: 'parks; playgrounds; green space',
  themes: 'ENVI; REGI',
  access_level: 'open',
  access_reason: '',
  access_explanation: '',
  licence: DEFAULT_LICENCE,
  frequency: 'annual',
  temporal_start: '2024-04-01',
  temporal_end: '2025-03-31',
  spatial: 'E08000009',
  contact_name: 'Open data team',
  contact_email: 'opendata@example.gov.uk',
  distribution_title: 'Parks and open spaces (CSV)',
  distribution_url: 'https://data.example.gov.uk/parks.csv',
  distribution_format: 'CSV',
  distribution_media_type: 'text/csv',
  next_release: '2027-Q1',
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value
}

/** The header row and one example row, with CRLF line ends as RFC 4180 has them. */
export function templateCsv(): string {
  return `${COLUMNS.join(',')}\r\n${COLUMNS.map((c) => csvCell(EXAMPLE[c])).join(',')}\r\n`
}

export interface ColumnGuideEntry {
  column: Column
  required: boolean
  guide: string
}

const codes = (list: { code: string }[]) => list.map((e) => e.code).join(', ')

/** What to put in each column, for the upload page. */
export const columnGuide: ColumnGuideEntry[] = [
  { column: 'identifier', required: false, guide: 'Leave empty for a new dataset. To change a dataset already declared, copy its identifier from its page.' },
  { column: 'reference', required: false, guide: 'Your own reference for the dataset, unique within your body. Rows are matched to datasets already declared by identifier, then reference, then exact title. Left empty, a dataset keeps the reference it has.' },
  { column: 'title', required: true, guide: 'What the data is called, up to 300 characters.' },
  { column: 'description', required: true, guide: 'What the data is and what it covers.' },
  { column: 'keywords', required: false, guide: 'Separated by semicolons, like “parks; playgrounds”.' },
  { column: 'themes', required: true, guide: `One or more of ${codes(THEMES)}, separated by semicolons.` },
  { column: 'access_level', required: false, guide: `${codes(ACCESS_LEVELS)}. Empty means open.` },
  { column: 'access_reason', required: false, guide: `When not open: ${codes(ACCESS_REASONS)}.` },
  { column: 'access_explanation', required: false, guide: 'When not open: why, in a sentence or two.' },
  { column: 'licence', required: false, guide: `${codes(LICENCES)}. Empty means ${DEFAULT_LICENCE}.` },
  { column: 'frequency', required: true, guide: `How often it is updated: ${codes(FREQUENCIES)}.` },
  { column: 'temporal_start', required: false, guide: 'First day the data covers, like 2024-04-01.' },
  { column: 'temporal_end', required: false, guide: 'Last day the data covers, like 2025-03-31.' },
  { column: 'spatial', required: false, guide: 'The GSS code of the area covered, like E08000009.' },
  { column: 'contact_name', required: false, guide: 'Who to ask about the data: a team rather than a person.' },
  { column: 'contact_email', required: false, guide: 'An email address that will still work when people move on.' },
  { column: 'distribution_title', required: false, guide: 'Where the data is already published: the name of the file or page.' },
  { column: 'distribution_url', required: false, guide: 'Its web address, starting https://. Needed when any distribution column is filled in. A new address adds a distribution; none is removed.' },
  { column: 'distribution_format', required: false, guide: 'Like CSV, XLSX or GeoJSON.' },
  { column: 'distribution_media_type', required: false, guide: 'Like text/csv.' },
  { column: 'next_release', required: false, guide: 'When the data will next be published: a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1). A date not already planned adds a provisional release.' },
]
