import type { Db } from '../../db/connection.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requireEditFor, requirePlatformAdmin, requireUser } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, FieldErrors, NotFoundError } from '../../platform/errors.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import { addWorkingDays } from '../../platform/working-days.js'
import { formatPlannedDate } from '../datasets/dates.js'
import type { DatePrecision } from '../datasets/vocabularies.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { fieldError, ID_LIKE, MAX_TEXT, RequestServiceBase } from './base.js'
import { ANSWER_WORKING_DAYS, DECLINE_REASONS, REQUEST_STATUSES, statusOf, toDataRequest, TRANSITIONS, type DataRequest, type RequestStatus } from './model.js'
import type { DataRequestRow, RequestFilters } from './repository.js'

/** What a person fills in to ask for data. */
export interface RequestInput {
  /** `new` (data not declared) or `early-release` (of a declared, unpublished dataset). */
  kind?: string
  /** New data only: what it is called. */
  title?: string
  /** What data is wanted (required for new data; optional detail for an early release). */
  description?: string
  /** Why it is wanted. */
  reason?: string
  /** New data only, optional: the slug of the body thought to hold it. */
  organisation?: string
  /** Early release only: the declared dataset's id. */
  dataset?: string
}

/** A body's answer. */
export interface AnswerInput {
  status?: string
  /** For `scheduled`: the id of a planned release of one of the body's datasets. */
  release?: string
  /** For `declined`: a code from DECLINE_REASONS. */
  declineReason?: string
  /** The explanation (required when declining) or a message with any other answer. */
  response?: string
  /** For `fulfilled`: the id of the body's dataset that answers the request. */
  dataset?: string
}

export interface RequestListFilters {
  q?: string
  /** A status code, or `overdue`. */
  status?: string
  /** The body's slug. */
  body?: string
  sort?: string
}

export interface EarlyReleaseTarget {
  dataset: { id: string; title: string; status: string }
  /** Why an early release cannot be asked for, when it cannot. */
  refusal?: string
  /** An early-release request already open for the dataset, to support instead. */
  existing?: { id: string; title: string }
}

const MAX_TITLE = 200

/**
 * Data requests: what people ask public bodies to publish, and the bodies' answers. Supporting,
 * following and commenting are in RequestParticipation.
 *
 * Asking is supporting: the requester's own support is recorded with the request (the count
 * starts at 1, so "most supported" compares like with like) and they follow it. They can
 * withdraw either like anyone else.
 *
 * Everything the body or an administrator does to the request itself is audited under
 * `request`, which is public.
 */
export class RequestService extends RequestServiceBase {
  constructor(
    db: Db,
    private readonly organisations: OrganisationService,
    clock?: () => Date,
  ) {
    super(db, clock)
  }

  // ---- reading ----

  async list(filters: RequestListFilters, page: PageRequest): Promise<Page<DataRequest>> {
    const query: RequestFilters = {
      q: filters.q?.slice(0, 200),
      sort: filters.sort === 'supported' ? 'supported' : 'newest',
    }
    if (filters.status === 'overdue' || REQUEST_STATUSES.some((s) => s.code === filters.status)) query.status = filters.status
    if (filters.body) {
      const organisation = await this.findBody(filters.body)
      if (!organisation) return { items: [], total: 0, ...page }
      query.organisationId = organisation.id
    }
    return this.listWhere(query, page)
  }

  private async listWhere(filters: RequestFilters, page: PageRequest): Promise<Page<DataRequest>> {
    const today = this.today()
    const result = await this.repo().list(filters, page, today)
    return { ...result, items: result.items.map((row) => toDataRequest(row, today)) }
  }

  async get(id: string): Promise<DataRequest> {
    const row = ID_LIKE.test(id) ? await this.repo().findJoined(id) : undefined
    if (!row) throw new NotFoundError('There is no data request with that id')
    return toDataRequest(row, this.today())
  }

  /** The answers the body can give next. */
  nextStatuses(request: DataRequest): RequestStatus[] {
    return TRANSITIONS[request.status]
  }

  /**
   * What the answer form offers: the body's planned releases and its datasets, with those of the
   * dataset asked for first.
   */
  async answerOptions(request: DataRequest) {
    if (!request.organisation) return { releases: [], datasets: [] }
    const repo = this.repo()
    const [releases, datasets] = await Promise.all([repo.openReleasesOf(request.organisation.id, 300), repo.datasetsOf(request.organisation.id, 1000)])
    const first = <T>(items: T[], mine: (item: T) => boolean) => [...items.filter(mine), ...items.filter((i) => !mine(i))]
    return {
      releases: first(releases, (r) => r.dataset_id === request.dataset?.id).map((r) => ({
        id: r.id,
        text: `${r.dataset_title}: ${formatPlannedDate({ date: r.planned_date, precision: r.precision as DatePrecision })} (${r.state})`,
      })),
      datasets: first(datasets, (d) => d.id === request.dataset?.id).map((d) => ({ id: d.id, text: `${d.title} (${d.status})` })),
    }
  }

  /** Whether an early release of the dataset can be asked for, and if one already has been. */
  async earlyReleaseTarget(datasetId: string): Promise<EarlyReleaseTarget | undefined> {
    if (!ID_LIKE.test(datasetId)) return undefined
    const repo = this.repo()
    const dataset = await repo.findDataset(datasetId)
    if (!dataset) return undefined
    const target: EarlyReleaseTarget = { dataset: { id: dataset.id, title: dataset.title, status: dataset.status } }
    const refusal = earlyReleaseRefusal(dataset.status)
    if (refusal) return { ...target, refusal }
    const existing = await repo.findOpenEarlyRelease(datasetId)
    return existing ? { ...target, existing: { id: existing.id, title: existing.title } } : target
  }

  /** Requests about a dataset: for its early release, scheduled into one of its releases, or answered by it. */
  async listForDataset(datasetId: string): Promise<DataRequest[]> {
    return (await this.listWhere({ datasetId, sort: 'newest' }, { page: 1, pageSize: 100 })).items
  }

  listForOrganisation(organisationId: string, page: PageRequest): Promise<Page<DataRequest>> {
    return this.listWhere({ organisationId, sort: 'newest' }, page)
  }

  overdueCountFor(organisationId: string): Promise<number> {
    return this.repo().overdueCount(organisationId, this.today())
  }

  // ---- asking ----

  async create(actor: Actor, input: RequestInput): Promise<DataRequest> {
    const user = requireUser(actor)
    const errors = new FieldErrors()
    const kind = input.kind
    const title = (input.title ?? '').trim()
    const description = (input.description ?? '').trim()
    const reason = (input.reason ?? '').trim()
    const slug = (input.organisation ?? '').trim()
    const datasetId = (input.dataset ?? '').trim()

    if (kind !== 'new' && kind !== 'early-release') errors.add('kind', 'Select whether you are asking for new data or the early release of a declared dataset')
    if (!reason) errors.add('reason', 'Say why you need the data')
    else if (reason.length > MAX_TEXT) errors.add('reason', 'Why you need it must be 5,000 characters or fewer')
    if (description.length > MAX_TEXT) errors.add('description', 'Description must be 5,000 characters or fewer')

    let organisation: Organisation | undefined
    if (kind === 'new') {
      if (!title) errors.add('title', 'Enter a title for the data you are asking for')
      else if (title.length > MAX_TITLE) errors.add('title', 'Title must be 200 characters or fewer')
      if (!description) errors.add('description', 'Describe the data you are asking for')
      if (slug) {
        organisation = await this.findBody(slug)
        if (!organisation) errors.add('organisation', 'Choose a public body from the list, or leave it blank if you do not know')
      }
    }
    if (kind === 'early-release' && !datasetId) errors.add('dataset', 'Enter the id of the declared dataset, from its page')
    errors.throwIfAny()

    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const now = this.now()
      let row: DataRequestRow
      const common = {
        id: newId(),
        reason,
        requester_id: user.userId,
        requester_name: user.name,
        status: 'submitted',
        decline_reason: null,
        response: null,
        release_id: null,
        fulfilled_dataset_id: null,
        due_date: addWorkingDays(this.today(), ANSWER_WORKING_DAYS),
        answered_at: null,
        support_count: 1,
        created_at: now,
        updated_at: now,
      }
      if (kind === 'early-release') {
        const dataset = ID_LIKE.test(datasetId) ? await repo.findDataset(datasetId) : undefined
        if (!dataset) throw fieldError('dataset', 'There is no declared dataset with that id')
        const refusal = earlyReleaseRefusal(dataset.status)
        if (refusal) throw fieldError('dataset', refusal)
        if (await repo.findOpenEarlyRelease(dataset.id)) {
          throw new ConflictError('Someone has already asked for the early release of this dataset. Support their request instead')
        }
        row = {
          ...common,
          kind: 'early-release',
          title: `Early release of “${dataset.title}”`,
          description: description || `Publish “${dataset.title}” before its planned release.`,
          organisation_id: dataset.organisation_id,
          dataset_id: dataset.id,
        }
      } else {
        row = { ...common, kind: 'new', title, description, organisation_id: organisation?.id ?? null, dataset_id: null }
      }
      await repo.insert(row)
      await repo.insertSupport(row.id, user.userId, now)
      await repo.insertFollow(row.id, user.userId, now)
      await recordAudit(trx, actor, { organisationId: row.organisation_id, action: 'request.create', entityType: 'request', entityId: row.id, after: row })
      return toDataRequest((await repo.findJoined(row.id))!, this.today())
    })
  }

  // ---- answering ----

  async answer(actor: Actor, requestId: string, input: AnswerInput): Promise<DataRequest> {
    if (actor.kind === 'anonymous') requireUser(actor)
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await this.requireRequest(repo, requestId)
      if (!before.organisation_id) {
        requirePlatformAdmin(actor)
        throw new ConflictError('No public body has been asked yet: assign the request to one first')
      }
      requireEditFor(actor, before.organisation_id)

      const errors = new FieldErrors()
      const status = input.status as RequestStatus | undefined
      if (!status || !REQUEST_STATUSES.some((s) => s.code === status) || status === 'submitted') {
        errors.add('status', 'Select your answer')
        errors.throwIfAny()
      }
      const next = status!
      if (!TRANSITIONS[before.status as RequestStatus]?.includes(next)) {
        throw new ConflictError(`A request that is ${statusOf(before.status).label.toLowerCase()} cannot be marked ${statusOf(next).label.toLowerCase()}`)
      }
      const response = (input.response ?? '').trim() || null
      if (response && response.length > MAX_TEXT) errors.add('response', 'Explanation must be 5,000 characters or fewer')

      let releaseId: string | null = null
      let fulfilledId: string | null = null
      let declineReason: string | null = null
      if (next === 'scheduled') {
        const id = (input.release ?? '').trim()
        const release = ID_LIKE.test(id) ? await repo.findRelease(id) : undefined
        if (!id) errors.add('release', 'Choose the planned release that will answer the request')
        else if (!release || release.organisation_id !== before.organisation_id) errors.add('release', 'Choose a planned release of one of your body’s own datasets')
        else if (release.state !== 'provisional' && release.state !== 'confirmed') errors.add('release', `That release is ${release.state}: choose one still planned`)
        else releaseId = release.id
      }
      if (next === 'declined') {
        declineReason = (input.declineReason ?? '').trim()
        if (!DECLINE_REASONS.some((r) => r.code === declineReason)) errors.add('declineReason', 'Select the reason for declining')
        if (!response) errors.add('response', 'Explain why the request is declined')
      }
      if (next === 'fulfilled') {
        const id = (input.dataset ?? '').trim()
        const dataset = ID_LIKE.test(id) ? await repo.findDataset(id) : undefined
        if (!id) errors.add('dataset', 'Choose the dataset that answers the request')
        else if (!dataset || dataset.organisation_id !== before.organisation_id) errors.add('dataset', 'Choose one of your body’s own datasets')
        else if (dataset.status === 'withdrawn') errors.add('dataset', 'That dataset has been withdrawn: choose one that is available')
        else fulfilledId = dataset.id
        // The release it was scheduled into stays linked: it is how the data came.
        releaseId = before.release_id
      }
      errors.throwIfAny()

      const now = this.now()
      const changes = {
        status: next,
        response,
        decline_reason: declineReason,
        release_id: releaseId,
        fulfilled_dataset_id: fulfilledId,
        answered_at: before.answered_at ?? now,
        updated_at: now,
      }
      await repo.update(before.id, changes)
      const after = { ...before, ...changes }
      await recordAudit(trx, actor, { organisationId: before.organisation_id, action: `request.${next}`, entityType: 'request', entityId: before.id, before, after })
      return toDataRequest((await repo.findJoined(before.id))!, this.today())
    })
  }

  /**
   * A platform administrator sends a request nobody was suggested for to a body. The body's 20
   * working days run from then: it cannot answer what it has not been sent.
   */
  async assign(actor: Actor, requestId: string, organisationSlug: string | undefined): Promise<DataRequest> {
    requirePlatformAdmin(actor)
    const slug = (organisationSlug ?? '').trim()
    const organisation = slug ? await this.findBody(slug) : undefined
    if (!organisation) throw fieldError('organisation', 'Choose the public body to send the request to')
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await this.requireRequest(repo, requestId)
      if (before.organisation_id) throw new ConflictError('This request has already been sent to a public body')
      const changes = { organisation_id: organisation.id, due_date: addWorkingDays(this.today(), ANSWER_WORKING_DAYS), updated_at: this.now() }
      await repo.update(before.id, changes)
      await recordAudit(trx, actor, { organisationId: organisation.id, action: 'request.assign', entityType: 'request', entityId: before.id, before, after: { ...before, ...changes } })
      return toDataRequest((await repo.findJoined(before.id))!, this.today())
    })
  }

  /** The body with that slug, or undefined when there is none (any other failure is thrown). */
  private async findBody(slug: string): Promise<Organisation | undefined> {
    try {
      return await this.organisations.getBySlug(slug)
    } catch (error) {
      if (error instanceof NotFoundError) return undefined
      throw error
    }
  }
}

function earlyReleaseRefusal(status: string): string | undefined {
  if (status === 'published') return 'This dataset is already published: there is nothing to release early'
  if (status === 'withdrawn') return 'This dataset has been withdrawn, so it will not be released'
  return undefined
}
