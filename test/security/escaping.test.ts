import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../support/fixtures.js'
import { appWith, WebClient } from '../support/web.js'
import { signedIn, editFields } from './support.js'

/*
 * Security, checked from the outside through HTTP: everything people type comes back escaped,
 * and is never SQL.
 */

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
