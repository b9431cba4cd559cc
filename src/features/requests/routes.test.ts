import { todayInUk } from '../../platform/uk-date.js'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, testConfig } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../../../test/support/fixtures.js'
import { WebClient, errorSummary } from '../../../test/support/web.js'
import { buildApp } from '../../app.js'
import { createServices } from '../../services.js'
import type { Db } from '../../db/connection.js'
import { formatDate } from '../../platform/views.js'
import { addWorkingDays } from '../../platform/working-days.js'
import type { Services } from '../../services.js'

type User = Awaited<ReturnType<typeof makeUser>>

/** What a refused write must leave as it was. */
async function snapshot(db: Db) {
  const k = db.kysely
  const count = async (table: 'data_requests' | 'request_supports' | 'request_follows' | 'request_comments' | 'audit_log') =>
    Number((await k.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  return {
    requests: await k.selectFrom('data_requests').selectAll().orderBy('id').execute(),
    comments: await k.selectFrom('request_comments').selectAll().orderBy('id').execute(),
    supports: await count('request_supports'),
    follows: await count('request_follows'),
    audit: await count('audit_log'),
  }
}

describeEachEngine('data request pages and API', (ctx) => {
  let app: FastifyInstance
  let services: Services
  let requester: User
  let plain: User
  let editor: User
  let otherEditor: User
  let admin: User
  let dataset: string
  let release: string
  let writeSecret: string
  let readSecret: string
  let manchesterSecret: string

  beforeAll(async () => {
    services = ctx().services
    await seedCouncils(services)
    requester = await makeUser(services, { name: 'Rita Requester' })
    plain = await makeUser(services, { name: 'Pat Plain' })
    editor = await makeUser(services, { org: 'trafford', role: 'admin', name: 'Tess Trafford' })
    otherEditor = await makeUser(services, { org: 'manchester', role: 'admin', name: 'Mo Manchester' })
    admin = await makeUser(services, { platformAdmin: true, name: 'Ada Admin' })
    const declared = await services.datasets.declare(editor.actor, 'trafford', { title: 'Gritting routes', description: 'Winter roads.', themes: ['TRAN'], frequency: 'annual' })
    dataset = declared.id
    release = (await services.datasets.addRelease(editor.actor, dataset, { plannedDate: '2027-06', state: 'confirmed' })).id
    writeSecret = (await services.accounts.createToken(editor.actor, 'trafford', { name: 'Uploader', scope: 'write' })).secret
    readSecret = (await services.accounts.createToken(editor.actor, 'trafford', { name: 'Reader', scope: 'read' })).secret
    manchesterSecret = (await services.accounts.createToken(otherEditor.actor, 'manchester', { name: 'Theirs', scope: 'write' })).secret
    // Every test signs people in through the form: the production sign-in limit would trip.
    const config = testConfig({ SIGN_IN_RATE_LIMIT: '1000' })
    app = await buildApp({ config, db: ctx().db, services: createServices(config, ctx().db) })
  })
  afterAll(async () => {
    await app?.close()
  })

  async function clientFor(user?: User): Promise<WebClient> {
    const client = new WebClient(app)
    if (user) await client.signIn(user.email, PASSWORD)
    return client
  }

  async function askThroughForm(client: WebClient, fields: Record<string, string>): Promise<string> {
    const response = await client.submit('/requests/new', '/requests', fields)
    expect(response.statusCode, response.body.slice(0, 500)).toBe(303)
    const id = /^\/requests\/([0-9a-f-]+)$/.exec(String(response.headers.location))?.[1]
    expect(id).toBeDefined()
    return id!
  }

  const POTHOLES = { kind: 'new', title: 'Potholes repaired', description: 'Every pothole reported and when it was fixed.', reason: 'To compare roads.', organisation: 'trafford' }

  it('asks for new data through the form, showing errors the GOV.UK way first', async () => {
    const anonymous = await clientFor()
    expect((await anonymous.get('/requests/new')).statusCode).toBe(401)

    const client = await clientFor(requester)
    const form = await client.get('/requests/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toMatch(/<input[^>]*id="kind"[^>]*name="kind"[^>]*type="radio"[^>]*value="new"/)
    expect(form.body).toContain('<option value="trafford">Trafford Metropolitan Borough Council</option>')

    const invalid = await client.submit('/requests/new', '/requests', { kind: 'new', title: 'Half a request', organisation: 'atlantis' })
    expect(invalid.statusCode).toBe(400)
    const summary = errorSummary(invalid.body)
    expect(summary).toContain('<a href="#description">Describe the data you are asking for</a>')
    expect(summary).toContain('<a href="#reason">Say why you need the data</a>')
    expect(summary).toContain('<a href="#organisation">')
    expect(invalid.body).toMatch(/<input[^>]*id="title"[^>]*value="Half a request"/)
    expect(invalid.body).toMatch(/<input[^>]*value="new"[^>]*checked/)

    const id = await askThroughForm(client, POTHOLES)
    const page = await client.get(`/requests/${id}`)
    expect(page.statusCode).toBe(200)
    const due = formatDate(addWorkingDays(todayInUk(), 20))
    expect(page.body).toContain(`Your request has been sent. Trafford Metropolitan Borough Council should answer by ${due}.`)
    expect(page.body).toContain('<h1 class="govuk-heading-l">Potholes repaired</h1>')
    expect(page.body).toContain('Every pothole reported and when it was fixed.')
    expect(page.body).toContain('1 person supports this request.')
    expect(page.body).toContain('You support this request.')
    expect(page.body).toContain('You follow this request.')
    expect(page.body).toContain('Awaiting an answer')
    expect(page.body).not.toContain('Answer this request')
  })

  it('asks for an early release from a dataset link', async () => {
    const client = await clientFor(requester)
    const form = await client.get(`/requests/new?dataset=${dataset}`)
    expect(form.body).toContain(`<a class="govuk-link" href="/datasets/${dataset}">Gritting routes</a>`)
    expect(form.body).toMatch(/<input[^>]*value="early-release"[^>]*checked/)
    const id = await askThroughForm(client, { kind: 'early-release', dataset, reason: 'Winter starts in November.' })
    const page = await client.get(`/requests/${id}`)
    expect(page.body).toContain('Early release of “Gritting routes”')
    expect(page.body).toContain('Request for the early release of a dataset')

    const second = await (await clientFor(plain)).get(`/requests/new?dataset=${dataset}`)
    expect(second.body).toContain(`<a class="govuk-link" href="/requests/${id}">Support their request</a>`)
    expect(second.body).not.toContain('value="early-release"')
    expect((await client.get('/requests/new?dataset=no-such-thing')).body).toContain('There is no declared dataset with the id')

    const published = await services.datasets.declare(editor.actor, 'trafford', { title: 'Street lights', description: 'Lights.', themes: ['TRAN'], frequency: 'annual' })
    await services.datasets.addDistribution(editor.actor, published.id, { title: 'Lights', downloadUrl: 'https://data.trafford.gov.uk/lights.csv', format: 'csv' })
    const refused = await client.submit(`/requests/new?dataset=${published.id}`, '/requests', { kind: 'early-release', dataset: published.id, reason: 'Soon please' })
    expect(refused.statusCode).toBe(400)
    expect(errorSummary(refused.body)).toContain('<a href="#dataset">This dataset is already published: there is nothing to release early</a>')
    expect(refused.body.match(/id="dataset"/g)).toHaveLength(1)
  })

  it('supports, withdraws, follows and unfollows with buttons, refusing a second support', async () => {
    const id = await askThroughForm(await clientFor(requester), POTHOLES)
    const client = await clientFor(plain)
    let page = await client.get(`/requests/${id}`)
    expect(page.body).toContain('>\n  Support\n</button>')
    expect((await client.submit(`/requests/${id}`, `/requests/${id}/support`, {})).statusCode).toBe(303)
    page = await client.get(`/requests/${id}`)
    expect(page.body).toContain('You support this request')
    expect(page.body).toContain('2 people support this request.')

    const twice = await client.submit(`/requests/${id}`, `/requests/${id}/support`, {})
    expect(twice.statusCode).toBe(409)
    expect(errorSummary(twice.body)).toContain('You already support this request')
    expect((await services.requests.get(id)).supportCount).toBe(2)

    expect((await client.submit(`/requests/${id}`, `/requests/${id}/unsupport`, {})).statusCode).toBe(303)
    expect((await client.get(`/requests/${id}`)).body).toContain('1 person supports this request.')
    expect((await client.submit(`/requests/${id}`, `/requests/${id}/follow`, {})).statusCode).toBe(303)
    expect((await client.get(`/requests/${id}`)).body).toContain('You follow this request.')
    expect((await client.submit(`/requests/${id}`, `/requests/${id}/unfollow`, {})).statusCode).toBe(303)
    expect((await client.get(`/requests/${id}`)).body).not.toContain('You follow this request.')
  })

  it('lets the body answer through the form, with conditional fields that work without JavaScript', async () => {
    const id = await askThroughForm(await clientFor(requester), POTHOLES)
    const client = await clientFor(editor)
    const page = await client.get(`/requests/${id}`)
    expect(page.body).toContain('Answer this request')
    // Every conditional field is in the page, so the form works with scripts off.
    for (const field of ['id="release"', 'id="declineReason"', 'id="dataset"', 'id="response"']) expect(page.body).toContain(field)
    expect(page.body).toContain(`<option value="${release}">Gritting routes: June 2027 (confirmed)</option>`)

    const invalid = await client.submit(`/requests/${id}`, `/requests/${id}/answer`, { status: 'declined', declineReason: '', response: '' })
    expect(invalid.statusCode).toBe(400)
    expect(errorSummary(invalid.body)).toContain('<a href="#declineReason">Select the reason for declining</a>')
    expect(errorSummary(invalid.body)).toContain('<a href="#response">Explain why the request is declined</a>')

    const scheduled = await client.submit(`/requests/${id}`, `/requests/${id}/answer`, { status: 'scheduled', release, response: 'It comes with the June release.' })
    expect(scheduled.statusCode).toBe(303)
    const answered = await client.get(`/requests/${id}`)
    expect(answered.body).toContain('The request is now marked scheduled')
    expect(answered.body).toContain(`<a class="govuk-link" href="/datasets/${dataset}">Gritting routes</a>, planned for June 2027 (confirmed)`)
    expect(answered.body).toContain('It comes with the June release.')

    const wrong = await client.submit(`/requests/${id}`, `/requests/${id}/answer`, { status: 'acknowledged' })
    expect(wrong.statusCode).toBe(409)
    expect(errorSummary(wrong.body)).toContain('A request that is scheduled cannot be marked acknowledged')
  })

  it('comments, and lets the body hide one with a reason shown in its place', async () => {
    const id = await askThroughForm(await clientFor(requester), POTHOLES)
    const commenter = await clientFor(plain)
    const empty = await commenter.submit(`/requests/${id}`, `/requests/${id}/comments`, { comment: '' })
    expect(empty.statusCode).toBe(400)
    expect(errorSummary(empty.body)).toContain('<a href="#comment">Enter your comment</a>')
    expect((await commenter.submit(`/requests/${id}`, `/requests/${id}/comments`, { comment: 'Ring Joe on 07700 900123 about it' })).statusCode).toBe(303)
    const commentId = (await services.requestParticipation.comments(await services.requests.get(id)))[0]!.id
    expect((await commenter.get(`/requests/${id}`)).body).toContain('Ring Joe on 07700 900123 about it')
    expect((await commenter.get(`/requests/${id}`)).body).not.toContain('/hide')

    const body = await clientFor(editor)
    const page = await body.get(`/requests/${id}`)
    expect(page.body).toContain(`href="/requests/${id}/comments/${commentId}/hide"`)
    const hidePage = `/requests/${id}/comments/${commentId}/hide`
    expect((await body.get(hidePage)).statusCode).toBe(200)
    const noReason = await body.submit(hidePage, hidePage, { reason: '' })
    expect(noReason.statusCode).toBe(400)
    expect(errorSummary(noReason.body)).toContain('<a href="#reason">Say why the comment is being hidden</a>')
    expect((await body.submit(hidePage, hidePage, { reason: 'It contains a phone number' })).statusCode).toBe(303)

    const after = await commenter.get(`/requests/${id}`)
    expect(after.body).not.toContain('07700 900123')
    expect(after.body).toContain(`Comment hidden by Trafford Metropolitan Borough Council on ${formatDate(todayInUk())}: It contains a phone number`)
    const api = await app.inject({ method: 'GET', url: `/api/v1/requests/${id}` })
    expect(api.json().comments).toEqual([expect.objectContaining({ body: null, hidden: expect.objectContaining({ reason: 'It contains a phone number' }) })])
    expect(api.body).not.toContain('07700')
  })

  it('lets a platform administrator send a request with no body to one', async () => {
    const id = await askThroughForm(await clientFor(requester), { kind: 'new', title: 'Allotment waiting lists', description: 'How long people wait.', reason: 'I am waiting.' })
    const client = await clientFor(admin)
    const page = await client.get(`/requests/${id}`)
    expect(page.body).toContain('Send to a public body')
    const missing = await client.submit(`/requests/${id}`, `/requests/${id}/assign`, { organisation: '' })
    expect(errorSummary(missing.body)).toContain('<a href="#organisation">Choose the public body to send the request to</a>')
    expect((await client.submit(`/requests/${id}`, `/requests/${id}/assign`, { organisation: 'leeds' })).statusCode).toBe(303)
    expect((await client.get(`/requests/${id}`)).body).toContain('The request has been sent to Leeds City Council')
  })

  it('refuses every page write to those who may not make it, changing nothing', async () => {
    const id = await askThroughForm(await clientFor(requester), POTHOLES)
    const unassigned = await askThroughForm(await clientFor(requester), { kind: 'new', title: 'Nobody’s', description: 'd', reason: 'r' })
    const commentId = (await services.requestParticipation.comment(requester.actor, id, 'A fine comment')).id
    const before = await snapshot(ctx().db)

    const writes: [string, Record<string, string>][] = [
      ['/requests', POTHOLES],
      [`/requests/${id}/support`, {}],
      [`/requests/${id}/unsupport`, {}],
      [`/requests/${id}/follow`, {}],
      [`/requests/${id}/unfollow`, {}],
      [`/requests/${id}/comments`, { comment: 'Hello' }],
      [`/requests/${id}/answer`, { status: 'acknowledged' }],
      [`/requests/${id}/comments/${commentId}/hide`, { reason: 'Because' }],
      [`/requests/${unassigned}/assign`, { organisation: 'trafford' }],
    ]
    // Anonymous: a real CSRF token (from the sign-in page), but no account.
    const anonymous = await clientFor()
    for (const [action, fields] of writes) {
      const response = await anonymous.submit('/sign-in', action, fields)
      expect(response.statusCode, `anonymous ${action}`).toBe(401)
    }
    const bodyOnly = writes.slice(6)
    for (const [who, user] of [
      ['plain account', plain],
      ['another body', otherEditor],
    ] as const) {
      const client = await clientFor(user)
      for (const [action, fields] of bodyOnly) {
        const response = await client.submit(`/requests/${id}`, action, fields)
        expect(response.statusCode, `${who} ${action}`).toBe(403)
      }
      expect((await client.get(`/requests/${id}/comments/${commentId}/hide`)).statusCode).toBe(403)
      expect((await client.get(`/requests/${id}`)).body).not.toContain('Answer this request')
    }
    // The body's own people answer, but only a platform administrator sends a request to a body.
    const bodyClient = await clientFor(editor)
    expect((await bodyClient.submit(`/requests/${id}`, `/requests/${unassigned}/assign`, { organisation: 'trafford' })).statusCode).toBe(403)
    // And a form without its CSRF token is refused whoever sends it.
    expect((await bodyClient.post(`/requests/${id}/answer`, { status: 'acknowledged' })).statusCode).toBe(403)

    expect(await snapshot(ctx().db)).toEqual(before)
  })

  it('lists, searches and filters with shareable addresses', async () => {
    const client = await clientFor(requester)
    const zebra = await askThroughForm(client, { kind: 'new', title: 'Zebra crossings', description: 'Every zebra crossing.', reason: 'Safety', organisation: 'manchester' })
    const list = await client.get('/requests?q=zebra&body=manchester&sort=supported')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('<h2 class="govuk-heading-m" id="results-heading">1 request</h2>')
    expect(list.body).toContain(`<a class="govuk-link" href="/requests/${zebra}">Zebra crossings</a>`)
    expect(list.body).toMatch(/<option value="manchester" selected>/)
    expect(list.body).toMatch(/<option value="supported" selected>/)
    expect((await client.get('/requests?q=no-such-words-anywhere')).body).toContain('No requests match')
    expect((await client.get('/requests?status=overdue&body=manchester')).body).toContain('0 requests')

    for (let i = 0; i < 3; i++) await askThroughForm(client, { kind: 'new', title: `Paged request ${i}`, description: 'Paging', reason: 'r', organisation: 'leeds' })
    const paged = await client.get('/requests?body=leeds&q=paged&pageSize=2')
    expect(paged.body).toContain('href="/requests?q=paged&amp;body=leeds&amp;pageSize=2&amp;page=2"')
    const nav = (await client.get('/requests')).body
    expect(nav).toMatch(/<a class="govuk-service-navigation__link" href="\/requests" aria-current="true">/)
  })

  it('escapes what people type, and keeps the request’s history public but supporters’ private', async () => {
    const payload = '<script>alert("x")</script><b>bold</b>'
    const nasty = await makeUser(services, { name: `Eve ${payload}` })
    const id = (await services.requests.create(nasty.actor, { kind: 'new', title: `Title ${payload}`, description: `What ${payload}`, reason: `Why ${payload}`, organisation: 'trafford' })).id
    await services.requestParticipation.comment(nasty.actor, id, `Comment ${payload}`)
    const client = await clientFor(editor)
    for (const url of [`/requests/${id}`, '/requests?q=title', `/history/request/${id}`]) {
      const page = await client.get(url)
      expect(page.statusCode, url).toBe(200)
      expect(page.body, url).not.toContain('<script>alert')
      expect(page.body, url).not.toContain('<b>bold</b>')
      expect(page.body, url).toContain('&lt;script&gt;alert(')
    }
    expect((await client.get(`/history/request/${id}`)).body).toContain('request.create')
    await services.requestParticipation.support(plain.actor, id)
    expect((await client.get(`/history/request-support/${id}`)).statusCode).toBe(404)
    expect((await client.get(`/history/request-comment/${id}`)).statusCode).toBe(404)
  })

  // ---- API ----

  it('lists and shows requests as JSON, with problem+json errors', async () => {
    const id = await askThroughForm(await clientFor(requester), { ...POTHOLES, title: 'API visible request' })
    const list = await app.inject({ method: 'GET', url: '/api/v1/requests?q=visible&body=trafford&status=submitted&sort=supported' })
    expect(list.statusCode).toBe(200)
    const page = list.json() as { items: { id: string; title: string; supportCount: number; dueDate: string; overdue: boolean }[]; total: number }
    expect(page.total).toBe(1)
    expect(page.items[0]).toMatchObject({ id, title: 'API visible request', supportCount: 1, dueDate: addWorkingDays(todayInUk(), 20), overdue: false })
    expect(page.items[0]).not.toHaveProperty('requester_id')

    const one = await app.inject({ method: 'GET', url: `/api/v1/requests/${id}` })
    expect(one.json()).toMatchObject({ id, organisation: { slug: 'trafford' }, comments: [] })

    const bad = await app.inject({ method: 'GET', url: '/api/v1/requests?status=lost' })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/)
    const missing = await app.inject({ method: 'GET', url: '/api/v1/requests/no-such-request' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ status: 404, title: 'Not found' })

    const spec = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, { security?: unknown }>> }
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/requests', '/api/v1/requests/{id}', '/api/v1/requests/{id}/answer']))
    expect(spec.paths['/api/v1/requests/{id}/answer']!.post!.security).toEqual([{ bearerToken: [] }])
  })

  it('takes a body’s answer from its write token only', async () => {
    const id = await askThroughForm(await clientFor(requester), { ...POTHOLES, title: 'Answered by token' })
    const before = await snapshot(ctx().db)
    const answer = (secret: string | undefined, payload: object) =>
      app.inject({ method: 'POST', url: `/api/v1/requests/${id}/answer`, headers: secret ? { authorization: `Bearer ${secret}` } : {}, payload })
    const refusals: [string | undefined, number][] = [
      [undefined, 401],
      [readSecret, 403],
      [manchesterSecret, 403],
    ]
    for (const [secret, status] of refusals) {
      const response: LightMyRequestResponse = await answer(secret, { status: 'acknowledged' })
      expect(response.statusCode).toBe(status)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    expect((await answer(writeSecret, { status: 'maybe' })).statusCode).toBe(400)
    const invalid = await answer(writeSecret, { status: 'declined' })
    expect(invalid.statusCode).toBe(422)
    expect((invalid.json() as { errors: { name: string }[] }).errors.map((e) => e.name).sort()).toEqual(['declineReason', 'response'])
    expect(await snapshot(ctx().db)).toEqual(before)

    const ok = await answer(writeSecret, { status: 'scheduled', release, response: 'June' })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ status: 'scheduled', release: { id: release, label: 'June 2027' }, response: 'June' })
    const again = await answer(writeSecret, { status: 'scheduled', release })
    expect(again.statusCode).toBe(409)
  })
})
