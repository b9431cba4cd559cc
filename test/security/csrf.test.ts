import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { snapshot } from '../support/snapshot.js'
import { describeEachEngine } from '../support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../support/fixtures.js'
import { appWith, WebClient, csrfOf } from '../support/web.js'
import { type Person, signedIn, editFields } from './support.js'

/*
 * Security, checked from the outside through HTTP: CSRF on every form and a token on every API
 * write. The app's own route list is the checklist, so a new route cannot be added untested.
 */

/**
 * Every route that changes something, read from the app itself, so a new one cannot be added
 * without being listed (and so tested) here.
 */
function unsafeRoutes(app: FastifyInstance): string[] {
  const found = new Set<string>()
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    const stack: string[] = []
    for (const line of app.printRoutes({ commonPrefix: false, method }).split('\n')) {
      const match = /^([│├└─\s]*)(\S+)(?: \(([^)]*)\))?\s*$/.exec(line)
      if (!match) continue
      const depth = match[1]!.length / 4 - 1
      stack.length = Math.max(0, depth)
      stack.push(match[2]!)
      const methods = (match[3] ?? '').split(',').map((m) => m.trim())
      if (methods.includes(method)) found.add(`${method} ${stack.join('').replace(/^\/\//, '/')}`)
    }
  }
  return [...found].sort()
}

const PAGE_FORM_ROUTES = [
  'POST /sign-up',
  'POST /sign-in',
  'POST /sign-out',
  'POST /account/password',
  'POST /organisations',
  'POST /organisations/:slug/edit',
  'POST /organisations/:slug/members',
  'POST /organisations/:slug/members/:id/remove',
  'POST /organisations/:slug/tokens',
  'POST /organisations/:slug/tokens/:id/revoke',
]

const CSRF_REFUSAL = 'The form has expired or did not come from this site'

describeEachEngine('security: every form needs its CSRF token', (ctx) => {
  let app: FastifyInstance
  let platformAdmin: Person
  let other: Person
  let passwordChanger: Person
  let newcomer: Person
  let leedsEditorMembership: string
  let leedsTokenId: string

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    platformAdmin = await makeUser(services, { platformAdmin: true, name: 'Pam Platform' })
    other = await makeUser(services, { name: 'Olly Other' })
    passwordChanger = await makeUser(services, { name: 'Percy Password' })
    newcomer = await makeUser(services, { name: 'Nina Newcomer' })
    await makeUser(services, { org: 'leeds', role: 'admin' })
    const leedsEditor = await makeUser(services, { org: 'leeds', role: 'editor' })
    leedsEditorMembership = (await services.accounts.listMembers(system, 'leeds')).find((m) => m.userId === leedsEditor.userId)!.membershipId
    leedsTokenId = (await services.accounts.createToken(system, 'leeds', { name: 'Leeds feed', scope: 'write' })).token.id
    app = await appWith(ctx())
  })
  afterAll(async () => {
    await app?.close()
  })

  it('finds the platform’s form routes among the app’s routes', () => {
    const routes = unsafeRoutes(app)
    for (const route of PAGE_FORM_ROUTES) expect(routes).toContain(route)
  })

  // Every form route of every feature, found from the app itself, so a new one is covered the
  // day it is added: without its token it is refused before the handler runs.
  it('refuses every form POST in the app without its CSRF token, whoever is signed in', async () => {
    const client = await signedIn(app, platformAdmin)
    const formRoutes = unsafeRoutes(app).filter((r) => !r.includes(' /api/'))
    expect(formRoutes.length).toBeGreaterThan(PAGE_FORM_ROUTES.length)
    for (const route of formRoutes) {
      const [method, pattern] = route.split(' ') as [string, string]
      const url = pattern.replace(/:slug/g, 'trafford').replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
      const response = await client.post(url, { title: 'x', name: 'x' })
      expect(`${method} ${url} → ${response.statusCode}`).toBe(`${method} ${url} → 403`)
      expect(response.body).toContain(CSRF_REFUSAL)
    }
  })

  // Every API write, likewise: with no bearer token it is refused as unauthenticated.
  it('refuses every API write without a bearer token', async () => {
    // CKAN's Action API takes reads by POST too, and needs no token for them.
    const apiRoutes = unsafeRoutes(app).filter((r) => r.includes(' /api/') && !/ \/api\/(3\/)?action\//.test(r))
    for (const route of apiRoutes) {
      const [method, pattern] = route.split(' ') as [string, string]
      const url = pattern.replace(/:slug/g, 'trafford').replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
      const response = await app.inject({ method: method as 'POST', url, payload: {} })
      expect(response.statusCode, `${route} answered ${response.statusCode}`).toBe(401)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
  })

  interface FormCase {
    url: () => string
    fields: () => Promise<Record<string, string>> | Record<string, string>
    /** Who is signed in when posting. */
    who: () => Person
    /** The status when the same form is sent with its token. */
    success: number
    /** What the successful post changes: rows, or only who is signed in. */
    effect: 'rows' | { signedInAs: () => string | undefined }
  }

  const cases: Record<string, FormCase> = {
    'POST /sign-up': {
      url: () => '/sign-up',
      fields: () => ({ name: 'Cass Csrf', email: 'cass.csrf@example.gov.uk', password: PASSWORD }),
      who: () => platformAdmin,
      success: 303,
      effect: 'rows',
    },
    'POST /sign-in': {
      url: () => '/sign-in',
      fields: () => ({ email: other.email, password: PASSWORD }),
      who: () => platformAdmin,
      success: 303,
      effect: { signedInAs: () => 'Olly Other' },
    },
    'POST /sign-out': {
      url: () => '/sign-out',
      fields: () => ({}),
      who: () => platformAdmin,
      success: 303,
      effect: { signedInAs: () => undefined },
    },
    'POST /account/password': {
      url: () => '/account/password',
      fields: () => ({ currentPassword: PASSWORD, newPassword: 'walrus kettle lantern' }),
      who: () => passwordChanger,
      success: 303,
      effect: 'rows',
    },
    'POST /organisations': {
      url: () => '/organisations',
      fields: () => ({ name: 'Csrf Fire and Rescue', type: 'fire' }),
      who: () => platformAdmin,
      success: 303,
      effect: 'rows',
    },
    'POST /organisations/:slug/edit': {
      url: () => '/organisations/leeds/edit',
      fields: () => editFields(ctx(), 'leeds', { website: 'https://www.leeds.gov.uk/' }),
      who: () => platformAdmin,
      success: 303,
      effect: 'rows',
    },
    'POST /organisations/:slug/members': {
      url: () => '/organisations/leeds/members',
      fields: () => ({ email: newcomer.email, role: 'editor' }),
      who: () => platformAdmin,
      success: 303,
      effect: 'rows',
    },
    'POST /organisations/:slug/members/:id/remove': {
      url: () => `/organisations/leeds/members/${leedsEditorMembership}/remove`,
      fields: () => ({}),
      who: () => platformAdmin,
      success: 303,
      effect: 'rows',
    },
    'POST /organisations/:slug/tokens': {
      url: () => '/organisations/leeds/tokens',
      fields: () => ({ name: 'Csrf token', scope: 'read' }),
      who: () => platformAdmin,
      success: 200,
      effect: 'rows',
    },
    'POST /organisations/:slug/tokens/:id/revoke': {
      url: () => `/organisations/leeds/tokens/${leedsTokenId}/revoke`,
      fields: () => ({}),
      who: () => platformAdmin,
      success: 303,
      effect: 'rows',
    },
  }

  it('has a case for every form route', () => {
    expect(Object.keys(cases).sort()).toEqual([...PAGE_FORM_ROUTES].sort())
  })

  for (const [route, c] of Object.entries(cases)) {
    it(`${route}: refused with 403 without a valid token, even when signed in; accepted with one`, async () => {
      const { db } = ctx()
      const who = c.who()
      const client = await signedIn(app, who)
      const fields = await c.fields()
      const someoneElsesToken = csrfOf((await new WebClient(app).get('/sign-in')).body)
      const before = await snapshot(db)

      const attempts: [string, () => Promise<LightMyRequestResponse>][] = [
        ['no token', () => client.post(c.url(), fields)],
        ['an empty token', () => client.post(c.url(), { ...fields, _csrf: '' })],
        ['another session’s token', () => client.post(c.url(), { ...fields, _csrf: someoneElsesToken })],
        ['a made-up token', () => client.post(c.url(), { ...fields, _csrf: 'x'.repeat(52) })],
        [
          'no session at all',
          () =>
            app.inject({
              method: 'POST',
              url: c.url(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: new URLSearchParams({ ...fields, _csrf: someoneElsesToken }).toString(),
            }),
        ],
      ]
      for (const [label, attempt] of attempts) {
        const response = await attempt()
        expect(response.statusCode, label).toBe(403)
        expect(response.headers['content-type'], label).toMatch(/^text\/html/)
        expect(response.body, label).toContain(CSRF_REFUSAL)
        expect(await snapshot(db), label).toEqual(before)
      }
      // Still signed in as the same person.
      const account = await client.get('/account')
      expect(account.statusCode).toBe(200)
      expect(account.body).toContain(who.email)

      // The same post with the page's token goes through: the token was all that was missing.
      const accepted = await client.submit('/account', c.url(), fields)
      expect(accepted.statusCode).toBe(c.success)
      if (c.effect === 'rows') {
        expect(await snapshot(db)).not.toEqual(before)
      } else {
        const expected = c.effect.signedInAs()
        const after = await client.get('/account')
        if (expected) {
          expect(after.statusCode).toBe(200)
          expect(after.body).toContain(expected)
        } else {
          expect(after.statusCode).toBe(401)
        }
      }
    })
  }
})
