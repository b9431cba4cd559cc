import { isUniqueViolation } from '../../db/dialect.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { canEditFor, isPlatformAdmin, requireEditFor, requirePlatformAdmin, requireUser, roleIn } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, FieldErrors, NotFoundError } from '../../platform/errors.js'
import { fieldError, ID_LIKE, MAX_TEXT, RequestServiceBase } from './base.js'
import { HIDDEN_BY_PLATFORM, toComment, TRANSITIONS, type DataRequest, type RequestComment } from './model.js'

/** What the person looking at a request may do, and has done, there. */
export interface RequestViewer {
  signedIn: boolean
  supporting: boolean
  following: boolean
  canAnswer: boolean
  canModerate: boolean
  canAssign: boolean
}

const MAX_HIDE_REASON = 1000

/**
 * People's part in a data request: supporting it, following it and commenting on it, and the
 * body (or platform) hiding comments.
 *
 * Support and follows are audited under their own entity types (`request-support`,
 * `request-follow`) and comments under `request-comment`, none of them public: who follows or
 * supports a request is their own business, and the text of a hidden comment must not stay
 * readable in a public history.
 */
export class RequestParticipation extends RequestServiceBase {
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

  /** The comments, oldest first; hidden ones without their text but with who hid them and why. */
  async comments(request: DataRequest): Promise<RequestComment[]> {
    const rows = await this.repo().commentsOf(request.id)
    const context = { organisationId: request.organisation?.id ?? null, organisationName: request.organisation?.name ?? null }
    return rows.map((row) => toComment(row, context))
  }

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
}
