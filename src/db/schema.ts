import type { Generated } from 'kysely'

/**
 * Table shapes, shared by both engines. Timestamps are ISO 8601 UTC strings and flags are
 * 0/1 integers on both, so rows read back identically from SQLite and PostgreSQL.
 */
export interface Database {
  organisations: OrganisationTable
  users: UserTable
  memberships: MembershipTable
  api_tokens: ApiTokenTable
  sessions: SessionTable
  audit_log: AuditLogTable
}

export interface OrganisationTable {
  id: string
  slug: string
  name: string
  short_name: string
  identifier: string | null
  type: string
  nation: string | null
  region: string | null
  parent_id: string | null
  website: string | null
  lat: number | null
  lon: number | null
  /** `register` when seeded from the local-authority register, `admin` when added by hand. */
  source: string
  /** Lower-cased name, short name and identifier: what the register search matches. */
  search_text: string
  created_at: string
  updated_at: string
}

export interface UserTable {
  id: string
  email: string
  name: string
  password_hash: string
  is_platform_admin: number
  created_at: string
  updated_at: string
}

export interface MembershipTable {
  id: string
  user_id: string
  organisation_id: string
  role: 'editor' | 'admin'
  created_at: string
}

export interface ApiTokenTable {
  id: string
  organisation_id: string
  name: string
  scope: 'read' | 'write'
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  token_hash: string
  /** The first characters of the token, so people can tell their tokens apart. */
  token_prefix: string
  created_by: string | null
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface SessionTable {
  /** SHA-256 of the session id: a stolen database does not yield live sessions. */
  id_hash: string
  data: string
  expires_at: string
}

export interface AuditLogTable {
  id: Generated<number>
  occurred_at: string
  actor_user_id: string | null
  actor_token_id: string | null
  /** Who acted, as shown in histories ("Jo Bloggs", "token CI upload", "system"). */
  actor_label: string
  organisation_id: string | null
  action: string
  entity_type: string
  entity_id: string
  before_json: string | null
  after_json: string | null
  request_id: string | null
}
