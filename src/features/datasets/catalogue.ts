import { todayInUk } from '../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { toDataset, toDistribution, toRelease, type Dataset, type Distribution, type Release } from './model.js'
import type { DatasetRow } from './repository.js'

/**
 * The whole inventory read in id order, a batch at a time, with everything the open-data
 * formats (data.json, DCAT-AP, CKAN, feeds) publish about each dataset. Batches keep memory
 * flat however large the catalogue is; each batch is four queries, never one per dataset.
 */

export interface CatalogueFilter {
  /** One body's datasets only. */
  organisationId?: string
  /** Only datasets changed at or after this instant (ISO 8601). */
  modifiedSince?: string
  /** Only `open` datasets (what CKAN and DCAT harvesters are given); otherwise every declaration. */
  openOnly?: boolean
}

export interface CatalogueEntry {
  dataset: Dataset
  publisher: Organisation
  distributions: Distribution[]
  /** The next provisional or confirmed release, if one is planned. */
  nextRelease: Release | null
}

export interface CatalogueBatch {
  /** Return datasets whose id sorts after this one (keyset paging). */
  afterId?: string
  /** Skip this many first (for APIs that page by offset). */
  offset?: number
  limit: number
}

const OPEN_RELEASE_STATES = ['provisional', 'confirmed']
/** Rows between page marks: a deep page reads at most this many rows before its own. */
const MARK_STRIDE = 100
/** Offsets below this are counted by the database; beyond it, page marks are quicker. */
const MARKS_FROM = 2_000
const MARKED_FILTERS = 20
const MARK_READ = 10_000

interface PageMarks {
  version: string
  /** The id at every {@link MARK_STRIDE}th row of the filtered catalogue, in id order. */
  ids: string[]
}

export class DatasetCatalogue {
  private readonly marks = new Map<string, PageMarks>()

  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
  ) {}

  private filtered(filter: CatalogueFilter) {
    let query = this.db.kysely.selectFrom('datasets')
    if (filter.organisationId) query = query.where('organisation_id', '=', filter.organisationId)
    if (filter.modifiedSince) query = query.where('updated_at', '>=', filter.modifiedSince)
    if (filter.openOnly) query = query.where('access_level', '=', 'open')
    return query
  }

  async count(filter: CatalogueFilter = {}): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /** One batch in id order. */
  async batch(filter: CatalogueFilter, batch: CatalogueBatch): Promise<CatalogueEntry[]> {
    let query = this.filtered(filter).selectAll()
    let offset = batch.offset ?? 0
    if (batch.afterId) {
      query = query.where('id', '>', batch.afterId)
    } else if (offset >= MARKS_FROM) {
      // A database counts past every earlier row to reach an offset (150 ms at 150,000 rows on
      // PostgreSQL); starting from the nearest remembered id reads fewer than 100 extra.
      const marks = await this.pageMarks(filter)
      const mark = Math.floor(offset / MARK_STRIDE)
      if (mark >= marks.length) return []
      query = query.where('id', '>=', marks[mark]!)
      offset -= mark * MARK_STRIDE
    }
    const rows = await query.orderBy('id').limit(batch.limit).offset(offset).execute()
    return this.entriesFor(rows)
  }

  /**
   * Every 100th id of the filtered catalogue, read once (ids only, from the primary key) and kept
   * until any dataset changes, which moves the latest `updated_at`.
   */
  private async pageMarks(filter: CatalogueFilter): Promise<string[]> {
    const latest = await this.db.kysely
      .selectFrom('datasets')
      .select((eb) => eb.fn.max('updated_at').as('v'))
      .executeTakeFirst()
    const version = String(latest?.v ?? '')
    const key = JSON.stringify(filter)
    const known = this.marks.get(key)
    if (known?.version === version) return known.ids
    const ids: string[] = []
    let seen = 0
    let after = ''
    for (;;) {
      const rows = await this.filtered(filter).select('id').where('id', '>', after).orderBy('id').limit(MARK_READ).execute()
      for (const row of rows) if (seen++ % MARK_STRIDE === 0) ids.push(row.id)
      if (rows.length < MARK_READ) break
      after = rows[rows.length - 1]!.id
    }
    if (this.marks.size >= MARKED_FILTERS) this.marks.delete(this.marks.keys().next().value!)
    this.marks.set(key, { version, ids })
    return ids
  }

  /** Every matching dataset, read `batchSize` at a time. */
  async *stream(filter: CatalogueFilter = {}, batchSize = 500): AsyncGenerator<CatalogueEntry> {
    let afterId: string | undefined
    for (;;) {
      const entries = await this.batch(filter, { afterId, limit: batchSize })
      for (const entry of entries) yield entry
      if (entries.length < batchSize) return
      afterId = entries[entries.length - 1]!.dataset.id
    }
  }

  /** One dataset's entry, or undefined when there is no such dataset. */
  async entry(id: string): Promise<CatalogueEntry | undefined> {
    const row = await this.db.kysely.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    const [entry] = await this.entriesFor([row])
    return entry
  }

  /** Attaches publishers, distributions and next releases to dataset rows, in the rows' order. */
  async entriesFor(rows: DatasetRow[], executor: Kysely<Database> = this.db.kysely): Promise<CatalogueEntry[]> {
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const [publishers, distributionRows, releaseRows] = await Promise.all([
      this.organisations.findByIds([...new Set(rows.map((r) => r.organisation_id))]),
      executor.selectFrom('distributions').selectAll().where('dataset_id', 'in', ids).orderBy('dataset_id').orderBy('created_at').execute(),
      // Open releases are picked out below: a state test here tempts SQLite to read every open
      // release through the (state, planned_date) index instead of these datasets'.
      executor
        .selectFrom('releases')
        .selectAll()
        .where('dataset_id', 'in', ids)
        .orderBy('dataset_id')
        .orderBy('planned_date')
        .orderBy('created_at')
        .execute(),
    ])
    const publisherById = new Map(publishers.map((p) => [p.id, p]))
    const distributions = new Map<string, Distribution[]>()
    for (const row of distributionRows) {
      const list = distributions.get(row.dataset_id) ?? []
      list.push(toDistribution(row))
      distributions.set(row.dataset_id, list)
    }
    const today = todayInUk()
    const next = new Map<string, Release>()
    for (const row of releaseRows) {
      if (OPEN_RELEASE_STATES.includes(row.state) && !next.has(row.dataset_id)) next.set(row.dataset_id, toRelease(row, [], today))
    }
    return rows.map((row) => ({
      dataset: toDataset(row),
      publisher: publisherById.get(row.organisation_id)!,
      distributions: distributions.get(row.id) ?? [],
      nextRelease: next.get(row.id) ?? null,
    }))
  }
}
