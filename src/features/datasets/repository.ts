import type { Kysely, Selectable } from 'kysely'
import type { Database, DatasetTable, DistributionTable, ReleaseChangeTable, ReleaseTable } from '../../db/schema.js'
import type { Page, PageRequest } from '../../platform/pagination.js'

export type DatasetRow = Selectable<DatasetTable>
export type DistributionRow = Selectable<DistributionTable>
export type ReleaseRow = Selectable<ReleaseTable>
export type ReleaseChangeRow = Selectable<ReleaseChangeTable>

export class DatasetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  findById(id: string): Promise<DatasetRow | undefined> {
    return this.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst()
  }

  findByIdentifier(identifier: string): Promise<DatasetRow | undefined> {
    return this.db.selectFrom('datasets').selectAll().where('identifier', '=', identifier).executeTakeFirst()
  }

  findByReference(organisationId: string, reference: string): Promise<DatasetRow | undefined> {
    return this.db
      .selectFrom('datasets')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('reference', '=', reference)
      .executeTakeFirst()
  }

  async insert(row: DatasetRow): Promise<void> {
    await this.db.insertInto('datasets').values(row).execute()
  }

  /** Writes only when the stored version is the one the caller read; false when it was not. */
  async updateIfVersion(id: string, expectedVersion: number, changes: Partial<DatasetRow>): Promise<boolean> {
    const result = await this.db
      .updateTable('datasets')
      .set(changes)
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  async listForOrganisation(organisationId: string, page: PageRequest): Promise<Page<DatasetRow>> {
    const base = this.db.selectFrom('datasets').where('organisation_id', '=', organisationId)
    const [items, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('title')
        .orderBy('id')
        .limit(page.pageSize)
        .offset((page.page - 1) * page.pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items, total: Number(count.n), ...page }
  }

  releasesOf(datasetId: string): Promise<ReleaseRow[]> {
    return this.db.selectFrom('releases').selectAll().where('dataset_id', '=', datasetId).orderBy('planned_date').orderBy('created_at').execute()
  }

  findRelease(id: string): Promise<ReleaseRow | undefined> {
    return this.db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async insertRelease(row: ReleaseRow): Promise<void> {
    await this.db.insertInto('releases').values(row).execute()
  }

  async updateRelease(id: string, changes: Partial<ReleaseRow>): Promise<void> {
    await this.db.updateTable('releases').set(changes).where('id', '=', id).execute()
  }

  async insertReleaseChange(row: Omit<ReleaseChangeRow, 'id'>): Promise<void> {
    await this.db.insertInto('release_changes').values(row).execute()
  }

  changesOf(releaseIds: string[]): Promise<ReleaseChangeRow[]> {
    if (releaseIds.length === 0) return Promise.resolve([])
    return this.db.selectFrom('release_changes').selectAll().where('release_id', 'in', releaseIds).orderBy('id').execute()
  }

  distributionsOf(datasetId: string): Promise<DistributionRow[]> {
    return this.db.selectFrom('distributions').selectAll().where('dataset_id', '=', datasetId).orderBy('created_at').execute()
  }

  async insertDistribution(row: DistributionRow): Promise<void> {
    await this.db.insertInto('distributions').values(row).execute()
  }

  async deleteDistributions(datasetId: string): Promise<void> {
    await this.db.deleteFrom('distributions').where('dataset_id', '=', datasetId).execute()
  }
}
