import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import { DESKS, newAsset, sharingWorld, type SharingWorld } from '../../../test/fixtures/sharing/world.js'
import type { Asset } from '../assets/model.js'

describeEachEngine('sharing API', (ctx) => {
  let app: FastifyInstance
  let w: SharingWorld
  let asset: Asset
  const tokens: Record<'trafford' | 'traffordRead' | 'manchester' | 'leeds', string> = {} as never

  beforeAll(async () => {
    const { services } = ctx()
    w = await sharingWorld(services)
    tokens.trafford = (await services.accounts.createToken(system, 'trafford', { name: 'Trafford assets', scope: 'write' })).secret
    tokens.traffordRead = (await services.accounts.createToken(system, 'trafford', { name: 'Trafford dashboard', scope: 'read' })).secret
    tokens.manchester = (await services.accounts.createToken(system, 'manchester', { name: 'Manchester assets', scope: 'write' })).secret
    tokens.leeds = (await services.accounts.createToken(system, 'leeds', { name: 'Leeds assets', scope: 'write' })).secret
    asset = await newAsset(services, 'trafford', DESKS)
    app = await buildTestApp(ctx())
  })
  afterAll(async () => app?.close())

  function call(method: 'GET' | 'POST', url: string, body?: unknown, token?: string): Promise<LightMyRequestResponse> {
    return app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body === undefined ? {} : { payload: body as object }) })
  }
  const problemOf = (response: LightMyRequestResponse) => {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    return response.json() as { status: number; detail: string; errors?: { name: string; message: string }[] }
  }

  it('takes a sale from offer to hand-over by tokens, each side doing its own steps', async () => {
    const offered = await call('POST', `/api/v1/assets/${asset.id}/offers`, { kind: 'sale', pricePence: 150_000, availableFrom: '2026-01-05', windowWorkingDays: 0 }, tokens.trafford)
    expect(offered.statusCode).toBe(201)
    const offer = offered.json()
    expect(offer).toMatchObject({ kind: 'sale', pricePence: 150_000, openToAll: true, organisation: { slug: 'trafford' }, asset: { id: asset.id, name: DESKS.name } })

    const listed = await call('GET', '/api/v1/assets/offers?kind=sale&body=trafford')
    expect(listed.statusCode).toBe(200)
    expect(listed.json().items.map((o: { id: string }) => o.id)).toContain(offer.id)

    const requested = await call('POST', '/api/v1/share-requests', { assetId: asset.id, neededFrom: '2026-12-01', purpose: 'Our new hub', avoidedCostPence: 600_000 }, tokens.manchester)
    expect(requested.statusCode).toBe(201)
    const request = requested.json()
    expect(requested.headers.location).toBe(`/api/v1/share-requests/${request.id}`)
    expect(request).toMatchObject({ kind: 'sale', state: 'requested', pricePence: 150_000, savingPence: 450_000, version: 1, requester: { slug: 'manchester' } })

    expect(problemOf(await call('POST', `/api/v1/share-requests/${request.id}/approve`, { version: 1 }, tokens.manchester)).status).toBe(403)
    expect(problemOf(await call('POST', `/api/v1/share-requests/${request.id}/approve`, { version: 1 }, tokens.traffordRead)).status).toBe(403)
    expect(problemOf(await call('POST', `/api/v1/share-requests/${request.id}/approve`, { version: 1 })).status).toBe(401)
    expect(problemOf(await call('POST', `/api/v1/share-requests/${request.id}/approve`, { version: 9 }, tokens.trafford))).toMatchObject({ status: 409, detail: expect.stringContaining('Someone else changed this request') })
    const approved = await call('POST', `/api/v1/share-requests/${request.id}/approve`, { version: 1 }, tokens.trafford)
    expect(approved.json()).toMatchObject({ state: 'approved', version: 2, decidedBy: 'API token “Trafford assets”' })
    const handed = await call('POST', `/api/v1/share-requests/${request.id}/hand-over`, { version: 2 }, tokens.trafford)
    expect(handed.statusCode).toBe(200)
    expect(handed.json()).toMatchObject({ state: 'handed-over', version: 3 })

    const moved = (await call('GET', `/api/v1/assets/${asset.id}`)).json()
    expect(moved.organisationId).toBe(request.requester.id)
    expect((await call('GET', `/api/v1/share-requests/${request.id}`, undefined, tokens.manchester)).json()).toMatchObject({ state: 'handed-over' })
    expect((await call('GET', `/api/v1/share-requests/${request.id}`, undefined, tokens.traffordRead)).statusCode).toBe(200)
    expect(problemOf(await call('GET', `/api/v1/share-requests/${request.id}`, undefined, tokens.leeds)).status).toBe(403)
    expect(problemOf(await call('GET', `/api/v1/share-requests/${request.id}`)).status).toBe(401)
    expect(problemOf(await call('GET', '/api/v1/share-requests/no-such-request', undefined, tokens.trafford)).status).toBe(404)

    const savings = (await call('GET', '/api/v1/assets/savings')).json()
    expect(savings.total).toEqual({ shares: 1, avoidedPence: 450_000 })
    expect(savings.byBody).toEqual([{ slug: 'manchester', name: 'Manchester City Council', shares: 1, avoidedPence: 450_000 }])
    expect(savings.byClass).toEqual([{ assetClass: 'vehicles-plant-equipment', label: 'Vehicles, plant, furniture and equipment', shares: 1, avoidedPence: 450_000 }])
    expect(savings.byYear).toEqual([{ year: new Date().getUTCFullYear(), shares: 1, avoidedPence: 450_000 }])
  })

  it('answers problem+json naming the fields, and refuses the wrong body, a read token or no token', async () => {
    const other = await newAsset(ctx().services, 'trafford')
    expect(problemOf(await call('POST', `/api/v1/assets/${other.id}/offers`, { kind: 'loan', availableFrom: '2026-01-01' })).status).toBe(401)
    expect(problemOf(await call('POST', `/api/v1/assets/${other.id}/offers`, { kind: 'loan', availableFrom: '2026-01-01' }, tokens.manchester)).status).toBe(403)
    expect(problemOf(await call('POST', `/api/v1/assets/${other.id}/offers`, { kind: 'loan', availableFrom: '2026-01-01' }, tokens.traffordRead)).status).toBe(403)
    const invalid = problemOf(await call('POST', `/api/v1/assets/${other.id}/offers`, { kind: 'sale', availableFrom: 'soon' }, tokens.trafford))
    expect(invalid.status).toBe(422)
    expect(invalid.errors!.map((e) => e.name)).toEqual(['pricePence', 'availableFrom'])
    expect(problemOf(await call('POST', `/api/v1/assets/${other.id}/offers`, { kind: 'gift', availableFrom: '2026-01-01' }, tokens.trafford)).status).toBe(400)

    const offer = (await call('POST', `/api/v1/assets/${other.id}/offers`, { kind: 'loan', availableFrom: '2026-01-01', windowWorkingDays: 0 }, tokens.trafford)).json()
    const asking = { assetId: other.id, neededFrom: '2026-12-01', neededUntil: '2026-12-20', purpose: 'Winter shelter' }
    expect(problemOf(await call('POST', '/api/v1/share-requests', asking)).status).toBe(401)
    expect(problemOf(await call('POST', '/api/v1/share-requests', { ...asking, organisation: 'leeds' }, tokens.manchester)).status).toBe(403)
    const request = (await call('POST', '/api/v1/share-requests', asking, tokens.manchester)).json()
    const noReason = problemOf(await call('POST', `/api/v1/share-requests/${request.id}/decline`, { version: 1 }, tokens.trafford))
    expect(noReason).toMatchObject({ status: 422, errors: [{ name: 'reason', message: 'Say why the request is declined' }] })
    expect(problemOf(await call('POST', `/api/v1/share-requests/${request.id}/withdraw`, { version: 1 }, tokens.trafford)).status).toBe(403)

    expect(problemOf(await call('POST', `/api/v1/assets/offers/${offer.id}/withdraw`, undefined, tokens.manchester)).status).toBe(403)
    const withdrawn = await call('POST', `/api/v1/assets/offers/${offer.id}/withdraw`, undefined, tokens.trafford)
    expect(withdrawn.json()).toMatchObject({ id: offer.id, state: 'withdrawn' })
    expect((await call('GET', `/api/v1/share-requests/${request.id}`, undefined, tokens.manchester)).json()).toMatchObject({ state: 'declined', declineReason: 'The owner withdrew the offer' })
  })

  it('shows a body’s offers within their window only to its own tokens', async () => {
    const hidden = await newAsset(ctx().services, 'trafford')
    const offer = (await call('POST', `/api/v1/assets/${hidden.id}/offers`, { kind: 'transfer', availableFrom: '2026-01-01' }, tokens.trafford)).json()
    expect(offer.openToAll).toBe(false)
    const ids = async (token?: string) => (await call('GET', '/api/v1/assets/offers?pageSize=100', undefined, token)).json().items.map((o: { id: string }) => o.id)
    expect(await ids()).not.toContain(offer.id)
    expect(await ids(tokens.manchester)).not.toContain(offer.id)
    expect(await ids(tokens.traffordRead)).toContain(offer.id)
  })

  it('is described in the OpenAPI document', async () => {
    const paths = Object.keys((await call('GET', '/api/v1/openapi.json')).json().paths)
    for (const path of ['/api/v1/assets/offers', '/api/v1/assets/{id}/offers', '/api/v1/assets/offers/{offerId}/withdraw', '/api/v1/share-requests', '/api/v1/share-requests/{id}', '/api/v1/share-requests/{id}/approve', '/api/v1/share-requests/{id}/decline', '/api/v1/share-requests/{id}/hand-over', '/api/v1/share-requests/{id}/return', '/api/v1/share-requests/{id}/withdraw', '/api/v1/assets/savings']) {
      expect(paths).toContain(path)
    }
  })
})
