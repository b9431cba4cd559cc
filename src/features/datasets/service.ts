import { todayInUk } from '../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import { isUniqueViolation, nowIso } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import { actorLabel, type Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { declareInBulk, type BulkOptions, type NewDeclaration } from './bulk-declare.js'
import type { PlannedDate } from './dates.js'
import { toDataset, toDistribution, toRelease, type Dataset, type Distribution, type Release } from './model.js'
import { DatasetRepository, type DatasetRow, type ReleaseRow } from './repository.js'
import { checkNewRelease, checkReleaseChange, derivedStatus, newReleaseRow, OPEN_RELEASE_STATES, releaseChange, type ReleaseInput } from './releases.js'
import { columnsOf, distributionRow } from './rows.js'
import { indexDataset } from './search-index.js'
import { validateDeclaration, validateDistribution, type DeclarationInput, type DeclarationValues, type DistributionInput } from './validation.js'

export interface DatasetDetail {
  dataset: Dataset
  publisher: Organisation
  releases: Release[]
  distributions: Distribution[]
}

export type { NewDeclaration } from './bulk-declare.js'

export class DatasetService {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
    private readonly baseUrl: string,
  ) {}

  private repo(k: Kysely<Database> = this.db.kysely) {
    return new DatasetRepository(k)
  }

  // ---- reading ----

  async get(id: string): Promise<DatasetDetail> {
    const repo = this.repo()
    const row = await repo.findById(id)
    if (!row) throw new NotFoundError('There is no dataset with that id')
    const [releaseRows, distributionRows, publisher] = await Promise.all([
      repo.releasesOf(id),
      repo.distributionsOf(id),
      this.organisations.findById(row.organisation_id),
    ])
    const changes = await repo.changesOf(releaseRows.map((r) => r.id))
    const today = todayInUk()
    return {
      dataset: toDataset(row),
      publisher: publisher!,
      releases: releaseRows.map((r) => toRelease(r, changes, today)),
      distributions: distributionRows.map(toDistribution),
    }
  }

  async listForOrganisation(organisationSlug: string, page: PageRequest): Promise<Page<Dataset>> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    const result = await this.repo().listForOrganisation(organisation.id, page)
    return { ...result, items: result.items.map(toDataset) }
  }

  /**
   * The next open release of each dataset, keyed by dataset id. Inventory tables show it with
   * its precision ("June 2027", not "1 June 2027") and its overdue flag, which the dataset's
   * `nextReleaseDate` alone cannot give.
   */
  async nextReleases(datasetIds: string[]): Promise<Map<string, Release>> {
    const next = new Map<string, Release>()
    if (datasetIds.length === 0) return next
    const rows = await this.db.kysely
      .selectFrom('releases')
      .selectAll()
      .where('dataset_id', 'in', datasetIds)
      .orderBy('planned_date')
      .orderBy('created_at')
      .execute()
    const today = todayInUk()
    // The state is tested here: in SQL it tempts SQLite to read every open release by state.
    for (const row of rows) if (OPEN_RELEASE_STATES.has(row.state) && !next.has(row.dataset_id)) next.set(row.dataset_id, toRelease(row, [], today))
    return next
  }

  // ---- declaring ----

  /** Declares a dataset for a body, with any distributions already published. */
  async declare(actor: Actor, organisationSlug: string, input: DeclarationInput, distributions: DistributionInput[] = []): Promise<Dataset> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireEditFor(actor, organisation.id)
    const values = checkDeclaration(input, distributions)
    return this.db.kysely.transaction().execute(async (trx) => {
      const row = await this.insertDeclaration(trx, actor, organisation, values, distributions)
      return toDataset(row)
    })
  }

  /**
   * Creates the rows of a new declaration inside the caller's transaction (the CSV import and
   * harvesters use this too, so every way in stores the same thing).
   */
  async insertDeclaration(
    trx: Kysely<Database>,
    actor: Actor,
    organisation: Organisation,
    values: DeclarationValues,
    distributions: DistributionInput[] = [],
    identifier?: string,
  ): Promise<DatasetRow> {
    const repo = this.repo(trx)
    if (values.reference && (await repo.findByReference(organisation.id, values.reference))) {
      throw new ValidationError([{ name: 'reference', message: `${organisation.shortName} already has a dataset with the reference “${values.reference}”` }])
    }
    const id = newId()
    const now = nowIso()
    const row: DatasetRow = {
      id,
      organisation_id: organisation.id,
      identifier: identifier ?? `${this.baseUrl}/datasets/${id}`,
      ...columnsOf(values),
      status: 'declared',
      withdrawn_reason: null,
      next_release_date: null,
      version: 1,
      created_at: now,
      updated_at: now,
      published_at: null,
      search_rowid: null,
    }
    try {
      await repo.insert(row)
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A dataset with that identifier or reference already exists')
      throw error
    }
    for (const input of distributions) await this.insertDistribution(trx, id, input, null)
    const stored = await this.refreshDerived(trx, row, organisation)
    await recordAudit(trx, actor, { organisationId: organisation.id, action: 'dataset.create', entityType: 'dataset', entityId: id, after: stored })
    return stored
  }

  /** Changes a declaration. `expectedVersion` is the version the editor read: a stale edit is refused. */
  async update(actor: Actor, id: string, input: DeclarationInput, expectedVersion: number): Promise<Dataset> {
    await this.authorise(actor, id)
    const values = checkDeclaration(input, [])
    return this.db.kysely.transaction().execute(async (trx) => {
      const before = await this.requireEditable(trx, actor, id)
      return toDataset(await this.applyUpdate(trx, actor, before, values, expectedVersion))
    })
  }

  /** Writes new values over a declaration inside the caller's transaction (import uses this too). */
  async applyUpdate(trx: Kysely<Database>, actor: Actor, before: DatasetRow, values: DeclarationValues, expectedVersion: number): Promise<DatasetRow> {
    const repo = this.repo(trx)
    if (values.reference && values.reference !== before.reference) {
      const other = await repo.findByReference(before.organisation_id, values.reference)
      if (other && other.id !== before.id) throw new ValidationError([{ name: 'reference', message: `Another dataset already has the reference “${values.reference}”` }])
    }
    const changes = { ...columnsOf(values), version: before.version + 1, updated_at: nowIso() }
    if (!(await repo.updateIfVersion(before.id, expectedVersion, changes))) throw staleEdit()
    const organisation = (await this.organisations.findById(before.organisation_id, trx))!
    const after = await this.refreshDerived(trx, { ...before, ...changes }, organisation)
    await recordAudit(trx, actor, { organisationId: before.organisation_id, action: 'dataset.update', entityType: 'dataset', entityId: before.id, before, after })
    return after
  }

  /** Withdrawn datasets stay visible with their history; they are never deleted. */
  async withdraw(actor: Actor, id: string, reason: string | undefined, expectedVersion: number): Promise<Dataset> {
    await this.authorise(actor, id)
    const why = (reason ?? '').trim()
    if (!why) throw new ValidationError([{ name: 'reason', message: 'Explain why the dataset is being withdrawn' }])
    if (why.length > 2000) throw new ValidationError([{ name: 'reason', message: 'Reason must be 2,000 characters or fewer' }])
    return this.db.kysely.transaction().execute(async (trx) => {
      const before = await this.requireEditable(trx, actor, id)
      if (before.status === 'withdrawn') throw new ConflictError('This dataset has already been withdrawn')
      const changes = { status: 'withdrawn', withdrawn_reason: why, next_release_date: null, version: before.version + 1, updated_at: nowIso() }
      if (!(await this.repo(trx).updateIfVersion(id, expectedVersion, changes))) throw staleEdit()
      const after = { ...before, ...changes }
      await this.cancelOpenReleases(trx, actor, before, 'Dataset withdrawn')
      await recordAudit(trx, actor, { organisationId: before.organisation_id, action: 'dataset.withdraw', entityType: 'dataset', entityId: id, before, after })
      return toDataset(after)
    })
  }

  // ---- releases and distributions ----

  async addRelease(actor: Actor, datasetId: string, input: ReleaseInput): Promise<Release> {
    await this.authorise(actor, datasetId)
    const { planned, state, note } = checkNewRelease(input)
    return this.db.kysely.transaction().execute(async (trx) => {
      const dataset = await this.requireEditable(trx, actor, datasetId)
      if (dataset.status === 'withdrawn') throw new ConflictError('A withdrawn dataset cannot have new releases')
      const now = nowIso()
      const row = newReleaseRow(datasetId, planned, state, note, now)
      const repo = this.repo(trx)
      await repo.insertRelease(row)
      await repo.insertReleaseChange(releaseChange(null, row, actorLabel(actor), now, note))
      await this.touch(trx, dataset)
      await recordAudit(trx, actor, { organisationId: dataset.organisation_id, action: 'release.create', entityType: 'release', entityId: row.id, after: row })
      return toRelease(row, await repo.changesOf([row.id]))
    })
  }

  /**
   * Moves, confirms or cancels a planned release. Every change of date or state is kept, so the
   * page can say "first due March 2027, now June 2027".
   */
  async updateRelease(actor: Actor, releaseId: string, input: ReleaseInput): Promise<Release> {
    await this.authoriseRelease(actor, releaseId)
    const { planned, state, note } = checkReleaseChange(input)
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await repo.findRelease(releaseId)
      if (!before) throw new NotFoundError('There is no such release')
      const dataset = await this.requireEditable(trx, actor, before.dataset_id)
      if (dataset.status === 'withdrawn') throw new ConflictError('The dataset has been withdrawn: its releases can no longer change')
      if (!OPEN_RELEASE_STATES.has(before.state)) throw new ConflictError(`This release is ${before.state} and can no longer change`)
      const now = nowIso()
      const after: ReleaseRow = {
        ...before,
        planned_date: planned?.date ?? before.planned_date,
        precision: planned?.precision ?? before.precision,
        state: state ?? before.state,
        change_note: note ?? before.change_note,
        updated_at: now,
      }
      const moved = after.planned_date !== before.planned_date || after.precision !== before.precision
      if (!moved && after.state === before.state && !note) return toRelease(before, await repo.changesOf([before.id]))
      await repo.updateRelease(releaseId, after)
      await repo.insertReleaseChange(releaseChange(before, after, actorLabel(actor), now, note))
      await this.touch(trx, dataset)
      await recordAudit(trx, actor, { organisationId: dataset.organisation_id, action: 'release.update', entityType: 'release', entityId: releaseId, before, after })
      return toRelease(after, await repo.changesOf([releaseId]))
    })
  }

  /** Marks a release released with the distribution it produced: the dataset is then published. */
  async markReleased(actor: Actor, releaseId: string, distribution: DistributionInput): Promise<DatasetDetail> {
    await this.authoriseRelease(actor, releaseId)
    const checked = validateDistribution(distribution, 'distribution.')
    checked.errors.throwIfAny()
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await repo.findRelease(releaseId)
      if (!before) throw new NotFoundError('There is no such release')
      const dataset = await this.requireEditable(trx, actor, before.dataset_id)
      if (dataset.status === 'withdrawn') throw new ConflictError('The dataset has been withdrawn: its releases can no longer be released')
      if (!OPEN_RELEASE_STATES.has(before.state)) throw new ConflictError(`This release is ${before.state} and cannot be released`)
      const now = nowIso()
      const after = { ...before, state: 'released', released_at: now, updated_at: now }
      await repo.updateRelease(releaseId, after)
      await repo.insertReleaseChange(releaseChange(before, after, actorLabel(actor), now, null))
      await this.insertDistribution(trx, dataset.id, distribution, releaseId)
      await recordAudit(trx, actor, { organisationId: dataset.organisation_id, action: 'release.released', entityType: 'release', entityId: releaseId, before, after })
      await this.touch(trx, dataset)
    })
    const released = await this.repo().findRelease(releaseId)
    return this.get(released!.dataset_id)
  }

  /** Adds a published distribution outside the schedule (a dataset already on a portal). */
  async addDistribution(actor: Actor, datasetId: string, input: DistributionInput): Promise<DatasetDetail> {
    await this.authorise(actor, datasetId)
    validateDistribution(input).errors.throwIfAny()
    await this.db.kysely.transaction().execute(async (trx) => {
      const dataset = await this.requireEditable(trx, actor, datasetId)
      if (dataset.status === 'withdrawn') throw new ConflictError('A withdrawn dataset cannot have new distributions')
      const distribution = await this.insertDistribution(trx, datasetId, input, null)
      await recordAudit(trx, actor, { organisationId: dataset.organisation_id, action: 'distribution.create', entityType: 'dataset', entityId: datasetId, after: distribution })
      await this.touch(trx, dataset)
    })
    return this.get(datasetId)
  }

  // ---- inside a caller's transaction (the CSV import) ----

  /**
   * Declares many datasets inside the caller's transaction, storing what `insertDeclaration`
   * (and `insertRelease` for a planned date) would, in a few statements for the whole batch.
   */
  insertDeclarations(trx: Kysely<Database>, actor: Actor, organisation: Organisation, items: NewDeclaration[], options?: BulkOptions): Promise<DatasetRow[]> {
    return declareInBulk(this.db, this.baseUrl, trx, actor, organisation, items, options)
  }

  /** Plans a provisional release of a dataset inside the caller's transaction; returns the dataset as it now is. */
  async insertRelease(trx: Kysely<Database>, actor: Actor, dataset: DatasetRow, planned: PlannedDate): Promise<DatasetRow> {
    const now = nowIso()
    const row = newReleaseRow(dataset.id, planned, 'provisional', null, now)
    const repo = this.repo(trx)
    await repo.insertRelease(row)
    await repo.insertReleaseChange(releaseChange(null, row, actorLabel(actor), now, null))
    await recordAudit(trx, actor, { organisationId: dataset.organisation_id, action: 'release.create', entityType: 'release', entityId: row.id, after: row })
    return this.touch(trx, dataset)
  }

  /** Adds a published distribution inside the caller's transaction; returns the dataset as it now is. */
  async insertPublishedDistribution(trx: Kysely<Database>, actor: Actor, dataset: DatasetRow, input: DistributionInput): Promise<DatasetRow> {
    const distribution = await this.insertDistribution(trx, dataset.id, input, null)
    await recordAudit(trx, actor, { organisationId: dataset.organisation_id, action: 'distribution.create', entityType: 'dataset', entityId: dataset.id, after: distribution })
    return this.touch(trx, dataset)
  }

  // ---- internals ----

  /** Refuses a caller who may not edit the dataset, before their input is even looked at. */
  private async authorise(actor: Actor, datasetId: string): Promise<void> {
    const row = await this.repo().findById(datasetId)
    if (!row) throw new NotFoundError('There is no dataset with that id')
    requireEditFor(actor, row.organisation_id)
  }

  private async authoriseRelease(actor: Actor, releaseId: string): Promise<void> {
    const release = await this.repo().findRelease(releaseId)
    if (!release) throw new NotFoundError('There is no such release')
    await this.authorise(actor, release.dataset_id)
  }

  /** A withdrawn dataset's planned releases will not happen: cancel them, so none is ever overdue. */
  private async cancelOpenReleases(trx: Kysely<Database>, actor: Actor, dataset: DatasetRow, note: string): Promise<void> {
    const repo = this.repo(trx)
    const now = nowIso()
    for (const release of await repo.releasesOf(dataset.id)) {
      if (!OPEN_RELEASE_STATES.has(release.state)) continue
      const cancelled = { ...release, state: 'cancelled', change_note: note, updated_at: now }
      await repo.updateRelease(release.id, { state: 'cancelled', change_note: note, updated_at: now })
      await repo.insertReleaseChange(releaseChange(release, cancelled, actorLabel(actor), now, note))
      await recordAudit(trx, actor, { organisationId: dataset.organisation_id, action: 'release.update', entityType: 'release', entityId: release.id, before: release, after: cancelled })
    }
  }

  private async requireEditable(trx: Kysely<Database>, actor: Actor, datasetId: string): Promise<DatasetRow> {
    const row = await this.repo(trx).findById(datasetId)
    if (!row) throw new NotFoundError('There is no dataset with that id')
    requireEditFor(actor, row.organisation_id)
    return row
  }

  private async insertDistribution(trx: Kysely<Database>, datasetId: string, input: DistributionInput, releaseId: string | null) {
    const row = distributionRow(datasetId, input, releaseId, nowIso())
    await this.repo(trx).insertDistribution(row)
    return row
  }

  /** Re-derives status and next release after a release or distribution changed. */
  private async touch(trx: Kysely<Database>, dataset: DatasetRow): Promise<DatasetRow> {
    const organisation = (await this.organisations.findById(dataset.organisation_id, trx))!
    const bumped = { ...dataset, version: dataset.version + 1, updated_at: nowIso() }
    await this.repo(trx).updateIfVersion(dataset.id, dataset.version, { version: bumped.version, updated_at: bumped.updated_at })
    return this.refreshDerived(trx, bumped, organisation)
  }

  /** Stores the status and next release that follow from the facts (see derivedStatus), and refreshes the search index. */
  private async refreshDerived(trx: Kysely<Database>, row: DatasetRow, organisation: Organisation): Promise<DatasetRow> {
    const repo = this.repo(trx)
    const [releases, distributions] = await Promise.all([repo.releasesOf(row.id), repo.distributionsOf(row.id)])
    const derived = derivedStatus(row, releases, distributions, nowIso())
    await trx.updateTable('datasets').set(derived).where('id', '=', row.id).execute()
    const after = { ...row, ...derived }
    await indexDataset(trx, this.db.engine, {
      datasetId: row.id,
      title: after.title,
      description: after.description,
      keywords: JSON.parse(after.keywords) as string[],
      publisher: `${organisation.name} ${organisation.shortName}`,
    })
    const stored = await repo.findById(row.id)
    return stored!
  }
}

function checkDeclaration(input: DeclarationInput, distributions: DistributionInput[]): DeclarationValues {
  const { values, errors } = validateDeclaration(input)
  distributions.forEach((d, i) => errors.list.push(...validateDistribution(d, `distributions/${i}/`).errors.list))
  errors.throwIfAny()
  return values!
}

function staleEdit(): ConflictError {
  return new ConflictError('Someone else changed this dataset after you opened it. Reload the page to see their changes, then make yours again')
}
