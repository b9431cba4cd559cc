import type { Actor, SystemActor, TokenActor, UserActor } from './actor.js'
import { ForbiddenError, UnauthenticatedError } from './errors.js'

/*
 * The platform's rules about who may do what. Services call these before every write, so the
 * rules hold whichever route (page, API, command) the write came through.
 */

export function requireUser(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw new UnauthenticatedError()
  return actor
}

export function isPlatformAdmin(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'user' && actor.isPlatformAdmin)
}

export function requirePlatformAdmin(actor: Actor): UserActor | SystemActor {
  if (actor.kind === 'anonymous') throw new UnauthenticatedError()
  if (!isPlatformAdmin(actor)) throw new ForbiddenError('Only a platform administrator can do that')
  return actor as UserActor | SystemActor
}

export function roleIn(actor: Actor, organisationId: string): 'editor' | 'admin' | undefined {
  if (actor.kind !== 'user') return undefined
  return actor.memberships.find((m) => m.organisationId === organisationId)?.role
}

/** May change the body's records (datasets, assets…): its editors and admins, or its write tokens. */
export function canEditFor(actor: Actor, organisationId: string): boolean {
  if (isPlatformAdmin(actor)) return true
  if (actor.kind === 'token') return actor.scope === 'write' && actor.organisationId === organisationId
  return roleIn(actor, organisationId) !== undefined
}

/** May manage the body itself (members, tokens): its admins only. Tokens never can. */
export function canAdminister(actor: Actor, organisationId: string): boolean {
  return isPlatformAdmin(actor) || roleIn(actor, organisationId) === 'admin'
}

export function requireEditFor(actor: Actor, organisationId: string): Exclude<Actor, { kind: 'anonymous' }> {
  if (actor.kind === 'anonymous') throw new UnauthenticatedError()
  if (!canEditFor(actor, organisationId)) throw new ForbiddenError('You can only change records of a body you belong to')
  return actor
}

export function requireAdminOf(actor: Actor, organisationId: string): UserActor | SystemActor {
  if (actor.kind === 'anonymous') throw new UnauthenticatedError()
  if (!canAdminister(actor, organisationId)) {
    throw new ForbiddenError('Only an administrator of this body can do that')
  }
  return actor as UserActor | SystemActor
}

export function isToken(actor: Actor): actor is TokenActor {
  return actor.kind === 'token'
}
