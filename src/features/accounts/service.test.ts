import { describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../../../test/support/fixtures.js'
import { anonymous } from '../../platform/actor.js'
import { ForbiddenError, UnauthenticatedError } from '../../platform/errors.js'
import { passwordProblem } from './password-policy.js'

import { snapshot } from '../../../test/support/snapshot.js'
import { auditFor, fieldsOf, SCRYPT_HASH } from '../../../test/support/accounts.js'


describe('the password policy', () => {
  it('asks for a length, refuses common and guessable passwords, and passwords holding the email', () => {
    expect(passwordProblem('')).toBe('Enter a password')
    expect(passwordProblem('short')).toMatch(/10 characters or more/)
    expect(passwordProblem('x'.repeat(257))).toMatch(/256 characters or fewer/)
    for (const common of ['password123', 'qwertyuiop', 'Password123', '1234567890', 'aaaaaaaaaaaa', 'abcdefghijkl']) {
      expect(passwordProblem(common), common).toMatch(/too common/)
    }
    expect(passwordProblem('jo.bloggs likes tea', { email: 'jo.bloggs@example.gov.uk' })).toBe('Password must not contain your email address')
    expect(passwordProblem('JO.BLOGGS likes tea', { email: 'Jo.Bloggs@example.gov.uk' })).toBe('Password must not contain your email address')
    expect(passwordProblem(PASSWORD, { email: 'jo.bloggs@example.gov.uk' })).toBeUndefined()
  })
})

describeEachEngine('accounts: signing up and signing in', (ctx) => {
  it('creates an account, storing an scrypt hash and never the password, and records it', async () => {
    const { services, db } = ctx()
    const user = await services.accounts.signUp(anonymous, { name: '  Jo Bloggs  ', email: ' Jo.Bloggs@Example.GOV.uk ', password: PASSWORD })
    expect(user).toMatchObject({ name: 'Jo Bloggs', email: 'jo.bloggs@example.gov.uk', isPlatformAdmin: false })
    const row = await db.kysely.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.password_hash).toMatch(SCRYPT_HASH)
    expect(row.password_hash).not.toContain(PASSWORD)
    expect(JSON.stringify(row)).not.toContain(PASSWORD)
    expect(row.is_platform_admin).toBe(0)

    // A fresh salt each time: the same password never gives the same hash.
    const other = await services.accounts.signUp(anonymous, { name: 'Sam Other', email: 'sam.other@example.gov.uk', password: PASSWORD })
    const otherRow = await db.kysely.selectFrom('users').select('password_hash').where('id', '=', other.id).executeTakeFirstOrThrow()
    expect(otherRow.password_hash).toMatch(SCRYPT_HASH)
    expect(otherRow.password_hash).not.toBe(row.password_hash)

    const audit = await auditFor(db, 'user', user.id)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'user.create', actor_label: 'Jo Bloggs', actor_user_id: user.id, organisation_id: null, before: null })
    expect(audit[0]!.after).toMatchObject({ id: user.id, email: 'jo.bloggs@example.gov.uk', name: 'Jo Bloggs' })
    expect(audit[0]!.after).not.toHaveProperty('password_hash')
    expect(audit[0]!.after_json).not.toContain(row.password_hash)
  })

  it('reports every problem with the name, email and password at once, and stores nothing', async () => {
    const { services, db } = ctx()
    const before = await snapshot(db)
    expect(await fieldsOf(services.accounts.signUp(anonymous, {}))).toEqual({
      name: 'Enter your full name',
      email: 'Enter your email address',
      password: 'Enter a password',
    })
    expect(await fieldsOf(services.accounts.signUp(anonymous, { name: '   ', email: '   ', password: '' }))).toEqual({
      name: 'Enter your full name',
      email: 'Enter your email address',
      password: 'Enter a password',
    })
    const tooLong = await fieldsOf(services.accounts.signUp(anonymous, { name: 'N'.repeat(201), email: 'not-an-email', password: 'short' }))
    expect(tooLong).toEqual({
      name: 'Name must be 200 characters or fewer',
      email: 'Enter an email address in the correct format, like name@example.gov.uk',
      password: 'Password must be 10 characters or more',
    })
    expect(Object.keys(await fieldsOf(services.accounts.signUp(anonymous, { name: 'N', email: `${'a'.repeat(250)}@example.gov.uk`, password: PASSWORD })))).toEqual(['email'])
    for (const common of ['password123', 'qwertyuiop', 'iloveyou12']) {
      const fields = await fieldsOf(services.accounts.signUp(anonymous, { name: 'Common Person', email: 'common@example.gov.uk', password: common }))
      expect(fields, common).toEqual({ password: 'That password is too common and easy to guess. Try three random words' })
    }
    const withEmail = await fieldsOf(services.accounts.signUp(anonymous, { name: 'Pat', email: 'pat.smith@example.gov.uk', password: 'I am pat.smith, hello' }))
    expect(withEmail).toEqual({ password: 'Password must not contain your email address' })
    expect(await snapshot(db)).toEqual(before)
  })

  it('refuses a second account for the same email, whatever its case', async () => {
    const { services, db } = ctx()
    await services.accounts.signUp(anonymous, { name: 'First', email: 'Dup.Licate@Example.gov.uk', password: PASSWORD })
    const before = await snapshot(db)
    for (const email of ['dup.licate@example.gov.uk', 'DUP.LICATE@EXAMPLE.GOV.UK', '  Dup.Licate@example.GOV.uk ']) {
      const fields = await fieldsOf(services.accounts.signUp(anonymous, { name: 'Second', email, password: 'another long passphrase' }))
      expect(fields.email).toMatch(/already exists/)
    }
    expect(await snapshot(db)).toEqual(before)
    expect(before.users.filter((u) => u.email === 'dup.licate@example.gov.uk')).toHaveLength(1)
  })

  it('lets only a platform admin create another platform admin', async () => {
    const { services, db } = ctx()
    const plain = await makeUser(services)
    const before = await snapshot(db)
    const input = { name: 'Would Be Admin', email: 'wannabe@example.gov.uk', password: PASSWORD }
    await expect(services.accounts.signUp(anonymous, input, { platformAdmin: true })).rejects.toBeInstanceOf(UnauthenticatedError)
    await expect(services.accounts.signUp(plain.actor, input, { platformAdmin: true })).rejects.toBeInstanceOf(ForbiddenError)
    expect(await snapshot(db)).toEqual(before)
    const admin = await services.accounts.signUp(system, input, { platformAdmin: true })
    expect(admin.isPlatformAdmin).toBe(true)
  })

  it('authenticates the right password only, and says nothing more for an unknown email', async () => {
    const { services } = ctx()
    const created = await services.accounts.signUp(anonymous, { name: 'Sign In', email: 'sign.in@example.gov.uk', password: PASSWORD })
    expect(await services.accounts.authenticate('sign.in@example.gov.uk', PASSWORD)).toMatchObject({ id: created.id, email: 'sign.in@example.gov.uk' })
    expect(await services.accounts.authenticate('  SIGN.IN@example.GOV.UK ', PASSWORD)).toMatchObject({ id: created.id })
    expect(await services.accounts.authenticate('sign.in@example.gov.uk', 'correct horse battery stapler')).toBeUndefined()
    expect(await services.accounts.authenticate('sign.in@example.gov.uk', PASSWORD.toUpperCase())).toBeUndefined()
    expect(await services.accounts.authenticate('sign.in@example.gov.uk', '')).toBeUndefined()
    expect(await services.accounts.authenticate('nobody@example.gov.uk', PASSWORD)).toBeUndefined()
  })
})

describeEachEngine('accounts: changing a password', (ctx) => {
  it('needs the current password and a different, acceptable new one', async () => {
    const { services, db } = ctx()
    const person = await makeUser(services)
    const before = await snapshot(db)
    expect(await fieldsOf(services.accounts.changePassword(person.actor, { currentPassword: 'not my password', newPassword: 'a brand new passphrase' }))).toEqual({
      currentPassword: 'Your current password is not correct',
    })
    expect(await fieldsOf(services.accounts.changePassword(person.actor, { currentPassword: PASSWORD, newPassword: PASSWORD }))).toEqual({
      newPassword: 'New password must be different from your current password',
    })
    expect(await fieldsOf(services.accounts.changePassword(person.actor, { currentPassword: PASSWORD, newPassword: 'password123' }))).toEqual({
      newPassword: 'That password is too common and easy to guess. Try three random words',
    })
    const localPart = person.email.split('@')[0]!
    expect(await fieldsOf(services.accounts.changePassword(person.actor, { currentPassword: PASSWORD, newPassword: `my ${localPart} secret` }))).toEqual({
      newPassword: 'Password must not contain your email address',
    })
    expect(await fieldsOf(services.accounts.changePassword(person.actor, {}))).toEqual({
      currentPassword: 'Enter your current password',
      newPassword: 'Enter a password',
    })
    expect(await snapshot(db)).toEqual(before)
  })

  it('changes it, so only the new one works, and records that it changed but not what to', async () => {
    const { services, db } = ctx()
    const person = await makeUser(services)
    const oldHash = (await db.kysely.selectFrom('users').select('password_hash').where('id', '=', person.userId).executeTakeFirstOrThrow()).password_hash
    const newPassword = 'purple elephant marmalade'
    await services.accounts.changePassword(person.actor, { currentPassword: PASSWORD, newPassword })
    const newHash = (await db.kysely.selectFrom('users').select('password_hash').where('id', '=', person.userId).executeTakeFirstOrThrow()).password_hash
    expect(newHash).toMatch(SCRYPT_HASH)
    expect(newHash).not.toBe(oldHash)
    expect(newHash).not.toContain(newPassword)
    expect(await services.accounts.authenticate(person.email, PASSWORD)).toBeUndefined()
    expect(await services.accounts.authenticate(person.email, newPassword)).toMatchObject({ id: person.userId })

    const audit = (await auditFor(db, 'user', person.userId)).filter((r) => r.action === 'user.change-password')
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_user_id: person.userId, before: { password_changed: false }, after: { password_changed: true } })
    for (const text of [oldHash, newHash, newPassword, PASSWORD]) {
      expect(`${audit[0]!.before_json}${audit[0]!.after_json}`).not.toContain(text)
    }
  })

  it('refuses anyone who is not signed in as a person, changing nothing', async () => {
    const { services, db } = ctx()
    await seedCouncils(services, ['trafford'])
    const admin = await makeUser(services, { org: 'trafford', role: 'admin' })
    const { secret } = await services.accounts.createToken(admin.actor, 'trafford', { name: 'Robot', scope: 'write' })
    const token = (await services.accounts.actorForToken(secret))!
    const before = await snapshot(db)
    const input = { currentPassword: PASSWORD, newPassword: 'another fine passphrase' }
    await expect(services.accounts.changePassword(anonymous, input)).rejects.toBeInstanceOf(UnauthenticatedError)
    await expect(services.accounts.changePassword(token, input)).rejects.toBeInstanceOf(UnauthenticatedError)
    expect(await snapshot(db)).toEqual(before)
  })
})
