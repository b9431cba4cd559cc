import type { ControlledTransaction } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { refusalOf, type FieldError } from '../../platform/errors.js'
import type { Organisation } from '../organisations/service.js'
import { sameDeclaration, storedInput } from '../datasets/import-rows.js'
import { DatasetRepository, type DatasetRow, type DistributionRow } from '../datasets/repository.js'
import type { DatasetService } from '../datasets/service.js'
import { validateDeclaration, type DistributionInput } from '../datasets/validation.js'
import { sourceField, type CheckedRecord, type FieldNames, type FieldProblem } from './record.js'
import type { HarvestReport } from './report.js'
import { withinSavepoint } from '../../db/savepoint.js'

const SAVEPOINT = 'harvest_record'
/** Datasets of the body read at a time when the run starts. */
const LOAD_PAGE = 1000

/** What makes a distribution the same one on a later harvest: its download address, else its access address. */
function distributionKey(d: { downloadUrl?: string | null; accessUrl?: string | null }): string {
  return d.downloadUrl ?? d.accessUrl ?? ''
}

/**
 * Writes one harvest inside the caller's transaction, through the same service methods as the
 * form and the CSV import. A record is matched to the body's dataset by its key (the
 * identifier when a URI, else the reference) and changes it only where the source says
 * something different, so harvesting the same catalogue again writes nothing.
 */
export class HarvestRun {
  private readonly byIdentifier = new Map<string, DatasetRow>()
  private readonly byReference = new Map<string, DatasetRow>()
  /** Keys used by a record of this source, with that record's number. */
  private readonly seen = new Map<string, number>()
  private readonly repo: DatasetRepository

  constructor(
    private readonly trx: ControlledTransaction<Database>,
    private readonly actor: Actor,
    private readonly organisation: Organisation,
    private readonly datasets: DatasetService,
    private readonly report: HarvestReport,
    private readonly names: FieldNames,
  ) {
    this.repo = new DatasetRepository(trx)
  }

  /** Reads the body's datasets once (inside the transaction: SQLite has one connection). */
  async load(): Promise<void> {
    for (let page = 1; ; page += 1) {
      const { items, total } = await this.repo.listForOrganisation(this.organisation.id, { page, pageSize: LOAD_PAGE })
      for (const row of items) this.remember(row)
      if (page * LOAD_PAGE >= total) return
    }
  }

  async apply(record: CheckedRecord): Promise<void> {
    this.report.warnings.push(...record.warnings.map((w) => this.named(record, w)))
    if (record.problems.length > 0) return this.reject(record, record.problems)
    const key = record.key!
    const first = this.seen.get(key)
    if (first !== undefined) return this.reject(record, [{ field: this.names.key, reason: `Record ${first} of the source has the same identifier` }])
    this.seen.set(key, record.number)
    const known = record.keyIsUri ? this.byIdentifier.get(key) : this.byReference.get(key)
    if (known) return this.change(record, known)
    if (record.keyIsUri && (await this.repo.findByIdentifier(key))) {
      return this.reject(record, [{ field: this.names.key, reason: `This identifier belongs to a dataset of another body, not ${this.organisation.name}` }])
    }
    return this.create(record)
  }

  private async create(record: CheckedRecord): Promise<void> {
    const { values, errors } = validateDeclaration({ ...record.defaults, ...record.given })
    if (!values) return this.reject(record, this.problemsOf(errors.list))
    const created = await this.inSavepoint(record, () =>
      this.datasets.insertDeclaration(this.trx, this.actor, this.organisation, values, record.distributions, record.keyIsUri ? record.key! : undefined),
    )
    if (!created) return
    this.remember(created)
    this.report.created += 1
    if (record.defaulted.themes) this.report.defaults.themes += 1
    if (record.defaulted.frequency) this.report.defaults.frequency += 1
    if (record.defaulted.licence) this.report.defaults.licence += 1
    this.report.changes.push({ record: record.number, identifier: record.key!, title: created.title, action: 'created' })
  }

  /** Changes what the source says differently; fields it says nothing about keep what is stored. */
  private async change(record: CheckedRecord, before: DatasetRow): Promise<void> {
    const { values, errors } = validateDeclaration({ ...storedInput(before), ...record.given })
    if (!values) return this.reject(record, this.problemsOf(errors.list))
    const declarationChanged = !sameDeclaration(before, values)
    const stored = new Set((await this.repo.distributionsOf(before.id)).map((d: DistributionRow) => distributionKey({ downloadUrl: d.download_url, accessUrl: d.access_url })))
    const added: DistributionInput[] = record.distributions.filter((d) => !stored.has(distributionKey(d)))
    if (before.status === 'withdrawn') {
      // A withdrawn dataset stays as it was withdrawn; the catalogue still listing it is not a change.
      if (declarationChanged) return this.reject(record, [{ field: '', reason: 'This dataset has been withdrawn and can no longer change' }])
      this.report.unchanged += 1
      return
    }
    if (!declarationChanged && added.length === 0) {
      this.report.unchanged += 1
      return
    }
    const updated = await this.inSavepoint(record, async () => {
      let current = before
      if (declarationChanged) current = await this.datasets.applyUpdate(this.trx, this.actor, current, values, current.version)
      for (const distribution of added) current = await this.datasets.insertPublishedDistribution(this.trx, this.actor, current, distribution)
      return current
    })
    if (!updated) return
    this.remember(updated)
    this.report.updated += 1
    this.report.changes.push({ record: record.number, identifier: record.key!, title: updated.title, action: 'updated' })
  }

  /**
   * Runs one record's writes so that, if the service refuses them, only that record is undone
   * and the harvest goes on to report the rest.
   */
  private async inSavepoint(record: CheckedRecord, work: () => Promise<DatasetRow>): Promise<DatasetRow | undefined> {
    try {
      return await withinSavepoint(this.trx, SAVEPOINT, work)
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      this.reject(record, this.problemsOf(refusal))
      return undefined
    }
  }

  private problemsOf(errors: FieldError[]): FieldProblem[] {
    return errors.map((e) => ({ field: sourceField(e, this.names), reason: e.message }))
  }

  private named(record: CheckedRecord, problem: FieldProblem) {
    return { record: record.number, identifier: record.key, title: record.title, ...problem }
  }

  private reject(record: CheckedRecord, problems: FieldProblem[]): void {
    this.report.rejected.push(...problems.map((p) => this.named(record, p)))
  }

  private remember(row: DatasetRow): void {
    this.byIdentifier.set(row.identifier, row)
    if (row.reference !== null) this.byReference.set(row.reference, row)
  }
}
