import { beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../../../test/support/fixtures.js'
import { anonymous, type Actor, type TokenActor } from '../../platform/actor.js'
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js'

import { snapshot } from '../../../test/support/snapshot.js'
import { auditFor, fieldsOf, sha256Hex } from '../../../test/support/accounts.js'

describeEachEngine('accounts: members of a body', (ctx) => {
  let admin: Awaited<ReturnType<typeof makeUser>>
  beforeAll(async () => {
    await seedCouncils(ctx().services)
    admin = await makeUser(ctx().services, { org: 'trafford', role: 'admin', name: 'Ada Admin' })
  })

  it('lets an admin add an existing account as an editor, make them an admin, and remove them, recording each', async () => {
    const { services, db } = ctx()
    const trafford = await services.organisations.getBySlug('trafford')
    const person = await makeUser(services, { name: 'Eddie Editor' })

    const added = await services.accounts.addMember(admin.actor, 'trafford', { email: `  ${person.email.toUpperCase()} `, role: 'editor' })
    expect(added).toMatchObject({ userId: person.userId, name: 'Eddie Editor', email: person.email, role: 'editor' })
    expect((await services.accounts.actorForUser(person.userId))!.memberships).toEqual([{ organisationId: trafford.id, role: 'editor' }])
    const members = await services.accounts.listMembers(admin.actor, 'trafford')
    expect(members.map((m) => [m.name, m.role])).toEqual([
      ['Ada Admin', 'admin'],
      ['Eddie Editor', 'editor'],
    ])

    let audit = await auditFor(db, 'membership', added.membershipId)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      action: 'membership.create',
      actor_label: 'Ada Admin',
      actor_user_id: admin.userId,
      organisation_id: trafford.id,
      before: null,
      after: { id: added.membershipId, user_id: person.userId, organisation_id: trafford.id, role: 'editor' },
    })

    const promoted = await services.accounts.addMember(admin.actor, 'trafford', { email: person.email, role: 'admin' })
    expect(promoted).toMatchObject({ membershipId: added.membershipId, role: 'admin' })
    const row = await db.kysely.selectFrom('memberships').selectAll().where('id', '=', added.membershipId).executeTakeFirstOrThrow()
    expect(row.role).toBe('admin')
    audit = await auditFor(db, 'membership', added.membershipId)
    expect(audit[1]).toMatchObject({ action: 'membership.update', actor_user_id: admin.userId, before: { role: 'editor' }, after: { role: 'admin' } })

    // With two admins, one may step down.
    await services.accounts.addMember(admin.actor, 'trafford', { email: person.email, role: 'editor' })
    await services.accounts.removeMember(admin.actor, 'trafford', added.membershipId)
    expect(await db.kysely.selectFrom('memberships').selectAll().where('id', '=', added.membershipId).executeTakeFirst()).toBeUndefined()
    expect((await services.accounts.actorForUser(person.userId))!.memberships).toEqual([])
    audit = await auditFor(db, 'membership', added.membershipId)
    expect(audit.map((a) => a.action)).toEqual(['membership.create', 'membership.update', 'membership.update', 'membership.delete'])
    expect(audit[3]).toMatchObject({ actor_user_id: admin.userId, before: { id: added.membershipId, role: 'editor' }, after: null })
  })

  it('never leaves a body without an administrator', async () => {
    const { services, db } = ctx()
    const only = await makeUser(services, { org: 'leeds', role: 'admin' })
    const membership = (await services.accounts.listMembers(only.actor, 'leeds'))[0]!
    const before = await snapshot(db)
    await expect(services.accounts.removeMember(only.actor, 'leeds', membership.membershipId)).rejects.toBeInstanceOf(ConflictError)
    await expect(services.accounts.addMember(only.actor, 'leeds', { email: only.email, role: 'editor' })).rejects.toBeInstanceOf(ConflictError)
    await expect(services.accounts.removeMember(system, 'leeds', membership.membershipId)).rejects.toBeInstanceOf(ConflictError)
    expect(await snapshot(db)).toEqual(before)

    // Once there is a second admin, the first may go.
    const second = await makeUser(services)
    await services.accounts.addMember(only.actor, 'leeds', { email: second.email, role: 'admin' })
    await services.accounts.removeMember(only.actor, 'leeds', membership.membershipId)
    expect((await services.accounts.listMembers(system, 'leeds')).map((m) => m.userId)).toEqual([second.userId])
  })

  it('refuses an unknown email, a missing email or an unknown role, and changes nothing', async () => {
    const { services, db } = ctx()
    const before = await snapshot(db)
    expect(await fieldsOf(services.accounts.addMember(admin.actor, 'trafford', { email: 'nobody.here@example.gov.uk', role: 'editor' }))).toEqual({
      email: 'There is no account with that email address. Ask them to create an account first',
    })
    expect(await fieldsOf(services.accounts.addMember(admin.actor, 'trafford', { email: '', role: 'owner' }))).toEqual({
      email: 'Enter the email address of the person to add',
      role: 'Select editor or admin',
    })
    expect(await snapshot(db)).toEqual(before)
  })

  it('keeps each body’s memberships to itself', async () => {
    const { services, db } = ctx()
    const manchesterAdmin = await makeUser(services, { org: 'manchester', role: 'admin' })
    const traffordEditor = await makeUser(services, { org: 'trafford', role: 'editor' })
    const membershipId = (await services.accounts.listMembers(system, 'trafford')).find((m) => m.userId === traffordEditor.userId)!.membershipId
    const before = await snapshot(db)
    // Naming its own body does not let another body's admin reach Trafford's membership.
    await expect(services.accounts.removeMember(manchesterAdmin.actor, 'manchester', membershipId)).rejects.toBeInstanceOf(NotFoundError)
    await expect(services.accounts.removeMember(admin.actor, 'trafford', 'no-such-membership')).rejects.toBeInstanceOf(NotFoundError)
    expect(await snapshot(db)).toEqual(before)
  })
})

describeEachEngine('accounts: API tokens', (ctx) => {
  let admin: Awaited<ReturnType<typeof makeUser>>
  beforeAll(async () => {
    await seedCouncils(ctx().services)
    admin = await makeUser(ctx().services, { org: 'trafford', role: 'admin', name: 'Tina Tokens' })
  })

  it('shows the secret once and keeps only its SHA-256 hash', async () => {
    const { services, db } = ctx()
    const trafford = await services.organisations.getBySlug('trafford')
    const { token, secret } = await services.accounts.createToken(admin.actor, 'trafford', { name: '  Nightly upload  ', scope: 'write' })
    expect(secret).toMatch(/^lgds_[A-Za-z0-9_-]{43}$/)
    expect(token).toMatchObject({ organisationId: trafford.id, name: 'Nightly upload', scope: 'write', prefix: secret.slice(0, 12), lastUsedAt: null, revokedAt: null })
    expect(JSON.stringify(token)).not.toContain(secret)

    const row = await db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow()
    expect(row.token_hash).toBe(sha256Hex(secret))
    expect(row.token_prefix).toBe(secret.slice(0, 12))
    expect(row.created_by).toBe(admin.userId)
    expect(JSON.stringify(row)).not.toContain(secret)

    const listed = await services.accounts.listTokens(admin.actor, 'trafford')
    expect(listed.map((t) => t.id)).toEqual([token.id])
    expect(JSON.stringify(listed)).not.toContain(secret)
    expect(JSON.stringify(listed)).not.toContain(row.token_hash)

    const audit = await auditFor(db, 'api_token', token.id)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'token.create', actor_label: 'Tina Tokens', actor_user_id: admin.userId, organisation_id: trafford.id, before: null })
    expect(audit[0]!.after).toMatchObject({ id: token.id, name: 'Nightly upload', scope: 'write' })
    expect(audit[0]!.after).not.toHaveProperty('token_hash')
  })

  it('acts for its own body with its scope until revoked', async () => {
    const { services, db } = ctx()
    const trafford = await services.organisations.getBySlug('trafford')
    const { token, secret } = await services.accounts.createToken(admin.actor, 'trafford', { name: 'Read only', scope: 'read' })
    const actor = await services.accounts.actorForToken(secret, 'req-123456')
    expect(actor).toEqual<TokenActor>({ kind: 'token', tokenId: token.id, tokenName: 'Read only', organisationId: trafford.id, scope: 'read', requestId: 'req-123456' })
    const used = await db.kysely.selectFrom('api_tokens').select('last_used_at').where('id', '=', token.id).executeTakeFirstOrThrow()
    expect(used.last_used_at).not.toBeNull()

    expect(await services.accounts.actorForToken(`${secret}x`)).toBeUndefined()
    expect(await services.accounts.actorForToken(secret.slice(0, -1))).toBeUndefined()
    expect(await services.accounts.actorForToken(sha256Hex(secret))).toBeUndefined()

    await services.accounts.revokeToken(admin.actor, 'trafford', token.id)
    expect(await services.accounts.actorForToken(secret)).toBeUndefined()
    const row = await db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow()
    expect(row.revoked_at).not.toBeNull()
    expect((await services.accounts.listTokens(admin.actor, 'trafford')).find((t) => t.id === token.id)!.revokedAt).toBe(row.revoked_at)

    const audit = await auditFor(db, 'api_token', token.id)
    expect(audit.map((a) => a.action)).toEqual(['token.create', 'token.revoke'])
    expect(audit[1]).toMatchObject({ actor_user_id: admin.userId, before: { revoked_at: null }, after: { revoked_at: row.revoked_at } })

    // Revoking again changes nothing and records nothing.
    const before = await snapshot(db)
    await services.accounts.revokeToken(admin.actor, 'trafford', token.id)
    expect(await snapshot(db)).toEqual(before)
  })

  it('belongs to one body: another body cannot see, use or revoke it', async () => {
    const { services, db } = ctx()
    const manchester = await services.organisations.getBySlug('manchester')
    const manchesterAdmin = await makeUser(services, { org: 'manchester', role: 'admin' })
    const traffordToken = await services.accounts.createToken(admin.actor, 'trafford', { name: 'Trafford feed', scope: 'write' })
    const manchesterToken = await services.accounts.createToken(manchesterAdmin.actor, 'manchester', { name: 'Manchester feed', scope: 'write' })
    expect((await services.accounts.actorForToken(manchesterToken.secret))!.organisationId).toBe(manchester.id)
    expect((await services.accounts.listTokens(manchesterAdmin.actor, 'manchester')).map((t) => t.id)).toEqual([manchesterToken.token.id])
    expect((await services.accounts.listTokens(admin.actor, 'trafford')).map((t) => t.id)).toContain(traffordToken.token.id)
    expect((await services.accounts.listTokens(admin.actor, 'trafford')).map((t) => t.id)).not.toContain(manchesterToken.token.id)

    const before = await snapshot(db)
    await expect(services.accounts.revokeToken(manchesterAdmin.actor, 'manchester', traffordToken.token.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(services.accounts.revokeToken(manchesterAdmin.actor, 'trafford', traffordToken.token.id)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(services.accounts.revokeToken(admin.actor, 'trafford', 'no-such-token')).rejects.toBeInstanceOf(NotFoundError)
    expect(await snapshot(db)).toEqual(before)
    expect(await services.accounts.actorForToken(traffordToken.secret)).toMatchObject({ tokenId: traffordToken.token.id })
  })

  it('needs a name and a scope', async () => {
    const { services, db } = ctx()
    const before = await snapshot(db)
    expect(Object.keys(await fieldsOf(services.accounts.createToken(admin.actor, 'trafford', {})))).toEqual(['name', 'scope'])
    expect(await fieldsOf(services.accounts.createToken(admin.actor, 'trafford', { name: 'N'.repeat(101), scope: 'admin' }))).toEqual({
      name: 'Name must be 100 characters or fewer',
      scope: 'Select read or write',
    })
    expect(await snapshot(db)).toEqual(before)
  })
})

describeEachEngine('accounts: who may manage members and tokens', (ctx) => {
  interface Cast {
    admin: Actor
    editor: Actor
    plain: Actor
    otherAdmin: Actor
    token: Actor
    editorEmail: string
    editorMembershipId: string
    tokenId: string
  }
  let cast: Cast

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    const admin = await makeUser(services, { org: 'trafford', role: 'admin' })
    const editor = await makeUser(services, { org: 'trafford', role: 'editor' })
    const plain = await makeUser(services)
    const otherAdmin = await makeUser(services, { org: 'manchester', role: 'admin' })
    const created = await services.accounts.createToken(admin.actor, 'trafford', { name: 'Trafford writer', scope: 'write' })
    const token = (await services.accounts.actorForToken(created.secret))!
    const editorMembershipId = (await services.accounts.listMembers(system, 'trafford')).find((m) => m.userId === editor.userId)!.membershipId
    cast = {
      admin: admin.actor,
      editor: editor.actor,
      plain: plain.actor,
      otherAdmin: otherAdmin.actor,
      token,
      editorEmail: editor.email,
      editorMembershipId,
      tokenId: created.token.id,
    }
  })

  type Caller = 'anonymous' | 'plain' | 'editor' | 'otherAdmin' | 'token'
  const actorFor = (who: Caller): Actor => (who === 'anonymous' ? anonymous : cast[who])

  const adminOnly: { name: string; run: (actor: Actor) => Promise<unknown> }[] = [
    { name: 'addMember', run: (actor) => ctx().services.accounts.addMember(actor, 'trafford', { email: cast.editorEmail, role: 'admin' }) },
    { name: 'addMember (a new member)', run: (actor) => ctx().services.accounts.addMember(actor, 'trafford', { email: 'x@example.gov.uk', role: 'admin' }) },
    { name: 'removeMember', run: (actor) => ctx().services.accounts.removeMember(actor, 'trafford', cast.editorMembershipId) },
    { name: 'createToken', run: (actor) => ctx().services.accounts.createToken(actor, 'trafford', { name: 'Sneaky', scope: 'write' }) },
    { name: 'revokeToken', run: (actor) => ctx().services.accounts.revokeToken(actor, 'trafford', cast.tokenId) },
    { name: 'listTokens', run: (actor) => ctx().services.accounts.listTokens(actor, 'trafford') },
  ]
  const expected: Record<Caller, typeof UnauthenticatedError | typeof ForbiddenError> = {
    anonymous: UnauthenticatedError,
    plain: ForbiddenError,
    editor: ForbiddenError,
    otherAdmin: ForbiddenError,
    token: ForbiddenError,
  }

  for (const action of adminOnly) {
    it(`${action.name}: refused to anyone but the body’s admins, changing nothing`, async () => {
      const { db } = ctx()
      const before = await snapshot(db)
      for (const who of Object.keys(expected) as Caller[]) {
        const error = await action.run(actorFor(who)).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(error, `${action.name} by ${who}`).toBeInstanceOf(expected[who])
      }
      expect(await snapshot(db)).toEqual(before)
    })
  }

  it('listMembers: open to the body’s own members only', async () => {
    const { services, db } = ctx()
    const before = await snapshot(db)
    await expect(services.accounts.listMembers(anonymous, 'trafford')).rejects.toBeInstanceOf(UnauthenticatedError)
    await expect(services.accounts.listMembers(cast.token, 'trafford')).rejects.toBeInstanceOf(UnauthenticatedError)
    await expect(services.accounts.listMembers(cast.plain, 'trafford')).rejects.toBeInstanceOf(ForbiddenError)
    await expect(services.accounts.listMembers(cast.otherAdmin, 'trafford')).rejects.toBeInstanceOf(ForbiddenError)
    expect(await snapshot(db)).toEqual(before)
    expect((await services.accounts.listMembers(cast.editor, 'trafford')).length).toBe(2)
    expect((await services.accounts.listMembers(cast.admin, 'trafford')).length).toBe(2)
  })

  it('a platform admin may manage any body', async () => {
    const { services } = ctx()
    const platformAdmin = await makeUser(services, { platformAdmin: true })
    const created = await services.accounts.createToken(platformAdmin.actor, 'manchester', { name: 'By the platform', scope: 'read' })
    expect(created.token.name).toBe('By the platform')
    expect((await services.accounts.listMembers(platformAdmin.actor, 'manchester')).length).toBe(1)
  })
})

describeEachEngine('accounts: the audit log keeps no secrets', (ctx) => {
  it('holds no password, password hash, token or token hash after every kind of write', async () => {
    const { services, db } = ctx()
    await seedCouncils(services, ['trafford'])
    const newPassword = 'tangerine bicycle orchestra'
    const admin = await makeUser(services, { org: 'trafford', role: 'admin' })
    const person = await services.accounts.signUp(anonymous, { name: 'Audit Person', email: 'audit.person@example.gov.uk', password: PASSWORD })
    const personActor = (await services.accounts.actorForUser(person.id))!
    await services.accounts.changePassword(personActor, { currentPassword: PASSWORD, newPassword })
    const member = await services.accounts.addMember(admin.actor, 'trafford', { email: person.email, role: 'editor' })
    await services.accounts.addMember(admin.actor, 'trafford', { email: person.email, role: 'admin' })
    await services.accounts.removeMember(admin.actor, 'trafford', member.membershipId)
    const { token, secret } = await services.accounts.createToken(admin.actor, 'trafford', { name: 'Secret keeper', scope: 'write' })
    await services.accounts.actorForToken(secret)
    await services.accounts.revokeToken(admin.actor, 'trafford', token.id)
    await services.accounts.setPlatformAdmin(system, person.id, true)

    const users = await db.kysely.selectFrom('users').select('password_hash').execute()
    const tokens = await db.kysely.selectFrom('api_tokens').select('token_hash').execute()
    const audit = await db.kysely.selectFrom('audit_log').selectAll().execute()
    expect(new Set(audit.map((a) => a.action))).toEqual(
      new Set(['user.create', 'user.change-password', 'membership.create', 'membership.update', 'membership.delete', 'token.create', 'token.revoke', 'user.platform-admin', 'organisation.create']),
    )
    const everything = JSON.stringify(audit)
    const forbidden = [PASSWORD, newPassword, secret, 'scrypt$', ...users.map((u) => u.password_hash), ...tokens.map((t) => t.token_hash)]
    for (const text of forbidden) expect(everything, `audit log contains ${text}`).not.toContain(text)
    for (const row of audit) {
      for (const json of [row.before_json, row.after_json]) {
        if (json === null) continue
        expect(json).not.toMatch(/"(password_hash|passwordHash|token_hash|tokenHash|password|secret)"/)
      }
    }
  })
})
