import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SESSION_COOKIE } from '../../src/platform/security.js'
import { snapshot } from '../support/snapshot.js'
import { describeEachEngine } from '../support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../support/fixtures.js'
import { appWith, WebClient } from '../support/web.js'
import { type Person, signedIn, editFields } from './support.js'

/*
 * Security, checked from the outside through HTTP: authorisation of every write. What a member
 * of another body, a token or a stranger may not do, and that the same requests succeed for those
 * who may.
 */

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
