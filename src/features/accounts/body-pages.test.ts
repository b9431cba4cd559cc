import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../../../test/support/fixtures.js'
import { appWith, WebClient, errorSummary } from '../../../test/support/web.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describeEachEngine('a body’s members and tokens pages', (ctx) => {
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

  // ---- members ----

  it('lets the body’s admin see, add, promote and remove members', async () => {
    const { services, db } = ctx()
    const url = '/organisations/trafford/members'
    const client = new WebClient(app)
    await client.signIn(admin.email, PASSWORD)
    const page = await client.get(url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Ada Admin')
    expect(page.body).toContain('Save member')

    const person = await makeUser(services, { name: 'Mo Member' })
    const added = await client.submit(url, url, { email: person.email, role: 'editor' })
    expect(added.statusCode).toBe(303)
    expect(added.headers.location).toBe(url)
    let list = await client.get(url)
    expect(list.body).toContain('Mo Member is now an editor of Trafford')
    expect(list.body).toContain(person.email)
    const membershipId = (await services.accounts.listMembers(system, 'trafford')).find((m) => m.userId === person.userId)!.membershipId
    expect((await db.kysely.selectFrom('memberships').select('role').where('id', '=', membershipId).executeTakeFirstOrThrow()).role).toBe('editor')

    const promoted = await client.submit(url, url, { email: person.email, role: 'admin' })
    expect(promoted.statusCode).toBe(303)
    list = await client.get(url)
    expect(list.body).toContain('Mo Member is now an administrator of Trafford')
    expect((await db.kysely.selectFrom('memberships').select('role').where('id', '=', membershipId).executeTakeFirstOrThrow()).role).toBe('admin')

    const removeAction = `/organisations/trafford/members/${membershipId}/remove`
    expect(list.body).toContain(`action="${removeAction}"`)
    const removed = await client.submit(url, removeAction, {})
    expect(removed.statusCode).toBe(303)
    list = await client.get(url)
    expect(list.body).toContain('The member has been removed')
    expect(list.body).not.toContain(person.email)
    expect(await db.kysely.selectFrom('memberships').select('id').where('id', '=', membershipId).executeTakeFirst()).toBeUndefined()

    const unknown = await client.submit(url, url, { email: 'stranger@example.gov.uk', role: 'editor' })
    expect(unknown.statusCode).toBe(400)
    expect(errorSummary(unknown.body)).toContain('There is no account with that email address')
    expect(unknown.body).toContain('value="stranger@example.gov.uk"')

    // Ada is now the only admin: she cannot remove herself.
    const adaMembership = (await services.accounts.listMembers(system, 'trafford')).find((m) => m.userId === admin.userId)!.membershipId
    const last = await client.submit(url, `/organisations/trafford/members/${adaMembership}/remove`, {})
    expect(last.statusCode).toBe(409)
    expect(errorSummary(last.body)).toContain('A body must keep at least one administrator')
    expect(await db.kysely.selectFrom('memberships').select('id').where('id', '=', adaMembership).executeTakeFirst()).toBeDefined()
  })

  it('shows members to the body’s editors without the controls, and to nobody else', async () => {
    const { services } = ctx()
    const url = '/organisations/trafford/members'
    const editor = await makeUser(services, { org: 'trafford', role: 'editor', name: 'Ed Editor' })
    const plain = await makeUser(services)
    const editorClient = new WebClient(app)
    await editorClient.signIn(editor.email, PASSWORD)
    const page = await editorClient.get(url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Ada Admin')
    expect(page.body).toContain('Ed Editor')
    expect(page.body).not.toContain('Save member')
    expect(page.body).not.toContain('/remove"')

    const plainClient = new WebClient(app)
    await plainClient.signIn(plain.email, PASSWORD)
    const refused = await plainClient.get(url)
    expect(refused.statusCode).toBe(403)
    expect(refused.body).not.toContain(admin.email)
    const anonymous = await new WebClient(app).get(url)
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.body).not.toContain(admin.email)
  })

  // ---- API tokens ----

  it('shows a new token once, which then works on the API until it is revoked', async () => {
    const { db } = ctx()
    const url = '/organisations/trafford/tokens'
    const client = new WebClient(app)
    await client.signIn(admin.email, PASSWORD)
    expect((await client.get(url)).statusCode).toBe(200)

    const invalid = await client.submit(url, url, { name: '', scope: '' })
    expect(invalid.statusCode).toBe(400)
    expect(errorSummary(invalid.body)).toContain('<a href="#scope">Select read or write</a>')

    const created = await client.submit(url, url, { name: 'Nightly upload', scope: 'write' })
    expect(created.statusCode).toBe(200)
    expect(created.headers['cache-control']).toBe('no-store')
    expect(created.body).toContain('It will not be shown again')
    const secret = /value="(lgds_[A-Za-z0-9_-]{43})"/.exec(created.body)?.[1]
    expect(secret).toBeDefined()
    const row = await db.kysely.selectFrom('api_tokens').selectAll().where('name', '=', 'Nightly upload').executeTakeFirstOrThrow()
    expect(row.token_hash).toBe(sha256(secret!))

    const list = await client.get(url)
    expect(list.body).toContain('Nightly upload')
    expect(list.body).toContain(`<code>${secret!.slice(0, 12)}…</code>`)
    expect(list.body).not.toContain(secret!)
    expect(list.body).not.toMatch(/lgds_[A-Za-z0-9_-]{43}/)
    expect(list.body).not.toContain(row.token_hash)

    const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toEqual({
      organisation: { id: row.organisation_id, slug: 'trafford', name: 'Trafford Metropolitan Borough Council' },
      token: { id: row.id, name: 'Nightly upload', scope: 'write' },
    })

    const revokeAction = `/organisations/trafford/tokens/${row.id}/revoke`
    expect(list.body).toContain(`action="${revokeAction}"`)
    const revoked = await client.submit(url, revokeAction, {})
    expect(revoked.statusCode).toBe(303)
    expect(revoked.headers.location).toBe(url)
    const after = await client.get(url)
    expect(after.body).toContain('The token has been revoked')
    expect(after.body).toContain('Revoked')
    expect(after.body).not.toContain(`action="${revokeAction}"`)

    const refused = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } })
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.json()).toMatchObject({ status: 401, title: 'Unauthorised', detail: 'The API token is not valid or has been revoked', instance: '/api/v1/me' })
  })

  it('keeps the tokens page to the body’s admins', async () => {
    const { services } = ctx()
    const url = '/organisations/trafford/tokens'
    const editor = await makeUser(services, { org: 'trafford', role: 'editor' })
    const otherAdmin = await makeUser(services, { org: 'manchester', role: 'admin' })
    for (const who of [editor, otherAdmin]) {
      const client = new WebClient(app)
      await client.signIn(who.email, PASSWORD)
      const page = await client.get(url)
      expect(page.statusCode).toBe(403)
      expect(page.body).toContain('You cannot do that')
      expect(page.body).not.toContain('Nightly upload')
    }
    expect((await new WebClient(app).get(url)).statusCode).toBe(401)
  })
})
