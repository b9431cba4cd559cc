import { createHash } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../../../test/support/fixtures.js'
import { appWith, WebClient, csrfOf, errorSummary } from '../../../test/support/web.js'
import { SESSION_COOKIE } from '../../platform/security.js'

function sessionSetCookie(response: LightMyRequestResponse): string | undefined {
  const raw = response.headers['set-cookie']
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : []
  return list.find((c) => c.startsWith(`${SESSION_COOKIE}=`))
}

function sessionCookieValue(response: LightMyRequestResponse): string | undefined {
  return (response.cookies as { name: string; value: string }[]).find((c) => c.name === SESSION_COOKIE)?.value
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describeEachEngine('account pages', (ctx) => {
  let app: FastifyInstance
  let admin: Awaited<ReturnType<typeof makeUser>>

  beforeAll(async () => {
    await seedCouncils(ctx().services)
    admin = await makeUser(ctx().services, { org: 'trafford', role: 'admin', name: 'Ada Admin' })
    app = await appWith(ctx())
  })
  afterAll(async () => {
    await app?.close()
  })

  // ---- sign up ----

  it('signs a new person up, signs them in with a new session and shows their account', async () => {
    const client = new WebClient(app)
    const form = await client.get('/sign-up')
    expect(form.statusCode).toBe(200)
    const anonymousSession = client.cookie(SESSION_COOKIE)
    expect(anonymousSession).toBeDefined()

    const response = await client.submit('/sign-up', '/sign-up', { name: 'Jo Bloggs', email: 'Jo.Bloggs@Example.gov.uk', password: PASSWORD })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/account')
    expect(client.cookie(SESSION_COOKIE)).toBeDefined()
    expect(client.cookie(SESSION_COOKIE)).not.toBe(anonymousSession)

    const account = await client.get('/account')
    expect(account.statusCode).toBe(200)
    expect(account.body).toContain('Your account has been created and you are signed in')
    expect(account.body).toContain('Jo Bloggs')
    expect(account.body).toContain('jo.bloggs@example.gov.uk')
    const row = await ctx().db.kysely.selectFrom('users').selectAll().where('email', '=', 'jo.bloggs@example.gov.uk').executeTakeFirst()
    expect(row?.name).toBe('Jo Bloggs')
  })

  it('shows sign-up errors the GOV.UK way, keeping the name and email but never the password', async () => {
    const client = new WebClient(app)
    const response = await client.submit('/sign-up', '/sign-up', { name: 'Jo Mistaken', email: 'not-an-email', password: 'password123' })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    const html = response.body
    expect(html).toContain('<title>Error: Create an account – LGDS</title>')
    expect(html).toContain('govuk-error-summary')
    const summary = errorSummary(html)!
    expect(summary).toContain('There is a problem')
    expect(summary).toContain('<a href="#email">Enter an email address in the correct format, like name@example.gov.uk</a>')
    expect(summary).toContain('<a href="#password">That password is too common and easy to guess. Try three random words</a>')
    expect(summary).not.toContain('#name')
    expect(html).toMatch(/<p id="email-error" class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:<\/span> Enter an email address in the correct format/)
    expect(html).toMatch(/<p id="password-error" class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:<\/span> That password is too common/)
    expect(html).toMatch(/<input[^>]* id="name" name="name"[^>]* value="Jo Mistaken"/)
    expect(html).toMatch(/<input[^>]* id="email" name="email"[^>]* value="not-an-email"/)
    expect(html).toMatch(/<input[^>]* id="password" name="password" type="password"(?![^>]*value=)[^>]*>/)
    expect(html).not.toContain('password123')
    expect(await ctx().db.kysely.selectFrom('users').select('id').where('name', '=', 'Jo Mistaken').executeTakeFirst()).toBeUndefined()
    expect((await client.get('/account')).statusCode).toBe(401)

    const empty = await client.submit('/sign-up', '/sign-up', { name: '', email: '', password: '' })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('<a href="#name">Enter your full name</a>')
    expect(empty.body).toContain('<a href="#email">Enter your email address</a>')
    expect(empty.body).toContain('<a href="#password">Enter a password</a>')

    // The same email again, in another case, is refused.
    const taken = await client.submit('/sign-up', '/sign-up', { name: 'Copy Cat', email: admin.email.toUpperCase(), password: 'a perfectly fine passphrase' })
    expect(taken.statusCode).toBe(400)
    expect(errorSummary(taken.body)).toContain('An account already exists with that email address')
    expect(taken.body).not.toContain('a perfectly fine passphrase')
  })

  // ---- sign in ----

  it('refuses a wrong password with a message that does not say whether the email exists', async () => {
    const client = new WebClient(app)
    const wrongPassword = await client.submit('/sign-in', '/sign-in', { email: admin.email, password: 'not the right password' })
    const unknownEmail = await client.submit('/sign-in', '/sign-in', { email: 'nobody.at.all@example.gov.uk', password: 'not the right password' })
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.statusCode).toBe(400)
      expect(errorSummary(response.body)).toContain('<a href="#email">Enter a correct email address and password</a>')
      expect(response.body).not.toContain('not the right password')
      expect(errorSummary(response.body)).not.toMatch(/no account|not registered|does not exist|unknown/i)
    }
    expect(errorSummary(wrongPassword.body)).toBe(errorSummary(unknownEmail.body))
    expect(wrongPassword.body).toContain(`value="${admin.email}"`)
    expect((await client.get('/account')).statusCode).toBe(401)

    const missing = await client.submit('/sign-in', '/sign-in', { email: '', password: '' })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('<a href="#email">Enter your email address</a>')
    expect(missing.body).toContain('<a href="#password">Enter your password</a>')
  })

  it('gives a new session id at sign-in, in an HttpOnly SameSite=Lax cookie, and the old id is worthless', async () => {
    const client = new WebClient(app)
    const form = await client.get('/sign-in')
    const planted = client.cookie(SESSION_COOKIE)!
    expect(planted).toBeTruthy()
    expect(sessionSetCookie(form)).toMatch(/; HttpOnly/)

    const response = await client.signIn(admin.email, PASSWORD)
    expect(response.headers.location).toBe('/account')
    const cookie = sessionSetCookie(response)!
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Lax/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/; Secure/) // plain HTTP with no proxy
    const current = client.cookie(SESSION_COOKIE)!
    expect(current).not.toBe(planted)
    expect(current.split('.')[0]).not.toBe(planted.split('.')[0])

    const account = await client.get('/account')
    expect(account.statusCode).toBe(200)
    expect(account.body).toContain('Ada Admin')
    const withPlanted = await app.inject({ url: '/account', headers: { cookie: `${SESSION_COOKIE}=${planted}` } })
    expect(withPlanted.statusCode).toBe(401)
    // Only a hash of the id is kept.
    const rows = await ctx().db.kysely.selectFrom('sessions').selectAll().execute()
    expect(rows.some((r) => r.id_hash === sha256(current.split('.')[0]!))).toBe(true)
    expect(JSON.stringify(rows)).not.toContain(current.split('.')[0])
  })

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const proxied = await appWith(ctx(), { TRUST_PROXY: 'true' })
    try {
      const https = { 'x-forwarded-proto': 'https' }
      const form = await proxied.inject({ url: '/sign-in', headers: https })
      expect(sessionSetCookie(form)).toMatch(/; Secure/)
      const planted = sessionCookieValue(form)!
      const response = await proxied.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { ...https, cookie: `${SESSION_COOKIE}=${planted}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfOf(form.body), email: admin.email, password: PASSWORD }).toString(),
      })
      expect(response.statusCode).toBe(303)
      const cookie = sessionSetCookie(response)!
      expect(cookie).toMatch(/; Secure/)
      expect(cookie).toMatch(/; HttpOnly/)
      expect(cookie).toMatch(/; SameSite=Lax/)
      expect(sessionCookieValue(response)).not.toBe(planted)
    } finally {
      await proxied.close()
    }
    // Without TRUST_PROXY the header is anyone's to send, so it is ignored.
    const direct = await app.inject({ url: '/sign-in', headers: { 'x-forwarded-proto': 'https' } })
    expect(sessionSetCookie(direct)).toBeDefined()
    expect(sessionSetCookie(direct)).not.toMatch(/; Secure/)
  })

  it('signs out by destroying the session, so the old cookie no longer signs anyone in', async () => {
    const client = new WebClient(app)
    await client.signIn(admin.email, PASSWORD)
    const cookie = client.cookie(SESSION_COOKIE)!
    const idHash = sha256(cookie.split('.')[0]!)
    expect(await ctx().db.kysely.selectFrom('sessions').select('id_hash').where('id_hash', '=', idHash).executeTakeFirst()).toBeDefined()

    const response = await client.submit('/account', '/sign-out', {})
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/')
    expect(await ctx().db.kysely.selectFrom('sessions').select('id_hash').where('id_hash', '=', idHash).executeTakeFirst()).toBeUndefined()
    const replay = await app.inject({ url: '/account', headers: { cookie: `${SESSION_COOKIE}=${cookie}` } })
    expect(replay.statusCode).toBe(401)
    expect(replay.body).toContain('You need to sign in')
    const home = await app.inject({ url: '/', headers: { cookie: `${SESSION_COOKIE}=${cookie}` } })
    expect(home.body).not.toContain('Sign out')
    expect(home.body).not.toContain('Ada Admin')
  })

  it('limits sign-in attempts, with a clear message', async () => {
    const limited = await appWith(ctx(), { SIGN_IN_RATE_LIMIT: '3' })
    try {
      const client = new WebClient(limited)
      for (let i = 1; i <= 3; i++) {
        const attempt = await client.submit('/sign-in', '/sign-in', { email: admin.email, password: `wrong password ${i}` })
        expect(attempt.statusCode, `attempt ${i}`).toBe(400)
      }
      const fourth = await client.submit('/sign-in', '/sign-in', { email: admin.email, password: PASSWORD })
      expect(fourth.statusCode).toBe(429)
      expect(fourth.headers['content-type']).toMatch(/^text\/html/)
      expect(fourth.body).toContain('Too many sign-in attempts')
      expect(fourth.body).toMatch(/Wait \d+ minutes?, then try again/)
      expect(fourth.headers['retry-after']).toBeDefined()
      // Even the right password got nowhere.
      expect((await client.get('/account')).statusCode).toBe(401)
    } finally {
      await limited.close()
    }
  })

  it('follows ?next= to a page of this site only', async () => {
    const client = new WebClient(app)
    const form = await client.get('/sign-in?next=/organisations/trafford/members')
    expect(form.body).toContain('<input type="hidden" name="next" value="/organisations/trafford/members">')
    const response = await client.post('/sign-in', { _csrf: csrfOf(form.body), next: '/organisations/trafford/members', email: admin.email, password: PASSWORD })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/organisations/trafford/members')

    // The sign-in link on a "You need to sign in" page comes back to where the person was.
    const anonymousPage = await new WebClient(app).get('/organisations/trafford/members')
    expect(anonymousPage.statusCode).toBe(401)
    expect(anonymousPage.body).toContain('href="/sign-in?next=%2Forganisations%2Ftrafford%2Fmembers"')

    for (const evil of ['//evil.example', 'https://evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', '/\n/evil.example', 'javascript:alert(1)']) {
      const visitor = new WebClient(app)
      const page = await visitor.get(`/sign-in?next=${encodeURIComponent(evil)}`)
      expect(page.body, JSON.stringify(evil)).not.toContain('name="next"')
      // A forged form sending it anyway is not followed either.
      const signedIn = await visitor.post('/sign-in', { _csrf: csrfOf(page.body), next: evil, email: admin.email, password: PASSWORD })
      expect(signedIn.statusCode, JSON.stringify(evil)).toBe(303)
      expect(signedIn.headers.location, JSON.stringify(evil)).toBe('/account')
    }
  })

  // ---- your account ----

  it('changes the password, keeping the person signed in on a new session id', async () => {
    const person = await makeUser(ctx().services, { name: 'Pat Password' })
    const client = new WebClient(app)
    await client.signIn(person.email, PASSWORD)
    const wrong = await client.submit('/account/password', '/account/password', { currentPassword: 'not it at all', newPassword: 'lemon giraffe umbrella' })
    expect(wrong.statusCode).toBe(400)
    expect(errorSummary(wrong.body)).toContain('<a href="#currentPassword">Your current password is not correct</a>')
    expect(wrong.body).not.toContain('lemon giraffe umbrella')
    expect(wrong.body).not.toContain('not it at all')

    const before = client.cookie(SESSION_COOKIE)
    const changed = await client.submit('/account/password', '/account/password', { currentPassword: PASSWORD, newPassword: 'lemon giraffe umbrella' })
    expect(changed.statusCode).toBe(303)
    expect(changed.headers.location).toBe('/account')
    expect(client.cookie(SESSION_COOKIE)).not.toBe(before)
    const account = await client.get('/account')
    expect(account.statusCode).toBe(200)
    expect(account.body).toContain('Your password has been changed')
    expect(await ctx().services.accounts.authenticate(person.email, 'lemon giraffe umbrella')).toMatchObject({ id: person.userId })
    expect(await ctx().services.accounts.authenticate(person.email, PASSWORD)).toBeUndefined()
  })

})
