import { todayInUk } from '../../platform/uk-date.js'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { PASSWORD } from '../../../test/support/fixtures.js'
import { buildTestApp, errorSummary, WebClient } from '../../../test/support/web.js'
import { DESKS, MINIBUS, newAsset, sharingWorld, type SharingWorld } from '../../../test/fixtures/sharing/world.js'

describeEachEngine('sharing pages', (ctx) => {
  let app: FastifyInstance
  let w: SharingWorld
  let trafford: WebClient
  let manchester: WebClient
  let leeds: WebClient
  let visitor: WebClient

  beforeAll(async () => {
    w = await sharingWorld(ctx().services)
    app = await buildTestApp(ctx())
    trafford = new WebClient(app)
    await trafford.signIn(w.trafford.email, PASSWORD)
    manchester = new WebClient(app)
    await manchester.signIn(w.manchester.email, PASSWORD)
    leeds = new WebClient(app)
    await leeds.signIn(w.leeds.email, PASSWORD)
    visitor = new WebClient(app)
  })
  afterAll(async () => app?.close())

  it('offers an asset through the form, showing every problem first', async () => {
    const asset = await newAsset(ctx().services, 'trafford', DESKS)
    expect((await visitor.get(`/assets/${asset.id}/offer`)).statusCode).toBe(401)
    expect((await manchester.get(`/assets/${asset.id}/offer`)).statusCode).toBe(403)
    const page = await trafford.get(`/assets/${asset.id}`)
    expect(page.body).toContain(`href="/assets/${asset.id}/offer"`)
    expect((await manchester.get(`/assets/${asset.id}`)).body).not.toContain(`href="/assets/${asset.id}/offer"`)

    const form = await trafford.get(`/assets/${asset.id}/offer`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain(`value="${todayInUk()}"`)
    const wrong = await trafford.submit(`/assets/${asset.id}/offer`, `/assets/${asset.id}/offer`, { kind: 'sale', availableFrom: 'tomorrow', windowWorkingDays: '20' })
    expect(wrong.statusCode).toBe(400)
    expect(errorSummary(wrong.body)).toContain('href="#pricePence"')
    expect(errorSummary(wrong.body)).toContain('href="#availableFrom"')
    const noCsrf = await trafford.post(`/assets/${asset.id}/offer`, { kind: 'loan', availableFrom: '2026-12-01' })
    expect(noCsrf.statusCode).toBe(403)

    const done = await trafford.submit(`/assets/${asset.id}/offer`, `/assets/${asset.id}/offer`, { kind: 'loan', availableFrom: '2026-12-01', availableUntil: '2027-03-31', windowWorkingDays: '0', terms: 'Collect from Sale Waterside' })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe(`/assets/${asset.id}#sharing`)
    const shown = await visitor.get(`/assets/${asset.id}`)
    expect(shown.body).toContain('Loan. From 1 December 2026 until 31 March 2027. Every public body')
    expect(shown.body).toContain('Sign in to ask for this asset')
    const listed = await visitor.get('/assets/offers?kind=loan')
    expect(listed.statusCode).toBe(200)
    expect(listed.body).toContain(`href="/assets/${asset.id}"`)
    expect((await visitor.get('/assets/offers?kind=sale')).body).not.toContain(`href="/assets/${asset.id}"`)

    const withdrawn = await trafford.submit(`/assets/${asset.id}`, `/assets/offers/${(await ctx().services.sharing.listOffers(w.trafford.actor, {}, { page: 1, pageSize: 100 })).items.find((o) => o.asset.id === asset.id)!.id}/withdraw`, {})
    expect(withdrawn.statusCode).toBe(303)
    expect((await trafford.get(withdrawn.headers.location as string)).body).toContain('The offer of Sit-stand desks (12) has been withdrawn')
  })

  it('asks for an asset with the form, prefilled from “check before you buy”, and takes it through to hand-over', async () => {
    const { services } = ctx()
    const asset = await newAsset(services, 'trafford', MINIBUS)
    expect((await visitor.get(`/assets/${asset.id}/share-requests/new`)).statusCode).toBe(401)
    const form = await manchester.get(`/assets/${asset.id}/share-requests/new?search=not-a-search&kind=transfer&from=2026-12-14`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="2026-12-14"')
    expect(form.body).toContain('value="48000.00"')
    expect(form.body).toMatch(/value="transfer" checked/)
    expect(form.body).toContain('name="search" value="not-a-search"')
    expect(form.body).toContain('You are asking for <strong>Manchester City Council</strong>')

    const wrong = await manchester.submit(`/assets/${asset.id}/share-requests/new`, `/assets/${asset.id}/share-requests`, { organisation: 'manchester', kind: 'loan', neededFrom: '2026-12-14' })
    expect(wrong.statusCode).toBe(400)
    expect(errorSummary(wrong.body)).toContain('Enter the date you would give it back')
    expect(errorSummary(wrong.body)).toContain('Say what you need it for')

    const sent = await manchester.submit(`/assets/${asset.id}/share-requests/new`, `/assets/${asset.id}/share-requests`, { organisation: 'manchester', kind: 'transfer', neededFrom: '2026-12-14', purpose: 'Day centre transport', avoidedCostPence: '45,000' })
    expect(sent.statusCode).toBe(303)
    const url = sent.headers.location as string
    const mine = await manchester.get(url)
    expect(mine.body).toContain('Your request has been sent to Trafford Metropolitan Borough Council')
    expect(mine.body).toContain('£45,000.00')
    expect(mine.body).toContain('Withdraw request')
    expect(mine.body).not.toContain('Approve request')
    expect((await leeds.get(url)).statusCode).toBe(403)
    expect((await visitor.get(url)).statusCode).toBe(401)

    const theirs = await trafford.get(url)
    expect(theirs.body).toContain('Approve request')
    expect(theirs.body).toContain('Decline request')
    const id = url.split('/').pop()!
    const noReason = await trafford.submit(url, `/share-requests/${id}/decline`, { version: '1', reason: '' })
    expect(noReason.statusCode).toBe(400)
    expect(errorSummary(noReason.body)).toContain('href="#reason"')
    const approved = await trafford.submit(url, `/share-requests/${id}/approve`, { version: '1' })
    expect(approved.statusCode).toBe(303)
    const stale = await trafford.submit(url, `/share-requests/${id}/decline`, { version: '1', reason: 'Changed our minds' })
    expect(stale.statusCode).toBe(409)
    expect(errorSummary(stale.body)).toContain('Someone else changed this request after you opened it')
    const handed = await trafford.submit(url, `/share-requests/${id}/hand-over`, { version: '2' })
    expect(handed.statusCode).toBe(303)
    const after = await trafford.get(url)
    expect(after.body).toContain('The request has been handed over')
    expect(after.body).toContain('Recorded the hand-over')

    const assetPage = await visitor.get(`/assets/${asset.id}`)
    expect(assetPage.body).toMatch(/Owned by[\s\S]*Manchester City Council/)
    expect(assetPage.body).toContain('Ownership transferred')
    expect(assetPage.body).not.toContain(`href="/share-requests/${id}"`)
    expect((await manchester.get(`/assets/${asset.id}`)).body).toContain(`href="/share-requests/${id}"`)
  })

  it('shows a body’s sharing to its members only', async () => {
    const page = await trafford.get('/organisations/trafford/sharing')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Requests to decide')
    expect(page.body).toContain('Sit-stand desks (12)')
    expect((await manchester.get('/organisations/trafford/sharing')).statusCode).toBe(403)
    expect((await visitor.get('/organisations/trafford/sharing')).statusCode).toBe(401)
    expect((await manchester.get('/organisations/manchester/sharing')).body).toContain('Accessible minibus')
  })

  it('shows what sharing saved, with a CSV that matches', async () => {
    const page = await visitor.get('/assets/savings')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('£45,000.00')
    const csv = await visitor.get('/assets/savings.csv')
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.body).toContain('body,manchester,Manchester City Council,1,4500000')
    expect(csv.body).toContain('total,,All public bodies,1,4500000')
  })
})
