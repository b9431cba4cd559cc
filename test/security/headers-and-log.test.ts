import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { SESSION_COOKIE } from '../../src/platform/security.js'
import { describeEachEngine, openTestDatabase, testConfig } from '../support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../support/fixtures.js'
import { appWith, WebClient, csrfOf } from '../support/web.js'

/*
 * Security, checked from the outside through HTTP: headers, error pages, the API's error format
 * and health, and a log that keeps no secrets.
 */

describeEachEngine('security: headers, error pages and the API', (ctx) => {
  let app: FastifyInstance

  beforeAll(async () => {
    await seedCouncils(ctx().services)
    app = await appWith(ctx())
  })
  afterAll(async () => {
    await app?.close()
  })

  function directives(response: LightMyRequestResponse): Map<string, string> {
    const csp = String(response.headers['content-security-policy'] ?? '')
    return new Map(
      csp
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => [d.split(/\s+/)[0]!, d.slice(d.indexOf(' ') + 1)]),
    )
  }

  it('sends a nonce-based Content-Security-Policy, and the page’s inline script carries that nonce', async () => {
    for (const url of ['/', '/sign-in', '/organisations']) {
      const page = await app.inject({ url })
      expect(page.statusCode, url).toBe(200)
      const csp = directives(page)
      const scriptSrc = csp.get('script-src')!
      const nonce = /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(scriptSrc)?.[1]
      expect(nonce, url).toBeDefined()
      expect(scriptSrc).not.toContain("'unsafe-inline'")
      expect(scriptSrc).not.toContain("'unsafe-eval'")
      expect(csp.get('frame-ancestors')).toBe("'none'")
      expect(csp.get('object-src')).toBe("'none'")
      expect(csp.get('default-src')).toBe("'self'")
      const inline = [...page.body.matchAll(/<script\b([^>]*)>/g)].filter((m) => !/\bsrc=/.test(m[1]!))
      expect(inline.length, url).toBeGreaterThan(0)
      for (const tag of inline) expect(tag[1], url).toContain(`nonce="${nonce}"`)
      expect(page.headers['x-content-type-options']).toBe('nosniff')
      expect(page.headers['referrer-policy']).toBe('strict-origin-when-cross-origin')
      expect(page.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(page.headers['strict-transport-security']).toBeUndefined() // BASE_URL is http here
    }
    const first = /'nonce-([^']+)'/.exec(directives(await app.inject({ url: '/' })).get('script-src')!)![1]
    const second = /'nonce-([^']+)'/.exec(directives(await app.inject({ url: '/' })).get('script-src')!)![1]
    expect(first).not.toBe(second)

    const api = await app.inject({ url: '/api/v1/organisations' })
    expect(api.headers['x-content-type-options']).toBe('nosniff')
  })

  it('asks browsers to use HTTPS only when the site is served over HTTPS', async () => {
    const https = await appWith(ctx(), { BASE_URL: 'https://lgds.example' })
    try {
      const page = await https.inject({ url: '/' })
      expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
      expect(directives(page).has('upgrade-insecure-requests')).toBe(true)
    } finally {
      await https.close()
    }
  })

  it('answers an unexpected error with a page or problem that leaks nothing', async () => {
    const broken = await appWith(ctx())
    try {
      const failure = () => {
        const error = new Error('connection to db failed: password=hunter2 at /srv/lgds/src/secret.ts:12:3')
        ;(error as Error & { code?: string }).code = 'ESECRET'
        throw error
      }
      broken.get('/explode', async () => failure())
      broken.get('/api/v1/explode', async () => failure())
      await broken.ready()

      const page = await broken.inject({ url: '/explode' })
      expect(page.statusCode).toBe(500)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.body).toContain('Sorry, there is a problem with the service')
      for (const leak of ['hunter2', 'Error:', 'secret.ts', '/srv/', 'ESECRET', 'node_modules', '    at ']) {
        expect(page.body, leak).not.toContain(leak)
      }
      expect(page.body).not.toMatch(/\/[\w.-]+\/[\w.-]+\.(ts|js|mjs):\d+/)

      const api = await broken.inject({ url: '/api/v1/explode' })
      expect(api.statusCode).toBe(500)
      expect(api.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(api.json()).toEqual({
        type: 'about:blank',
        title: 'Internal server error',
        status: 500,
        detail: 'Something went wrong. Try again later.',
        instance: '/api/v1/explode',
      })
      for (const leak of ['hunter2', 'stack', 'secret.ts', 'ESECRET']) expect(api.body, leak).not.toContain(leak)
    } finally {
      await broken.close()
    }
  })

  it('refuses an over-large page size with a problem naming the field', async () => {
    for (const query of ['pageSize=1000', 'pageSize=0', 'pageSize=lots']) {
      const response = await app.inject({ url: `/api/v1/organisations?${query}` })
      expect(response.statusCode, query).toBe(400)
      expect(response.headers['content-type'], query).toMatch(/^application\/problem\+json/)
      const problem = response.json<{ status: number; title: string; errors: { name: string; message: string }[] }>()
      expect(problem).toMatchObject({ status: 400, title: 'Validation failed', instance: '/api/v1/organisations' })
      expect(problem.errors.map((e) => e.name), query).toEqual(['pageSize'])
    }
    const fine = await app.inject({ url: '/api/v1/organisations?pageSize=100' })
    expect(fine.statusCode).toBe(200)
    expect(fine.json()).toMatchObject({ total: 3, pageSize: 100 })
  })

  it('answers unknown API addresses and bad tokens with problem+json', async () => {
    const missing = await app.inject({ url: '/api/v1/no-such-thing' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(missing.json()).toMatchObject({ status: 404, title: 'Not found', instance: '/api/v1/no-such-thing' })

    const page404 = await app.inject({ url: '/no-such-page' })
    expect(page404.statusCode).toBe(404)
    expect(page404.headers['content-type']).toMatch(/^text\/html/)
    expect(page404.body).toContain('Page not found')

    for (const authorization of ['Bearer lgds_not-a-real-token', 'Bearer ', 'Basic dXNlcjpwYXNz', 'lgds_no-scheme']) {
      for (const url of ['/api/v1/me', '/api/v1/organisations']) {
        const response = await app.inject({ url, headers: { authorization } })
        expect(response.statusCode, `${authorization} on ${url}`).toBe(401)
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(response.json()).toMatchObject({ status: 401, title: 'Unauthorised', instance: url })
      }
    }
    const noToken = await app.inject({ url: '/api/v1/me' })
    expect(noToken.statusCode).toBe(401)
    expect(noToken.json()).toMatchObject({ status: 401, detail: 'Send an API token as Authorization: Bearer …' })
  })

  it('publishes an OpenAPI 3 document of the API', async () => {
    const response = await app.inject({ url: '/api/v1/openapi.json' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    const doc = response.json<{
      openapi: string
      info: { title: string; version: string }
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown>; security?: unknown[] }>>
      components: { securitySchemes: Record<string, { type: string; scheme: string }> }
    }>()
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
    expect(doc.info).toMatchObject({ title: 'LGDS API', version: '1' })
    const list = doc.paths['/api/v1/organisations']?.get
    expect(list).toBeDefined()
    expect(list!.parameters!.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(expect.arrayContaining(['q', 'page', 'pageSize']))
    expect(Object.keys(list!.responses)).toEqual(expect.arrayContaining(['200', '400']))
    expect(doc.paths['/api/v1/organisations/{slug}']?.get).toBeDefined()
    expect(doc.paths['/api/v1/me']?.get?.security).toEqual([{ bearerToken: [] }])
    expect(doc.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' })
    // Internal routes are not advertised.
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/api/v1/'))).toBe(true)
    expect(doc.paths['/api/v1/openapi.json']).toBeUndefined()
  })

  it('reports liveness, and readiness that follows the database', async () => {
    const health = await app.inject({ url: '/health' })
    expect(health.statusCode).toBe(200)
    expect(health.json()).toEqual({ status: 'ok' })

    const opened = await openTestDatabase(ctx().engine)
    const config = testConfig()
    const lonely = await buildApp({ config, db: opened.db })
    try {
      const ready = await lonely.inject({ url: '/ready' })
      expect(ready.statusCode).toBe(200)
      expect(ready.json()).toEqual({ status: 'ok' })
      await opened.db.close()
      const down = await lonely.inject({ url: '/ready' })
      expect(down.statusCode).toBe(503)
      expect(down.json()).toEqual({ status: 'database unavailable' })
      // Liveness does not depend on the database.
      expect((await lonely.inject({ url: '/health' })).statusCode).toBe(200)
    } finally {
      await lonely.close()
      await opened.drop()
    }
  })
})

describeEachEngine('security: the log keeps no secrets', (ctx) => {
  it('logs requests but never a password, token, CSRF token or session cookie', async () => {
    const { services } = ctx()
    await seedCouncils(services, ['trafford'])
    const admin = await makeUser(services, { org: 'trafford', role: 'admin' })
    const lines: string[] = []
    const app = await appWith(ctx(), { LOG_LEVEL: 'trace' }, { write: (line) => void lines.push(line) })
    const secrets: string[] = [PASSWORD]
    try {
      const client = new WebClient(app)
      const form = await client.get('/sign-in')
      secrets.push(client.cookie(SESSION_COOKIE)!, csrfOf(form.body))
      const wrong = 'my wrong guess at it'
      secrets.push(wrong)
      expect((await client.submit('/sign-in', '/sign-in', { email: admin.email, password: wrong })).statusCode).toBe(400)
      await client.signIn(admin.email, PASSWORD)
      const cookie = client.cookie(SESSION_COOKIE)!
      secrets.push(cookie, cookie.split('.')[0]!)

      const tokens = '/organisations/trafford/tokens'
      const created = await client.submit(tokens, tokens, { name: 'Logged token', scope: 'write' })
      const secret = /value="(lgds_[A-Za-z0-9_-]{43})"/.exec(created.body)![1]!
      secrets.push(secret, secret.slice(5), csrfOf((await client.get(tokens)).body))
      expect((await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(200)
      expect((await app.inject({ url: '/api/v1/organisations', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(200)
      expect((await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${secret}x` } })).statusCode).toBe(401)
      expect((await app.inject({ url: '/api/v1/nowhere', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(404)

      const newPassword = 'obsidian parrot carousel'
      secrets.push(newPassword)
      expect((await client.submit('/account/password', '/account/password', { currentPassword: PASSWORD, newPassword })).statusCode).toBe(303)
      secrets.push(client.cookie(SESSION_COOKIE)!)
      // A refused form, which logs a warning.
      expect((await client.post('/account/password', { currentPassword: newPassword, newPassword: PASSWORD })).statusCode).toBe(403)
      expect((await client.submit('/account', '/sign-out', {})).statusCode).toBe(303)
    } finally {
      await app.close()
    }

    const log = lines.join('')
    // The log was really captured, and says what happened.
    expect(lines.length).toBeGreaterThan(20)
    expect(log).toContain('"url":"/api/v1/me"')
    expect(log).toContain('signed in')
    expect(log).toContain('"statusCode":401')
    for (const text of secrets) {
      expect(text.length).toBeGreaterThan(8)
      expect(log, `the log contains ${text}`).not.toContain(text)
    }
    expect(log).not.toMatch(/lgds_[A-Za-z0-9_-]{20,}/)
    expect(log).not.toContain(`${SESSION_COOKIE}=`)
  })
})
