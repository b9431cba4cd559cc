import { todayInUk } from '../../../platform/uk-date.js'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MINIBUS, seedCheckWorld, TRAFFORD, type CheckWorld } from '../../../../test/fixtures/check-before-you-buy.js'
import { auditFor } from '../../../../test/support/accounts.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { seedCouncils, system } from '../../../../test/support/fixtures.js'
import { buildTestApp } from '../../../../test/support/web.js'

const AROUND_TRAFFORD = `lat=${TRAFFORD.lat}&lon=${TRAFFORD.lon}`

describeEachEngine('check before you buy API', (ctx) => {
  let app: FastifyInstance
  let world: CheckWorld
  const tokens: Record<'traffordRead' | 'traffordWrite' | 'manchesterWrite', string> = {} as never

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    world = await seedCheckWorld(services, db)
    tokens.traffordRead = (await services.accounts.createToken(system, 'trafford', { name: 'Dashboard', scope: 'read' })).secret
    tokens.traffordWrite = (await services.accounts.createToken(system, 'trafford', { name: 'Buying', scope: 'write' })).secret
    tokens.manchesterWrite = (await services.accounts.createToken(system, 'manchester', { name: 'Manchester buying', scope: 'write' })).secret
    app = await buildTestApp(ctx())
  })
  afterAll(async () => app?.close())

  function call(method: 'GET' | 'POST', url: string, token?: string, body?: unknown): Promise<LightMyRequestResponse> {
    return app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body === undefined ? {} : { payload: body as object }) })
  }
  const problemOf = (response: LightMyRequestResponse) => {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    return response.json() as { status: number; errors?: { name: string; message: string }[] }
  }

  it('answers the ranked assets with owner, distance, fit and offer; nothing recorded without a token', async () => {
    const response = await call('GET', `/api/v1/assets/available?cpv=${MINIBUS}&${AROUND_TRAFFORD}&radiusKm=25`)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.items.map((i: { asset: { name: string } }) => i.asset.name)).toEqual(world.expectedForTrafford.filter((n) => n !== 'Trafford offered minibus'))
    expect(body).toMatchObject({ total: 6, page: 1, pageSize: 20, searchId: null, need: { cpvCodes: [MINIBUS], place: 'given', radiusKm: 25, from: todayInUk(), kind: null } })
    expect(body.items[0]).toMatchObject({ owner: { slug: 'manchester' }, fit: 'same', offer: null, requestHref: null, asset: { cpvCode: MINIBUS, status: 'surplus' } })
    expect(body.items[0].distanceKm).toBeCloseTo(1.1, 1)
    expect(body.items[2]).toMatchObject({ offer: { kind: 'transfer', availableFrom: todayInUk() } })
    expect(body.items.map((i: { fit: string }) => i.fit).slice(3)).toEqual(['class', 'group', 'division'])
  })

  it('records a token’s search for its body, sees the body’s own offer in its window, and links each asset to the request form', async () => {
    const response = await call('GET', `/api/v1/assets/available?q=minibus&kind=loan&pageSize=2`, tokens.traffordRead)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.need).toMatchObject({ place: 'body', words: 'minibus', kind: 'loan' })
    expect(body.searchId).toMatch(/^[0-9a-f-]{36}$/)
    expect(body.items.map((i: { asset: { name: string } }) => i.asset.name)).toEqual(['Minibus near', 'Trafford offered minibus'])
    expect(body.items[1].requestHref).toBe(`/assets/${world.ids['Trafford offered minibus']}/share-requests/new?search=${body.searchId}&kind=loan&from=${todayInUk()}`)
    const again = await call('GET', `/api/v1/assets/available?q=minibus&kind=loan&page=2&pageSize=2`, tokens.traffordWrite)
    expect(again.json().searchId).toBe(body.searchId)
  })

  it('names the failing fields in problem+json', async () => {
    const unknown = await call('GET', `/api/v1/assets/available?cpv=99999999&lat=53.4`)
    expect(unknown.statusCode).toBe(422)
    expect(problemOf(unknown).errors!.map((e) => e.name).sort()).toEqual(['cpv', 'lon'])
    const nothing = await call('GET', '/api/v1/assets/available')
    expect(problemOf(nothing).errors!.map((e) => e.name)).toEqual(['q'])
    const past = await call('GET', `/api/v1/assets/available?cpv=${MINIBUS}&from=2020-02-30`)
    expect(problemOf(past).errors!.map((e) => e.name)).toEqual(['from'])
    const far = await call('GET', `/api/v1/assets/available?cpv=${MINIBUS}&radiusKm=501`)
    expect(far.statusCode).toBe(400)
    expect(problemOf(far).errors![0]!.name).toBe('radiusKm')
    const kind = await call('GET', `/api/v1/assets/available?cpv=${MINIBUS}&kind=borrow`)
    expect(kind.statusCode).toBe(400)
    expect(problemOf(kind).errors![0]!.name).toBe('kind')
    const lat = await call('GET', `/api/v1/assets/available?cpv=${MINIBUS}&lat=north&lon=1`)
    expect(problemOf(lat).errors![0]!.name).toBe('lat')
  })

  it('records that nothing fitted only with a write token of the body that searched', async () => {
    const { searchId } = (await call('GET', `/api/v1/assets/available?cpv=34200000`, tokens.traffordRead)).json()
    const url = `/api/v1/assets/available/searches/${searchId}/purchased`
    expect(problemOf(await call('POST', url, undefined, {})).status).toBe(401)
    expect(problemOf(await call('POST', url, tokens.traffordRead, {})).status).toBe(403)
    expect(problemOf(await call('POST', url, tokens.manchesterWrite, { estimatedCostPence: 5 })).status).toBe(403)
    expect(problemOf(await call('POST', `/api/v1/assets/available/searches/nope/purchased`, tokens.traffordWrite, {})).status).toBe(404)
    expect(problemOf(await call('POST', url, tokens.traffordWrite, { estimatedCostPence: '£5' })).status).toBe(400)
    const done = await call('POST', url, tokens.traffordWrite, { estimatedCostPence: 4_200_000 })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toMatchObject({ id: searchId, outcome: 'purchased', estimatedCostPence: 4_200_000, cpvCode: '34200000', cpvLabel: 'Vehicle bodies, trailers or semi-trailers' })
    expect((await auditFor(ctx().db, 'purchase-search', searchId)).map((e) => e.action)).toEqual(['purchase-search.create', 'purchase-search.purchased'])
    const bare = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens.traffordWrite}` } })
    expect(bare.statusCode).toBe(200)
    expect(bare.json().estimatedCostPence).toBeNull()
  })

  it('is documented in the OpenAPI description', async () => {
    const document = (await call('GET', '/api/v1/openapi.json')).json()
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/assets/available', '/api/v1/assets/available/searches/{id}/purchased']))
    const parameters = document.paths['/api/v1/assets/available'].get.parameters.map((p: { name: string }) => p.name)
    expect(parameters).toEqual(expect.arrayContaining(['cpv', 'q', 'class', 'lat', 'lon', 'radiusKm', 'from', 'kind', 'page', 'pageSize']))
  })
})
