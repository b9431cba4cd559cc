import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import type { AssetRow, NewAssetRow } from './model.js'

/** Rows per multi-row insert: 500 rows of 50 columns stay inside SQLite's 32,766 parameters (and PostgreSQL's 65,535). */
export const INSERT_BATCH = 500

export interface AssetListFilters {
  organisationId?: string
}

export class AssetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  findById(id: number): Promise<AssetRow | undefined> {
    return this.db.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirst()
  }

  findByIds(ids: number[]): Promise<AssetRow[]> {
    if (ids.length === 0) return Promise.resolve([])
    return this.db.selectFrom('assets').selectAll().where('id', 'in', ids).execute()
  }

  findByCode(organisationId: string, assetCode: string): Promise<AssetRow | undefined> {
    return this.db.selectFrom('assets').selectAll().where('organisation_id', '=', organisationId).where('asset_code', '=', assetCode).executeTakeFirst()
  }

  /** The body's assets with these codes, in one query. */
  findByCodes(organisationId: string, codes: string[]): Promise<AssetRow[]> {
    if (codes.length === 0) return Promise.resolve([])
    return this.db.selectFrom('assets').selectAll().where('organisation_id', '=', organisationId).where('asset_code', 'in', codes).execute()
  }

  /** The ids and codes of assets, for showing parents and checking the hierarchy. */
  codesOf(ids: number[]): Promise<{ id: number; asset_code: string; name: string; parent_id: number | null }[]> {
    if (ids.length === 0) return Promise.resolve([])
    return this.db.selectFrom('assets').select(['id', 'asset_code', 'name', 'parent_id']).where('id', 'in', ids).execute()
  }

  async childrenOf(id: number, limit: number): Promise<{ items: { id: number; asset_code: string; name: string }[]; total: number }> {
    const base = this.db.selectFrom('assets').where('parent_id', '=', id)
    const [items, count] = await Promise.all([
      base.select(['id', 'asset_code', 'name']).orderBy('name').orderBy('id').limit(limit).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items, total: Number(count.n) }
  }

  async list(filters: AssetListFilters, page: PageRequest): Promise<Page<AssetRow>> {
    let base = this.db.selectFrom('assets')
    if (filters.organisationId) base = base.where('organisation_id', '=', filters.organisationId)
    const [items, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('name')
        .orderBy('id')
        .limit(page.pageSize)
        .offset((page.page - 1) * page.pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items, total: Number(count.n), ...page }
  }

  async insert(row: NewAssetRow): Promise<AssetRow> {
    return this.db.insertInto('assets').values(row).returningAll().executeTakeFirstOrThrow()
  }

  /** Inserts many rows in few statements; answers each new row's id by its asset code. */
  async insertMany(rows: NewAssetRow[]): Promise<Map<string, number>> {
    const ids = new Map<string, number>()
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const inserted = await this.db.insertInto('assets').values(rows.slice(i, i + INSERT_BATCH)).returning(['id', 'asset_code']).execute()
      for (const row of inserted) ids.set(row.asset_code, Number(row.id))
    }
    return ids
  }

  /** Writes only when the stored version is the one the caller read; false when it was not. */
  async updateIfVersion(id: number, expectedVersion: number, changes: Partial<NewAssetRow>): Promise<boolean> {
    const result = await this.db.updateTable('assets').set(changes).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }
}
