import { todayInUk } from '../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import { isUniqueViolation } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { canEditFor, isPlatformAdmin, requireEditFor, requirePlatformAdmin, requireUser, roleIn } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, FieldErrors, NotFoundError, ValidationError } from '../../platform/errors.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import { addWorkingDays } from '../../platform/working-days.js'
import { formatPlannedDate } from '../datasets/dates.js'
import type { DatePrecision } from '../datasets/vocabularies.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import {
  ANSWER_WORKING_DAYS,
  DECLINE_REASONS,
  HIDDEN_BY_PLATFORM,
  REQUEST_STATUSES,
  statusOf,
  toComment,
  toDataRequest,
  TRANSITIONS,
  type DataRequest,
  type RequestComment,
  type RequestStatus,
} from './model.js'
import { RequestRepository, type DataRequestRow, type RequestFilters } from './repository.js'

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

/** What the person looking at a request may do, and has done, there. */
export interface RequestViewer {
  signedIn: boolean
  supporting: boolean
  following: boolean
  canAnswer: boolean
  canModerate: boolean
  canAssign: boolean
}

export interface EarlyReleaseTarget {
  dataset: { id: string; title: string; status: string }
  /** Why an early release cannot be asked for, when it cannot. */
  refusal?: string
  /** An early-release request already open for the dataset, to support instead. */
  existing?: { id: string; title: string }
}

const MAX_TITLE = 200
const MAX_TEXT = 5000
const MAX_HIDE_REASON = 1000
const ID_LIKE = /^[A-Za-z0-9-]{1,100}$/

/**
 * Data requests: what people ask public bodies to publish, and the bodies' answers.
 *
 * Asking is supporting: the requester's own support is recorded with the request (the count
 * starts at 1, so "most supported" compares like with like) and they follow it. They can
 * withdraw either like anyone else.
 *
 * Support and follows are audited under their own entity types (`request-support`,
 * `request-follow`) and comments under `request-comment`, none of them public: who follows or
 * supports a request is their own business, and the text of a hidden comment must not stay
 * readable in a public history. Everything the body or an administrator does to the request
 * itself is under `request`, which is public.
 */
export class RequestService {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
    /** Tests set the date; everything "today" and every timestamp comes from here. */
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private repo(k: Kysely<Database> = this.db.kysely) {
    return new RequestRepository(k, this.db.engine)
  }

  private today(): string {
    return todayInUk(this.clock())
  }

  private now(): string {
    return this.clock().toISOString()
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

  /** The comments, oldest first; hidden ones without their text but with who hid them and why. */
  async comments(request: DataRequest): Promise<RequestComment[]> {
    const rows = await this.repo().commentsOf(request.id)
    const context = { organisationId: request.organisation?.id ?? null, organisationName: request.organisation?.name ?? null }
    return rows.map((row) => toComment(row, context))
  }

  async viewerOf(actor: Actor, request: DataRequest): Promise<RequestViewer> {
    const organisationId = request.organisation?.id
    const isUser = actor.kind === 'user'
    const [supporting, following] = isUser
      ? await Promise.all([this.repo().hasSupport(request.id, actor.userId), this.repo().isFollowing(request.id, actor.userId)])
      : [false, false]
    return {
      signedIn: isUser,
      supporting,
      following,
      canAnswer: isUser && !!organisationId && canEditFor(actor, organisationId) && TRANSITIONS[request.status].length > 0,
      canModerate: isUser && (organisationId ? canEditFor(actor, organisationId) : isPlatformAdmin(actor)),
      canAssign: isUser && !organisationId && isPlatformAdmin(actor),
    }
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

  // ---- support and follows ----

  /** One support per account. Returns the new count. */
  async support(actor: Actor, requestId: string): Promise<number> {
    const user = requireUser(actor)
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const row = await this.requireRequest(repo, requestId)
      if (row.status === 'fulfilled') throw new ConflictError('This request has been fulfilled: there is nothing left to support')
      if (await repo.hasSupport(row.id, user.userId)) throw new ConflictError('You already support this request')
      try {
        await repo.insertSupport(row.id, user.userId, this.now())
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('You already support this request')
        throw error
      }
      const count = await repo.recountSupport(row.id)
      await recordAudit(trx, actor, { organisationId: row.organisation_id, action: 'request.support', entityType: 'request-support', entityId: row.id, before: { support_count: row.support_count }, after: { support_count: count } })
      return count
    })
  }

  async unsupport(actor: Actor, requestId: string): Promise<number> {
    const user = requireUser(actor)
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const row = await this.requireRequest(repo, requestId)
      if ((await repo.deleteSupport(row.id, user.userId)) === 0) throw new ConflictError('You do not support this request')
      const count = await repo.recountSupport(row.id)
      await recordAudit(trx, actor, { organisationId: row.organisation_id, action: 'request.unsupport', entityType: 'request-support', entityId: row.id, before: { support_count: row.support_count }, after: { support_count: count } })
      return count
    })
  }

  async follow(actor: Actor, requestId: string): Promise<void> {
    const user = requireUser(actor)
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const row = await this.requireRequest(repo, requestId)
      if (await repo.isFollowing(row.id, user.userId)) throw new ConflictError('You already follow this request')
      try {
        await repo.insertFollow(row.id, user.userId, this.now())
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('You already follow this request')
        throw error
      }
      await recordAudit(trx, actor, { organisationId: row.organisation_id, action: 'request.follow', entityType: 'request-follow', entityId: row.id })
    })
  }

  async unfollow(actor: Actor, requestId: string): Promise<void> {
    const user = requireUser(actor)
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const row = await this.requireRequest(repo, requestId)
      if ((await repo.deleteFollow(row.id, user.userId)) === 0) throw new ConflictError('You do not follow this request')
      await recordAudit(trx, actor, { organisationId: row.organisation_id, action: 'request.unfollow', entityType: 'request-follow', entityId: row.id })
    })
  }

  // ---- comments ----

  async comment(actor: Actor, requestId: string, text: string | undefined): Promise<RequestComment> {
    const user = requireUser(actor)
    const body = (text ?? '').trim()
    const errors = new FieldErrors()
    if (!body) errors.add('comment', 'Enter your comment')
    else if (body.length > MAX_TEXT) errors.add('comment', 'Comment must be 5,000 characters or fewer')
    errors.throwIfAny()
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const request = await this.requireRequest(repo, requestId)
      const row = { id: newId(), request_id: request.id, user_id: user.userId, author_name: user.name, body, created_at: this.now(), hidden_at: null, hidden_by: null, hidden_reason: null }
      await repo.insertComment(row)
      await recordAudit(trx, actor, { organisationId: request.organisation_id, action: 'request.comment', entityType: 'request-comment', entityId: row.id, after: row })
      return toComment(row, { organisationId: request.organisation_id, organisationName: null })
    })
  }

  /**
   * The body's editors (or, before a body is assigned, platform administrators) hide a comment.
   * The text stays in the database with who hid it, when and why; the page shows the reason.
   */
  async hideComment(actor: Actor, requestId: string, commentId: string, reason: string | undefined): Promise<void> {
    if (actor.kind === 'anonymous') requireUser(actor)
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const request = await this.requireRequest(repo, requestId)
      const comment = ID_LIKE.test(commentId) ? await repo.findComment(commentId) : undefined
      if (!comment || comment.request_id !== request.id) throw new NotFoundError('There is no such comment on this request')
      this.requireModerator(actor, request)
      const why = (reason ?? '').trim()
      if (!why) throw fieldError('reason', 'Say why the comment is being hidden')
      if (why.length > MAX_HIDE_REASON) throw fieldError('reason', 'Reason must be 1,000 characters or fewer')
      if (comment.hidden_at) throw new ConflictError('This comment has already been hidden')
      // Shown as the body when one of its own people (or its token) hid it, otherwise as the platform.
      const asBody = request.organisation_id && (roleIn(actor, request.organisation_id) || (actor.kind === 'token' && actor.organisationId === request.organisation_id))
      const after = { ...comment, hidden_at: this.now(), hidden_by: asBody ? request.organisation_id : HIDDEN_BY_PLATFORM, hidden_reason: why }
      await repo.updateComment(comment.id, { hidden_at: after.hidden_at, hidden_by: after.hidden_by, hidden_reason: after.hidden_reason })
      await recordAudit(trx, actor, { organisationId: request.organisation_id, action: 'request.comment-hide', entityType: 'request-comment', entityId: comment.id, before: comment, after })
    })
  }

  /** Checks the actor may hide comments on the request: used by the page that asks for the reason too. */
  requireModerator(actor: Actor, request: { organisation_id: string | null } | DataRequest): void {
    const organisationId = 'organisation_id' in request ? request.organisation_id : (request.organisation?.id ?? null)
    if (organisationId) requireEditFor(actor, organisationId)
    else requirePlatformAdmin(actor)
  }

  async findComment(request: DataRequest, commentId: string): Promise<RequestComment> {
    const row = ID_LIKE.test(commentId) ? await this.repo().findComment(commentId) : undefined
    if (!row || row.request_id !== request.id) throw new NotFoundError('There is no such comment on this request')
    return toComment(row, { organisationId: request.organisation?.id ?? null, organisationName: request.organisation?.name ?? null })
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

  private async requireRequest(repo: RequestRepository, id: string): Promise<DataRequestRow> {
    const row = ID_LIKE.test(id) ? await repo.findById(id) : undefined
    if (!row) throw new NotFoundError('There is no data request with that id')
    return row
  }
}

function earlyReleaseRefusal(status: string): string | undefined {
  if (status === 'published') return 'This dataset is already published: there is nothing to release early'
  if (status === 'withdrawn') return 'This dataset has been withdrawn, so it will not be released'
  return undefined
}

/** One field's error, as the forms show it. */
function fieldError(name: string, message: string): ValidationError {
  return new ValidationError([{ name, message }])
}
