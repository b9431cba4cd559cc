import type { Kysely, Selectable } from 'kysely'
import type { ApiTokenTable, Database, MembershipTable, UserTable } from '../../db/schema.js'

export type UserRow = Selectable<UserTable>
export type MembershipRow = Selectable<MembershipTable>
export type ApiTokenRow = Selectable<ApiTokenTable>

export class AccountRepository {
  constructor(private readonly db: Kysely<Database>) {}

  findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst()
  }

  findUserById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async insertUser(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute()
  }

  async updateUser(id: string, changes: Partial<UserRow>): Promise<void> {
    await this.db.updateTable('users').set(changes).where('id', '=', id).execute()
  }

  membershipsOfUser(userId: string): Promise<MembershipRow[]> {
    return this.db.selectFrom('memberships').selectAll().where('user_id', '=', userId).execute()
  }

  membersOf(organisationId: string) {
    return this.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select([
        'memberships.id',
        'memberships.role',
        'memberships.created_at',
        'memberships.user_id',
        'users.name',
        'users.email',
      ])
      .where('memberships.organisation_id', '=', organisationId)
      .orderBy('users.name')
      .execute()
  }

  findMembership(organisationId: string, userId: string): Promise<MembershipRow | undefined> {
    return this.db
      .selectFrom('memberships')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
  }

  findMembershipById(id: string): Promise<MembershipRow | undefined> {
    return this.db.selectFrom('memberships').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async insertMembership(row: MembershipRow): Promise<void> {
    await this.db.insertInto('memberships').values(row).execute()
  }

  async updateMembershipRole(id: string, role: MembershipRow['role']): Promise<void> {
    await this.db.updateTable('memberships').set({ role }).where('id', '=', id).execute()
  }

  async deleteMembership(id: string): Promise<void> {
    await this.db.deleteFrom('memberships').where('id', '=', id).execute()
  }

  async countAdmins(organisationId: string): Promise<number> {
    const row = await this.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  tokensOf(organisationId: string): Promise<ApiTokenRow[]> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('created_at', 'desc')
      .execute()
  }

  findTokenById(id: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst()
  }

  findTokenByHash(hash: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst()
  }

  async insertToken(row: ApiTokenRow): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute()
  }

  async updateToken(id: string, changes: Partial<ApiTokenRow>): Promise<void> {
    await this.db.updateTable('api_tokens').set(changes).where('id', '=', id).execute()
  }
}
