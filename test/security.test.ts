import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { SESSION_COOKIE } from '../src/platform/security.js'
import { snapshot } from './support/snapshot.js'
import { describeEachEngine, openTestDatabase, testConfig, type EngineContext } from './support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from './support/fixtures.js'
import { appWith, WebClient, csrfOf } from './support/web.js'

/*
 * The platform's security promises, checked from the outside through HTTP: CSRF on every form,
 * authorisation on every write, escaping of everything people type, headers, errors that leak
 * nothing, the API's error format, and a log with no secrets in it.
 */

type Person = Awaited<ReturnType<typeof makeUser>>

async function signedIn(app: FastifyInstance, person: { email: string }, password = PASSWORD): Promise<WebClient> {
  const client = new WebClient(app)
  await client.signIn(person.email, password)
  return client
}

/** The fields the "Change details" form posts for a body, as its page fills them in. */
async function editFields(context: EngineContext, slug: string, changes: Record<string, string> = {}) {
  const o = await context.services.organisations.getBySlug(slug)
  return {
    name: o.name,
    shortName: o.shortName,
    slug: o.slug,
    type: o.type,
    identifier: o.identifier ?? '',
    parentSlug: '',
    nation: o.nation ?? '',
    region: o.region ?? '',
    website: o.website ?? '',
    ...changes,
  }
}

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

// ---------------------------------------------------------------------------------------------
// (a) CSRF
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// (b) authorisation of every write
// ---------------------------------------------------------------------------------------------

describeEachEngine('security: writes are refused to those who may not make them', (ctx) => {
  let app: FastifyInstance
  let traffordAdmin: Person
  let traffordEditor: Person
  let plain: Person
  let manchesterAdmin: Person
  let editorMembership: string
  let tokenId: string
  let tokenSecret: string
  const clients: Record<string, WebClient> = {}

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    traffordAdmin = await makeUser(services, { org: 'trafford', role: 'admin', name: 'Tom Trafford' })
    traffordEditor = await makeUser(services, { org: 'trafford', role: 'editor', name: 'Eve Editor' })
    plain = await makeUser(services, { name: 'Paul Plain' })
    manchesterAdmin = await makeUser(services, { org: 'manchester', role: 'admin', name: 'Mia Manchester' })
    editorMembership = (await services.accounts.listMembers(system, 'trafford')).find((m) => m.userId === traffordEditor.userId)!.membershipId
    const created = await services.accounts.createToken(traffordAdmin.actor, 'trafford', { name: 'Trafford feed', scope: 'write' })
    tokenId = created.token.id
    tokenSecret = created.secret
    app = await appWith(ctx())
    clients.anonymous = new WebClient(app)
    clients.plain = await signedIn(app, plain)
    clients.editor = await signedIn(app, traffordEditor)
    clients.otherAdmin = await signedIn(app, manchesterAdmin)
    clients.bodyAdmin = await signedIn(app, traffordAdmin)
  })
  afterAll(async () => {
    await app?.close()
  })

  interface WriteCase {
    url: () => string
    fields: () => Promise<Record<string, string>> | Record<string, string>
    refused: Record<string, 401 | 403>
  }
  const everyoneElse = { anonymous: 401, plain: 403, editor: 403, otherAdmin: 403 } as const
  const writes: Record<string, WriteCase> = {
    'POST /organisations': {
      url: () => '/organisations',
      fields: () => ({ name: 'Sneaky Body', type: 'other' }),
      // Only platform admins add bodies; a council's own admin may not.
      refused: { ...everyoneElse, bodyAdmin: 403 },
    },
    'POST /organisations/:slug/edit': {
      url: () => '/organisations/trafford/edit',
      fields: () => editFields(ctx(), 'trafford', { name: 'Hijacked Council', website: 'https://evil.example/' }),
      refused: everyoneElse,
    },
    'POST /organisations/:slug/members': {
      url: () => '/organisations/trafford/members',
      fields: () => ({ email: plain.email, role: 'admin' }),
      refused: everyoneElse,
    },
    'POST /organisations/:slug/members/:id/remove': {
      url: () => `/organisations/trafford/members/${editorMembership}/remove`,
      fields: () => ({}),
      refused: everyoneElse,
    },
    'POST /organisations/:slug/tokens': {
      url: () => '/organisations/trafford/tokens',
      fields: () => ({ name: 'Backdoor', scope: 'write' }),
      refused: everyoneElse,
    },
    'POST /organisations/:slug/tokens/:id/revoke': {
      url: () => `/organisations/trafford/tokens/${tokenId}/revoke`,
      fields: () => ({}),
      refused: everyoneElse,
    },
    'POST /account/password': {
      url: () => '/account/password',
      fields: () => ({ currentPassword: PASSWORD, newPassword: 'walrus kettle lantern' }),
      refused: { anonymous: 401 },
    },
  }

  for (const [route, w] of Object.entries(writes)) {
    it(`${route}: refused to ${Object.keys(w.refused).join(', ')}, changing nothing`, async () => {
      const { db } = ctx()
      const fields = await w.fields()
      const before = await snapshot(db)
      for (const [who, status] of Object.entries(w.refused)) {
        // A real form post, with a valid token for the caller's own session.
        const response = await clients[who]!.submit('/sign-in', w.url(), fields)
        expect(response.statusCode, who).toBe(status)
        expect(response.headers['content-type'], who).toMatch(/^text\/html/)
        expect(response.body, who).toContain(status === 401 ? 'You need to sign in' : 'You cannot do that')
        expect(await snapshot(db), `${route} by ${who}`).toEqual(before)
      }
    })
  }

  it('a body’s admin cannot reach another body’s members or tokens by naming their own body', async () => {
    const { db } = ctx()
    const before = await snapshot(db)
    const removal = await clients.otherAdmin!.submit('/sign-in', `/organisations/manchester/members/${editorMembership}/remove`, {})
    expect(removal.statusCode).toBe(404)
    const revocation = await clients.otherAdmin!.submit('/sign-in', `/organisations/manchester/tokens/${tokenId}/revoke`, {})
    expect(revocation.statusCode).toBe(404)
    expect(await snapshot(db)).toEqual(before)
  })

  it('an API token does not open the pages, and a session does not open the API', async () => {
    const bearer = { authorization: `Bearer ${tokenSecret}` }
    expect((await app.inject({ url: '/organisations/trafford/tokens', headers: bearer })).statusCode).toBe(401)
    expect((await app.inject({ url: '/account', headers: bearer })).statusCode).toBe(401)
    const cookie = clients.bodyAdmin!.cookie(SESSION_COOKIE)!
    expect((await clients.bodyAdmin!.get('/organisations/trafford/tokens')).statusCode).toBe(200)
    const api = await app.inject({ url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${cookie}` } })
    expect(api.statusCode).toBe(401)
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('the same posts succeed for those who may make them (so the refusals above were about who asked)', async () => {
    const { db, services } = ctx()
    const platformAdmin = await signedIn(app, await makeUser(services, { platformAdmin: true }))
    const admin = clients.bodyAdmin!
    const expectations: [WebClient, string, number][] = [
      [platformAdmin, 'POST /organisations', 303],
      [admin, 'POST /organisations/:slug/edit', 303],
      [admin, 'POST /organisations/:slug/members', 303],
      [admin, 'POST /organisations/:slug/members/:id/remove', 303],
      [admin, 'POST /organisations/:slug/tokens', 200],
      [admin, 'POST /organisations/:slug/tokens/:id/revoke', 303],
      [clients.plain!, 'POST /account/password', 303],
    ]
    for (const [client, route, status] of expectations) {
      const w = writes[route]!
      const before = await snapshot(db)
      const response = await client.submit('/sign-in', w.url(), await w.fields())
      expect(response.statusCode, route).toBe(status)
      expect(await snapshot(db), route).not.toEqual(before)
    }
    expect((await services.organisations.getBySlug('trafford')).website).toBe('https://evil.example/')
  })
})

// ---------------------------------------------------------------------------------------------
// (c) escaping
// ---------------------------------------------------------------------------------------------

const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'; drop table users; --"]

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/** The payload came back, escaped, and nothing of it runs. */
function expectEscaped(response: LightMyRequestResponse, payload: string, where: string) {
  expect(response.headers['content-type'], where).toMatch(/^text\/html/)
  expect(response.body, where).not.toContain(payload)
  expect(response.body, where).not.toMatch(/<script>alert|<img src=x/i)
  expect(response.body, where).toContain(escapeHtml(payload))
}

describeEachEngine('security: what people type comes back escaped, and is never SQL', (ctx) => {
  let app: FastifyInstance
  let platformAdmin: WebClient
  let traffordAdmin: WebClient

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    app = await appWith(ctx())
    platformAdmin = await signedIn(app, await makeUser(services, { platformAdmin: true }))
    traffordAdmin = await signedIn(app, await makeUser(services, { org: 'trafford', role: 'admin' }))
  })
  afterAll(async () => {
    await app?.close()
  })

  PAYLOADS.forEach((payload, i) => {
    it(`sign-up name and email: ${payload}`, async () => {
      const { db } = ctx()
      const rejected = await new WebClient(app).submit('/sign-up', '/sign-up', { name: payload, email: payload, password: PASSWORD })
      expect(rejected.statusCode).toBe(400)
      expectEscaped(rejected, payload, 'sign-up form shown again')
      expect((rejected.body.match(new RegExp(escapeHtml(payload).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g')) ?? []).length).toBeGreaterThanOrEqual(2)

      const person = new WebClient(app)
      const email = `payload${i}@example.gov.uk`
      expect((await person.submit('/sign-up', '/sign-up', { name: payload, email, password: PASSWORD })).statusCode).toBe(303)
      expectEscaped(await person.get('/account'), payload, 'account page')
      const row = await db.kysely.selectFrom('users').select('name').where('email', '=', email).executeTakeFirstOrThrow()
      expect(row.name).toBe(payload)

      // Their name on the members page of a body that adds them.
      expect((await traffordAdmin.submit('/organisations/trafford/members', '/organisations/trafford/members', { email, role: 'editor' })).statusCode).toBe(303)
      expectEscaped(await traffordAdmin.get('/organisations/trafford/members'), payload, 'members page')
    })

    it(`organisation name, short name, region and website: ${payload}`, async () => {
      const { services } = ctx()
      const fields = { name: payload, shortName: payload, region: payload, website: payload, type: 'other' }
      const rejected = await platformAdmin.submit('/organisations/new', '/organisations', fields)
      expect(rejected.statusCode).toBe(400)
      expectEscaped(rejected, payload, 'add-a-body form shown again')

      const website = `https://example.org/?q=${payload}`
      const created = await platformAdmin.submit('/organisations/new', '/organisations', { ...fields, website })
      expect(created.statusCode).toBe(303)
      const slug = created.headers.location!.replace('/organisations/', '')
      const organisation = await services.organisations.getBySlug(slug)
      expect(organisation).toMatchObject({ name: payload, shortName: payload, region: payload, website })

      const shown = await platformAdmin.get(`/organisations/${slug}`)
      expectEscaped(shown, payload, 'organisation page')
      expect(shown.body).toContain(`href="${escapeHtml(website)}"`)
      expectEscaped(await platformAdmin.get(`/organisations/${slug}/edit`), payload, 'change-details form')
      expectEscaped(await platformAdmin.get(`/history/organisation/${organisation.id}`), payload, 'history page')
      const edited = await platformAdmin.submit(`/organisations/${slug}/edit`, `/organisations/${slug}/edit`, {
        ...(await editFields(ctx(), slug)),
        website: payload,
      })
      expect(edited.statusCode).toBe(400)
      expectEscaped(edited, payload, 'change-details form shown again')

      // The search box, and the results it finds.
      const search = await platformAdmin.get(`/organisations?q=${encodeURIComponent(payload)}`)
      expectEscaped(search, payload, 'organisation search')
      expect(search.body).toContain(`href="/organisations/${slug}"`)
      const api = await app.inject({ url: `/api/v1/organisations?q=${encodeURIComponent(payload)}` })
      expect(api.statusCode).toBe(200)
      expect(api.headers['content-type']).toMatch(/^application\/json/)
      expect(api.json<{ items: { name: string }[] }>().items.map((o) => o.name)).toContain(payload)
    })

    it(`token name and member email: ${payload}`, async () => {
      const url = '/organisations/trafford/tokens'
      const created = await traffordAdmin.submit(url, url, { name: payload, scope: 'read' })
      expect(created.statusCode).toBe(200)
      expectEscaped(created, payload, 'token created page')
      expectEscaped(await traffordAdmin.get(url), payload, 'token list')

      const members = '/organisations/trafford/members'
      const added = await traffordAdmin.submit(members, members, { email: payload, role: 'editor' })
      expect(added.statusCode).toBe(400)
      expectEscaped(added, payload, 'member form shown again')
    })

    it(`addresses and query strings: ${payload}`, async () => {
      const signIn = await new WebClient(app).get(`/sign-in?next=${encodeURIComponent(`/${payload}`)}`)
      expectEscaped(signIn, payload, 'sign-in next')
      const unmatched = await new WebClient(app).get(`/organisations?q=${encodeURIComponent(`${payload} nothing-matches-this`)}`)
      expectEscaped(unmatched, payload, 'search with no results')
      const notFound = await app.inject({ url: `/organisations/${encodeURIComponent(payload)}` })
      expect(notFound.statusCode).toBe(404)
      expect(notFound.body).not.toContain(payload)
      const apiNotFound = await app.inject({ url: `/api/v1/organisations/${encodeURIComponent(payload)}` })
      expect(apiNotFound.statusCode).toBe(404)
      expect(apiNotFound.headers['content-type']).toMatch(/^application\/problem\+json/)
    })
  })

  it('leaves every table in place and working', async () => {
    const { db } = ctx()
    const tables = ['users', 'organisations', 'memberships', 'api_tokens', 'sessions', 'audit_log'] as const
    const count = async () =>
      Object.fromEntries(
        await Promise.all(
          tables.map(async (table) => {
            const row = await db.kysely
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
            return [table, Number(row.n)] as const
          }),
        ),
      )
    const before = await count()
    const injection = "x'); delete from users; drop table organisations; --"
    const person = new WebClient(app)
    expect((await person.submit('/sign-up', '/sign-up', { name: injection, email: 'robert.tables@example.gov.uk', password: PASSWORD })).statusCode).toBe(303)
    expect((await person.get(`/organisations?q=${encodeURIComponent(injection)}`)).statusCode).toBe(200)
    expect((await app.inject({ url: `/api/v1/organisations?q=${encodeURIComponent(injection)}&region=${encodeURIComponent(injection)}` })).statusCode).toBe(200)
    const after = await count()
    for (const table of tables) expect(after[table], table).toBeGreaterThan(0)
    expect(after.users).toBe(before.users! + 1)
    expect(after.organisations).toBe(before.organisations)
    expect(after.memberships).toBe(before.memberships)
    expect((await db.kysely.selectFrom('users').select('name').where('email', '=', 'robert.tables@example.gov.uk').executeTakeFirstOrThrow()).name).toBe(injection)
    expect((await ctx().services.organisations.getBySlug('trafford')).slug).toBe('trafford')
  })
})

// ---------------------------------------------------------------------------------------------
// (d) headers and errors, (e) the API and health
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// (f) the log
// ---------------------------------------------------------------------------------------------

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
