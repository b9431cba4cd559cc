/** Who is making a request. Every service call takes one; authorisation is decided from it. */
export type Actor = AnonymousActor | UserActor | TokenActor | SystemActor

export interface AnonymousActor {
  kind: 'anonymous'
  requestId?: string
}

export interface Membership {
  organisationId: string
  role: 'editor' | 'admin'
}

export interface UserActor {
  kind: 'user'
  userId: string
  name: string
  email: string
  isPlatformAdmin: boolean
  memberships: Membership[]
  requestId?: string
}

/** A body's API token: acts for that body only, reading or writing. */
export interface TokenActor {
  kind: 'token'
  tokenId: string
  tokenName: string
  organisationId: string
  scope: 'read' | 'write'
  requestId?: string
}

/** The `lgds` command and the seeders, run by whoever operates the server. */
export interface SystemActor {
  kind: 'system'
  label: string
  requestId?: string
}

export const anonymous: AnonymousActor = { kind: 'anonymous' }

export function systemActor(label: string): SystemActor {
  return { kind: 'system', label }
}

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'anonymous':
      return 'anonymous'
    case 'user':
      return actor.name
    case 'token':
      return `API token “${actor.tokenName}”`
    case 'system':
      return actor.label
  }
}
