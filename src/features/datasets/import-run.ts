import type { ControlledTransaction } from 'kysely'
import { ownConnection, type OwnConnection } from '../../db/pg-transaction.js'
import { isUniqueViolation } from '../../db/dialect.js'
import { withinSavepoint } from '../../db/savepoint.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { AppError, refusalOf } from '../../platform/errors.js'
import type { ImportProblem, ImportReport } from '../../platform/import-report.js'
import type { Organisation } from '../organisations/service.js'
import { DatasetRepository, type DatasetRow } from './repository.js'
import type { DatasetService, NewDeclaration } from './service.js'
import { declarationColumn, mergeWithStored, sameDeclaration, titleKey, type CheckedRow } from './import-rows.js'
import type { Column } from './import-template.js'

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
const SAVEPOINT = 'import_row'

/** The state of one import: the body's datasets by each key a row can be matched on. */
export class ImportRun {
  private readonly byIdentifier = new Map<string, Known>()
  private readonly byReference = new Map<string, Known>()
  /** Every dataset known, to build `titles` from when a row is first matched by its title. */
  private readonly all = new Set<Known>()
  /** By title: only files with rows lacking both identifier and reference need it (and its memory). */
  private titles: Map<string, Known[]> | undefined
  /** Keys already used by a row of this file, with that row's line. */
  private readonly seenIdentifiers = new Map<string, number>()
  private readonly seenReferences = new Map<string, number>()
  private readonly seenTitles = new Map<string, number>()
  /** What rows about to be applied will compare themselves with, read in bulk. */
  private readonly prefetched = new Map<string, Stored>()
  /** New datasets of the batch, declared together once the batch has been read. */
  private readonly pending: { row: CheckedRow; known: Known }[] = []
  private readonly repo: DatasetRepository
  /** PostgreSQL's connection under the import, whose writes can be held back; none on SQLite. */
  private readonly connection: OwnConnection | undefined

  constructor(
    private readonly trx: ControlledTransaction<Database>,
    private readonly actor: Actor,
    private readonly organisation: Organisation,
    private readonly datasets: DatasetService,
    private readonly report: ImportReport,
  ) {
    this.repo = new DatasetRepository(trx)
    this.connection = ownConnection(trx)
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
    const sameTitle = this.byTitle(row.values.title).filter((k) => !k.withdrawn)
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
      const sameTitle = this.byTitle(values.title).filter((k) => !k.withdrawn)
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
    const items = pending.map(({ row }) => ({ values: row.values!, distributions: row.distribution ? [row.distribution] : [], ...(row.nextRelease ? { planned: row.nextRelease } : {}) }))
    let stored: DatasetRow[]
    if (this.connection) {
      stored = await this.declareHeldBack(this.connection, pending, items)
    } else {
      try {
        stored = await withinSavepoint(this.trx, SAVEPOINT, () => this.datasets.insertDeclarations(this.trx, this.actor, this.organisation, items))
      } catch (error) {
        if (!(error instanceof AppError) && !isUniqueViolation(error)) throw error
        // Something changed under the import (another editor took a reference): one at a time,
        // so the rows at fault are the ones reported.
        for (const item of pending) await this.declareOne(item.row, item.known)
        return
      }
    }
    this.report.created += stored.length
  }

  /**
   * PostgreSQL: the batch's writes go to the database while the next batch is read and checked.
   * The import knows every reference the body had, so nothing stored can refuse them, unless
   * another editor declares one while the file is imported: then the import fails as a whole
   * when it commits (DatasetImport says so) and nothing is saved.
   */
  private async declareHeldBack(connection: OwnConnection, pending: { row: CheckedRow; known: Known }[], items: NewDeclaration[]): Promise<DatasetRow[]> {
    let stored: DatasetRow[]
    try {
      stored = await this.datasets.insertDeclarations(this.trx, this.actor, this.organisation, items, { holdBack: true, referencesChecked: true })
    } catch (error) {
      // Nothing of the batch has been sent: forgetting it undoes it.
      connection.discard()
      if (!(error instanceof AppError)) throw error
      for (const item of pending) await this.declareOne(item.row, item.known)
      return []
    }
    connection.flush()
    // One batch stored while the next is read; no more, or the file would wait in memory.
    await connection.inFlightAtMost(1)
    return stored
  }

  private async declareOne(row: CheckedRow, known: Known): Promise<void> {
    const created = await this.inSavepoint(row.line, async () => {
      let stored = await this.datasets.insertDeclaration(this.trx, this.actor, this.organisation, row.values!, row.distribution ? [row.distribution] : [])
      if (row.nextRelease) stored = await this.datasets.insertRelease(this.trx, this.actor, stored, row.nextRelease)
      return stored
    })
    if (created) this.report.created += 1
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
    try {
      return await withinSavepoint(this.trx, SAVEPOINT, work)
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      this.reject(refusal.map((f) => ({ line, column: declarationColumn(f), reason: f.message })))
      return undefined
    }
  }

  private reject(problems: ImportProblem[]): void {
    this.report.rejected.push(...problems)
  }

  /**
   * A dataset rows may match. One this file declares is known by reference and title only: no
   * row can hold the identifier it is given (and a large import keeps nothing more per row).
   */
  private remember(known: Known): void {
    if (known.identifier) this.byIdentifier.set(known.identifier, known)
    if (known.reference !== null) this.byReference.set(known.reference, known)
    this.all.add(known)
    if (this.titles) this.addTitle(known)
  }

  private byTitle(title: string): Known[] {
    if (!this.titles) {
      this.titles = new Map()
      for (const known of this.all) this.addTitle(known)
    }
    return this.titles.get(titleKey(title)) ?? []
  }

  private addTitle(known: Known): void {
    const key = titleKey(known.title)
    const list = this.titles!.get(key)
    if (list) list.push(known)
    else this.titles!.set(key, [known])
  }

  private forget(known: Known): void {
    if (known.reference !== null && this.byReference.get(known.reference) === known) this.byReference.delete(known.reference)
    this.all.delete(known)
    const key = titleKey(known.title)
    const list = this.titles?.get(key)
    if (list) this.titles!.set(key, list.filter((k) => k !== known))
  }
}
