import type { Db } from '../../db/connection.js'
import { isUniqueViolation, nowIso } from '../../db/dialect.js'
import type { Actor, TokenActor, UserActor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requireAdminOf, requirePlatformAdmin, requireUser } from '../../platform/authorisation.js'
import { DUMMY_PASSWORD_HASH, hashPassword, newApiToken, newId, sha256, verifyPassword } from '../../platform/crypto.js'
import { ConflictError, FieldErrors, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js'
import type { OrganisationService } from '../organisations/service.js'
import { passwordProblem } from './password-policy.js'
import { AccountRepository, type ApiTokenRow, type UserRow } from './repository.js'

export type Role = 'editor' | 'admin'
export const ROLES: Role[] = ['editor', 'admin']

export interface User {
  id: string
  email: string
  name: string
  isPlatformAdmin: boolean
  createdAt: string
}

export interface Member {
  membershipId: string
  userId: string
  name: string
  email: string
  role: Role
  since: string
}

export interface ApiToken {
  id: string
  organisationId: string
  name: string
  scope: 'read' | 'write'
  prefix: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

export interface SignUpInput {
  email?: string
  name?: string
  password?: string
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
// Writing "last used" on every request would turn each read into a write; once a minute is enough.
const LAST_USED_GRANULARITY_MS = 60_000

export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
  ) {}

  private repo(k = this.db.kysely) {
    return new AccountRepository(k)
  }

  /** Anyone may create an account: citizens and businesses need one to request and follow. */
  async signUp(actor: Actor, input: SignUpInput, options: { platformAdmin?: boolean } = {}): Promise<User> {
    if (options.platformAdmin) requirePlatformAdmin(actor)
    const errors = new FieldErrors()
    const email = (input.email ?? '').trim().toLowerCase()
    const name = (input.name ?? '').trim()
    const password = input.password ?? ''
    if (!name) errors.add('name', 'Enter your full name')
    else if (name.length > 200) errors.add('name', 'Name must be 200 characters or fewer')
    if (!email) errors.add('email', 'Enter your email address')
    else if (!EMAIL.test(email) || email.length > 254) errors.add('email', 'Enter an email address in the correct format, like name@example.gov.uk')
    const problem = passwordProblem(password, { email, name })
    if (problem) errors.add('password', problem)
    errors.throwIfAny()

    const passwordHash = await hashPassword(password)
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      if (await repo.findUserByEmail(email)) {
        throw new ValidationError([{ name: 'email', message: 'An account already exists with that email address. Sign in instead' }])
      }
      const now = nowIso()
      const row: UserRow = {
        id: newId(),
        email,
        name,
        password_hash: passwordHash,
        is_platform_admin: options.platformAdmin ? 1 : 0,
        created_at: now,
        updated_at: now,
      }
      try {
        await repo.insertUser(row)
      } catch (error) {
        if (isUniqueViolation(error)) throw new ValidationError([{ name: 'email', message: 'An account already exists with that email address' }])
        throw error
      }
      const by = actor.kind === 'anonymous' ? { ...actor, kind: 'user' as const, userId: row.id, name, email, isPlatformAdmin: false, memberships: [] } : actor
      await recordAudit(trx, by, { organisationId: null, action: 'user.create', entityType: 'user', entityId: row.id, after: publicUserRow(row) })
      return toUser(row)
    })
  }

  /** The account for these credentials, or undefined. Takes as long whether or not the email exists. */
  async authenticate(email: string, password: string): Promise<User | undefined> {
    const row = await this.repo().findUserByEmail((email ?? '').trim())
    const ok = await verifyPassword(password ?? '', row?.password_hash ?? DUMMY_PASSWORD_HASH)
    return ok && row ? toUser(row) : undefined
  }

  /** The signed-in person with their memberships, as every service sees them. */
  async actorForUser(userId: string, requestId?: string): Promise<UserActor | undefined> {
    const repo = this.repo()
    const row = await repo.findUserById(userId)
    if (!row) return undefined
    const memberships = await repo.membershipsOfUser(userId)
    return {
      kind: 'user',
      userId: row.id,
      name: row.name,
      email: row.email,
      isPlatformAdmin: row.is_platform_admin === 1,
      memberships: memberships.map((m) => ({ organisationId: m.organisation_id, role: m.role })),
      ...(requestId ? { requestId } : {}),
    }
  }

  async getUser(actor: Actor): Promise<User> {
    const user = requireUser(actor)
    const row = await this.repo().findUserById(user.userId)
    if (!row) throw new NotFoundError()
    return toUser(row)
  }

  async changePassword(actor: Actor, input: { currentPassword?: string; newPassword?: string }): Promise<void> {
    const user = requireUser(actor)
    const row = await this.repo().findUserById(user.userId)
    if (!row) throw new NotFoundError()
    const errors = new FieldErrors()
    if (!input.currentPassword) errors.add('currentPassword', 'Enter your current password')
    else if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
      errors.add('currentPassword', 'Your current password is not correct')
    }
    const problem = passwordProblem(input.newPassword ?? '', { email: row.email, name: row.name })
    if (problem) errors.add('newPassword', problem)
    else if (input.newPassword === input.currentPassword) errors.add('newPassword', 'New password must be different from your current password')
    errors.throwIfAny()
    const passwordHash = await hashPassword(input.newPassword!)
    await this.db.kysely.transaction().execute(async (trx) => {
      const now = nowIso()
      await this.repo(trx).updateUser(row.id, { password_hash: passwordHash, updated_at: now })
      // The log shows that the password changed, never what it is.
      await recordAudit(trx, actor, {
        organisationId: null,
        action: 'user.change-password',
        entityType: 'user',
        entityId: row.id,
        before: { password_changed: false },
        after: { password_changed: true },
      })
    })
  }

  /** Used by `lgds user create`: makes the account if needed and grants what was asked. */
  async setPlatformAdmin(actor: Actor, userId: string, value: boolean): Promise<void> {
    requirePlatformAdmin(actor)
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await repo.findUserById(userId)
      if (!before) throw new NotFoundError()
      if ((before.is_platform_admin === 1) === value) return
      const after = { ...before, is_platform_admin: value ? 1 : 0, updated_at: nowIso() }
      await repo.updateUser(userId, { is_platform_admin: after.is_platform_admin, updated_at: after.updated_at })
      await recordAudit(trx, actor, { organisationId: null, action: 'user.platform-admin', entityType: 'user', entityId: userId, before: publicUserRow(before), after: publicUserRow(after) })
    })
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.repo().findUserByEmail(email.trim())
    return row && toUser(row)
  }

  // ---- members of a body ----

  /** Members are visible to the body's own members and to platform admins. */
  async listMembers(actor: Actor, organisationSlug: string): Promise<Member[]> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    const user = actor.kind === 'system' ? undefined : requireUser(actor)
    if (user && !user.isPlatformAdmin && !user.memberships.some((m) => m.organisationId === organisation.id)) {
      throw new ForbiddenError('Only members of this body can see its members')
    }
    const rows = await this.repo().membersOf(organisation.id)
    return rows.map((r) => ({ membershipId: r.id, userId: r.user_id, name: r.name, email: r.email, role: r.role, since: r.created_at }))
  }

  /** Adds an existing account to the body, or changes the role of a current member. */
  async addMember(actor: Actor, organisationSlug: string, input: { email?: string; role?: string }): Promise<Member> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireAdminOf(actor, organisation.id)
    const errors = new FieldErrors()
    const email = (input.email ?? '').trim().toLowerCase()
    if (!email) errors.add('email', 'Enter the email address of the person to add')
    if (!ROLES.includes(input.role as Role)) errors.add('role', 'Select editor or admin')
    errors.throwIfAny()
    const role = input.role as Role
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const user = await repo.findUserByEmail(email)
      if (!user) {
        throw new ValidationError([{ name: 'email', message: 'There is no account with that email address. Ask them to create an account first' }])
      }
      const existing = await repo.findMembership(organisation.id, user.id)
      let membershipId: string
      if (existing) {
        if (existing.role === 'admin' && role !== 'admin' && (await repo.countAdmins(organisation.id)) <= 1) {
          throw new ConflictError('A body must keep at least one administrator')
        }
        membershipId = existing.id
        await repo.updateMembershipRole(existing.id, role)
        await recordAudit(trx, actor, { organisationId: organisation.id, action: 'membership.update', entityType: 'membership', entityId: existing.id, before: existing, after: { ...existing, role } })
      } else {
        const row = { id: newId(), user_id: user.id, organisation_id: organisation.id, role, created_at: nowIso() }
        membershipId = row.id
        await repo.insertMembership(row)
        await recordAudit(trx, actor, { organisationId: organisation.id, action: 'membership.create', entityType: 'membership', entityId: row.id, after: row })
      }
      return { membershipId, userId: user.id, name: user.name, email: user.email, role, since: existing?.created_at ?? nowIso() }
    })
  }

  async removeMember(actor: Actor, organisationSlug: string, membershipId: string): Promise<void> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireAdminOf(actor, organisation.id)
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const membership = await repo.findMembershipById(membershipId)
      if (!membership || membership.organisation_id !== organisation.id) throw new NotFoundError('That person is not a member of this body')
      if (membership.role === 'admin' && (await repo.countAdmins(organisation.id)) <= 1) {
        throw new ConflictError('A body must keep at least one administrator. Make someone else an administrator first')
      }
      await repo.deleteMembership(membership.id)
      await recordAudit(trx, actor, { organisationId: organisation.id, action: 'membership.delete', entityType: 'membership', entityId: membership.id, before: membership })
    })
  }

  // ---- API tokens ----

  async listTokens(actor: Actor, organisationSlug: string): Promise<ApiToken[]> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireAdminOf(actor, organisation.id)
    return (await this.repo().tokensOf(organisation.id)).map(toApiToken)
  }

  /** Returns the secret once; only its hash is kept. */
  async createToken(actor: Actor, organisationSlug: string, input: { name?: string; scope?: string }): Promise<{ token: ApiToken; secret: string }> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    const by = requireAdminOf(actor, organisation.id)
    const errors = new FieldErrors()
    const name = (input.name ?? '').trim()
    if (!name) errors.add('name', 'Enter a name for the token, like “Nightly upload from our asset system”')
    else if (name.length > 100) errors.add('name', 'Name must be 100 characters or fewer')
    if (input.scope !== 'read' && input.scope !== 'write') errors.add('scope', 'Select read or write')
    errors.throwIfAny()
    const secret = newApiToken()
    const row: ApiTokenRow = {
      id: newId(),
      organisation_id: organisation.id,
      name,
      scope: input.scope as 'read' | 'write',
      token_hash: sha256(secret),
      token_prefix: secret.slice(0, 12),
      created_by: by.kind === 'user' ? by.userId : null,
      created_at: nowIso(),
      last_used_at: null,
      revoked_at: null,
    }
    await this.db.kysely.transaction().execute(async (trx) => {
      await this.repo(trx).insertToken(row)
      await recordAudit(trx, actor, { organisationId: organisation.id, action: 'token.create', entityType: 'api_token', entityId: row.id, after: row })
    })
    return { token: toApiToken(row), secret }
  }

  async revokeToken(actor: Actor, organisationSlug: string, tokenId: string): Promise<void> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireAdminOf(actor, organisation.id)
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await repo.findTokenById(tokenId)
      if (!before || before.organisation_id !== organisation.id) throw new NotFoundError('There is no such token for this body')
      if (before.revoked_at) return
      const revokedAt = nowIso()
      await repo.updateToken(tokenId, { revoked_at: revokedAt })
      await recordAudit(trx, actor, { organisationId: organisation.id, action: 'token.revoke', entityType: 'api_token', entityId: tokenId, before, after: { ...before, revoked_at: revokedAt } })
    })
  }

  /** The actor a bearer token stands for, or undefined when it is unknown or revoked. */
  async actorForToken(secret: string, requestId?: string): Promise<TokenActor | undefined> {
    const repo = this.repo()
    const row = await repo.findTokenByHash(sha256(secret))
    if (!row || row.revoked_at) return undefined
    const now = Date.now()
    if (!row.last_used_at || now - Date.parse(row.last_used_at) > LAST_USED_GRANULARITY_MS) {
      await repo.updateToken(row.id, { last_used_at: new Date(now).toISOString() })
    }
    return {
      kind: 'token',
      tokenId: row.id,
      tokenName: row.name,
      organisationId: row.organisation_id,
      scope: row.scope,
      ...(requestId ? { requestId } : {}),
    }
  }
}

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, isPlatformAdmin: row.is_platform_admin === 1, createdAt: row.created_at }
}

function publicUserRow(row: UserRow) {
  const { password_hash: _secret, ...rest } = row
  return rest
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    scope: row.scope,
    prefix: row.token_prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }
}
