import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'

/** The email addresses of every member (editor or administrator) of the bodies. */
export async function memberEmails(k: Kysely<Database>, organisationIds: readonly string[]): Promise<string[]> {
  if (organisationIds.length === 0) return []
  const rows = await k
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.email')
    .where('memberships.organisation_id', 'in', [...organisationIds])
    .orderBy('users.email')
    .execute()
  return [...new Set(rows.map((r) => r.email))]
}

/** One account's email address, if the account still exists. */
export async function userEmail(k: Kysely<Database>, userId: string | null): Promise<string | undefined> {
  if (!userId) return undefined
  return (await k.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst())?.email
}
