import { sql, type Kysely, type Selectable } from 'kysely'
import type { Engine } from '../../db/connection.js'
import { containsIgnoringCase } from '../../db/dialect.js'
import type { Database, DataRequestTable, RequestCommentTable } from '../../db/schema.js'
import type { Page, PageRequest } from '../../platform/pagination.js'

export type DataRequestRow = Selectable<DataRequestTable>
export type RequestCommentRow = Selectable<RequestCommentTable>

export type RequestSort = 'newest' | 'supported'

export interface RequestFilters {
  q?: string
  /** A status, or `overdue` (still unanswered after its due date). */
  status?: string
  organisationId?: string
  datasetId?: string
  sort?: RequestSort
}

/** A request with what it points at, named for people: the body, the dataset, the release. */
export interface RequestJoinedRow extends DataRequestRow {
  organisation_slug: string | null
  organisation_name: string | null
  organisation_short_name: string | null
  dataset_title: string | null
  dataset_status: string | null
  release_dataset_id: string | null
  release_dataset_title: string | null
  release_planned_date: string | null
  release_precision: string | null
  release_state: string | null
  fulfilled_dataset_title: string | null
}

/** What the request feature needs to know about a dataset, read inside its own transactions. */
export interface DatasetFacts {
  id: string
  organisation_id: string
  title: string
  status: string
}

export interface ReleaseFacts {
  id: string
  dataset_id: string
  dataset_title: string
  organisation_id: string
  planned_date: string
  precision: string
  state: string
}

const OPEN_RELEASE_STATES = ['provisional', 'confirmed']

/*
 * The datasets and releases tables are only read here, never written: the request feature needs
 * them inside its own transactions (to check that a release or dataset belongs to the answering
 * body) and DatasetService's readers cannot take a transaction.
 */
export class RequestRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  // ---- requests ----

  findById(id: string): Promise<DataRequestRow | undefined> {
    return this.db.selectFrom('data_requests').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async insert(row: DataRequestRow): Promise<void> {
    await this.db.insertInto('data_requests').values(row).execute()
  }

  async update(id: string, changes: Partial<DataRequestRow>): Promise<void> {
    await this.db.updateTable('data_requests').set(changes).where('id', '=', id).execute()
  }

  private joined() {
    return this.db
      .selectFrom('data_requests as r')
      .leftJoin('organisations as o', 'o.id', 'r.organisation_id')
      .leftJoin('datasets as d', 'd.id', 'r.dataset_id')
      .leftJoin('releases as rel', 'rel.id', 'r.release_id')
      .leftJoin('datasets as rd', 'rd.id', 'rel.dataset_id')
      .leftJoin('datasets as fd', 'fd.id', 'r.fulfilled_dataset_id')
      .selectAll('r')
      .select([
        'o.slug as organisation_slug',
        'o.name as organisation_name',
        'o.short_name as organisation_short_name',
        'd.title as dataset_title',
        'd.status as dataset_status',
        'rel.dataset_id as release_dataset_id',
        'rd.title as release_dataset_title',
        'rel.planned_date as release_planned_date',
        'rel.precision as release_precision',
        'rel.state as release_state',
        'fd.title as fulfilled_dataset_title',
      ])
  }

  findJoined(id: string): Promise<RequestJoinedRow | undefined> {
    return this.joined().where('r.id', '=', id).executeTakeFirst()
  }

  async list(filters: RequestFilters, page: PageRequest, today: string): Promise<Page<RequestJoinedRow>> {
    let items = this.joined()
    let count = this.db.selectFrom('data_requests as r').select((eb) => eb.fn.countAll<number>().as('n'))
    const words = (filters.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 10)
    for (const word of words) {
      const text = sql`(r.title || ' ' || r.description)`
      items = items.where(containsIgnoringCase(this.engine, text, word))
      count = count.where(containsIgnoringCase(this.engine, text, word))
    }
    if (filters.status === 'overdue') {
      items = items.where('r.status', '=', 'submitted').where('r.due_date', '<', today)
      count = count.where('r.status', '=', 'submitted').where('r.due_date', '<', today)
    } else if (filters.status) {
      items = items.where('r.status', '=', filters.status)
      count = count.where('r.status', '=', filters.status)
    }
    if (filters.organisationId) {
      items = items.where('r.organisation_id', '=', filters.organisationId)
      count = count.where('r.organisation_id', '=', filters.organisationId)
    }
    if (filters.datasetId) {
      const id = filters.datasetId
      items = items.where((eb) => eb.or([eb('r.dataset_id', '=', id), eb('r.fulfilled_dataset_id', '=', id), eb('rel.dataset_id', '=', id)]))
      count = count
        .leftJoin('releases as rel', 'rel.id', 'r.release_id')
        .where((eb) => eb.or([eb('r.dataset_id', '=', id), eb('r.fulfilled_dataset_id', '=', id), eb('rel.dataset_id', '=', id)]))
    }
    if (filters.sort === 'supported') items = items.orderBy('r.support_count', 'desc')
    items = items.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc')
    const [rows, total] = await Promise.all([
      items.limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute(),
      count.executeTakeFirstOrThrow(),
    ])
    return { items: rows, total: Number(total.n), ...page }
  }

  /** An early-release request still waiting for its answer, so a second one can support it instead. */
  findOpenEarlyRelease(datasetId: string): Promise<DataRequestRow | undefined> {
    return this.db
      .selectFrom('data_requests')
      .selectAll()
      .where('kind', '=', 'early-release')
      .where('dataset_id', '=', datasetId)
      .where('status', 'in', ['submitted', 'acknowledged', 'scheduled'])
      .orderBy('created_at')
      .executeTakeFirst()
  }

  async overdueCount(organisationId: string, today: string): Promise<number> {
    const row = await this.db
      .selectFrom('data_requests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .where('status', '=', 'submitted')
      .where('due_date', '<', today)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  // ---- support and follows ----

  async hasSupport(requestId: string, userId: string): Promise<boolean> {
    return !!(await this.db.selectFrom('request_supports').select('user_id').where('request_id', '=', requestId).where('user_id', '=', userId).executeTakeFirst())
  }

  async insertSupport(requestId: string, userId: string, at: string): Promise<void> {
    await this.db.insertInto('request_supports').values({ request_id: requestId, user_id: userId, created_at: at }).execute()
  }

  async deleteSupport(requestId: string, userId: string): Promise<number> {
    const result = await this.db.deleteFrom('request_supports').where('request_id', '=', requestId).where('user_id', '=', userId).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  /** Counts the supporters afresh, so the stored count can never drift from the rows. */
  async recountSupport(requestId: string): Promise<number> {
    const row = await this.db
      .selectFrom('request_supports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow()
    const n = Number(row.n)
    await this.db.updateTable('data_requests').set({ support_count: n }).where('id', '=', requestId).execute()
    return n
  }

  async isFollowing(requestId: string, userId: string): Promise<boolean> {
    return !!(await this.db.selectFrom('request_follows').select('user_id').where('request_id', '=', requestId).where('user_id', '=', userId).executeTakeFirst())
  }

  async insertFollow(requestId: string, userId: string, at: string): Promise<void> {
    await this.db.insertInto('request_follows').values({ request_id: requestId, user_id: userId, created_at: at }).execute()
  }

  async deleteFollow(requestId: string, userId: string): Promise<number> {
    const result = await this.db.deleteFrom('request_follows').where('request_id', '=', requestId).where('user_id', '=', userId).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  // ---- comments ----

  commentsOf(requestId: string): Promise<RequestCommentRow[]> {
    return this.db.selectFrom('request_comments').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('id').execute()
  }

  findComment(id: string): Promise<RequestCommentRow | undefined> {
    return this.db.selectFrom('request_comments').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async insertComment(row: RequestCommentRow): Promise<void> {
    await this.db.insertInto('request_comments').values(row).execute()
  }

  async updateComment(id: string, changes: Partial<RequestCommentRow>): Promise<void> {
    await this.db.updateTable('request_comments').set(changes).where('id', '=', id).execute()
  }

  // ---- datasets and releases (read only) ----

  findDataset(id: string): Promise<DatasetFacts | undefined> {
    return this.db.selectFrom('datasets').select(['id', 'organisation_id', 'title', 'status']).where('id', '=', id).executeTakeFirst()
  }

  findRelease(id: string): Promise<ReleaseFacts | undefined> {
    return this.db
      .selectFrom('releases as rel')
      .innerJoin('datasets as d', 'd.id', 'rel.dataset_id')
      .select(['rel.id', 'rel.dataset_id', 'd.title as dataset_title', 'd.organisation_id', 'rel.planned_date', 'rel.precision', 'rel.state'])
      .where('rel.id', '=', id)
      .executeTakeFirst()
  }

  /** The body's releases still to come, soonest first: what a request can be scheduled into. */
  openReleasesOf(organisationId: string, limit: number): Promise<ReleaseFacts[]> {
    return this.db
      .selectFrom('releases as rel')
      .innerJoin('datasets as d', 'd.id', 'rel.dataset_id')
      .select(['rel.id', 'rel.dataset_id', 'd.title as dataset_title', 'd.organisation_id', 'rel.planned_date', 'rel.precision', 'rel.state'])
      .where('d.organisation_id', '=', organisationId)
      .where('rel.state', 'in', OPEN_RELEASE_STATES)
      .where('d.status', '!=', 'withdrawn')
      .orderBy('rel.planned_date')
      .orderBy('d.title')
      .limit(limit)
      .execute()
  }

  /** The body's datasets that can answer a request (any but withdrawn), by title. */
  datasetsOf(organisationId: string, limit: number): Promise<DatasetFacts[]> {
    return this.db
      .selectFrom('datasets')
      .select(['id', 'organisation_id', 'title', 'status'])
      .where('organisation_id', '=', organisationId)
      .where('status', '!=', 'withdrawn')
      .orderBy('title')
      .orderBy('id')
      .limit(limit)
      .execute()
  }
}
