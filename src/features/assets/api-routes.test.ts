import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'
import { projectRoot } from '../../paths.js'

const VAN = {
  assetCode: 'API-1',
  name: 'Mobile library van',
  assetClass: 'vehicles-plant-equipment',
  cpvCode: '34144000-8',
  acquisitionDate: '2021-09-01',
  acquisitionCostPence: 4_825_050,
  easting: 378950,
  northing: 391530,
  uprn: '010012345678',
}
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'assets')

describeEachEngine('assets API', (ctx) => {
  let app: FastifyInstance
  const tokens: Record<'traffordWrite' | 'traffordRead' | 'manchesterWrite', string> = {} as never

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    tokens.traffordWrite = (await services.accounts.createToken(system, 'trafford', { name: 'Asset system', scope: 'write' })).secret
    tokens.traffordRead = (await services.accounts.createToken(system, 'trafford', { name: 'Dashboard', scope: 'read' })).secret
    tokens.manchesterWrite = (await services.accounts.createToken(system, 'manchester', { name: 'Manchester assets', scope: 'write' })).secret
    app = await buildTestApp(ctx())
  })
  afterAll(async () => app?.close())

  function call(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, token?: string, contentType?: string): Promise<LightMyRequestResponse> {
    return app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
      ...(body === undefined ? {} : { payload: body as object }),
    })
  }
  const problemOf = (response: LightMyRequestResponse) => {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    return response.json() as { status: number; detail: string; errors?: { name: string; message: string }[] }
  }

  it('records an asset with a write token, answering 201 and where it is', async () => {
    const created = await call('POST', '/api/v1/assets', VAN, tokens.traffordWrite)
    expect(created.statusCode).toBe(201)
    const asset = created.json()
    expect(created.headers.location).toBe(`/api/v1/assets/${asset.id}`)
    expect(asset).toMatchObject({ assetCode: 'API-1', cpvCode: '34144000', cpvLabel: 'Special-purpose motor vehicles', acquisitionCostPence: 4_825_050, uprn: '010012345678', sourceCrs: 'EPSG:27700', status: 'in-use', version: 1, categorised: true, mapped: true })
    expect(asset.lat).toBeCloseTo(53.42, 2)
    const read = await call('GET', `/api/v1/assets/${asset.id}`)
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual(asset)
    const list = await call('GET', '/api/v1/assets?body=trafford&pageSize=5')
    expect(list.json()).toMatchObject({ total: 1, page: 1, pageSize: 5, items: [{ id: asset.id }] })
  })

  it('names every failing field in problem+json: the £1,000 rule, bad values, and fields an asset does not have', async () => {
    const rule = await call('POST', '/api/v1/assets', { assetCode: 'API-2', name: 'Unclassified van', acquisitionCostPence: 100_000 }, tokens.traffordWrite)
    expect(rule.statusCode).toBe(422)
    expect(problemOf(rule).errors!.map((e) => e.name)).toEqual(['assetClass', 'cpvCode'])
    const bad = await call('POST', '/api/v1/assets', { assetCode: 'API-3', name: 'Odd', cpvCode: '99999999', lat: 53.4, condition: 'Z' }, tokens.traffordWrite)
    expect(problemOf(bad).errors!.map((e) => e.name).sort()).toEqual(['condition', 'cpvCode', 'lon'])
    const misspelt = await call('POST', '/api/v1/assets', { assetCode: 'API-4', name: 'Pounds', acquisitionCost: 1250 }, tokens.traffordWrite)
    expect(misspelt.statusCode).toBe(422)
    expect(problemOf(misspelt).errors).toEqual([{ name: 'acquisitionCost', message: 'acquisitionCost is not a field of an asset' }])
    const wrongType = await call('POST', '/api/v1/assets', { assetCode: 'API-5', name: 'Pence', acquisitionCostPence: '£12.50' }, tokens.traffordWrite)
    expect(wrongType.statusCode).toBe(400)
    expect(problemOf(wrongType).errors![0]!.name).toMatch(/acquisitionCostPence/)
  })

  it('needs a write token of the body for every write', async () => {
    expect(problemOf(await call('POST', '/api/v1/assets', { ...VAN, assetCode: 'API-6' })).status).toBe(401)
    expect((await call('POST', '/api/v1/assets', { ...VAN, assetCode: 'API-6' }, tokens.traffordRead)).statusCode).toBe(403)
    expect((await call('POST', '/api/v1/assets', { ...VAN, assetCode: 'API-6', organisation: 'trafford' }, tokens.manchesterWrite)).statusCode).toBe(403)
    const asset = (await call('GET', '/api/v1/assets?body=trafford')).json().items[0]
    const foreign = await call('PATCH', `/api/v1/assets/${asset.id}`, { name: 'Taken over', version: asset.version }, tokens.manchesterWrite)
    expect(foreign.statusCode).toBe(403)
    expect((await call('PATCH', `/api/v1/assets/${asset.id}`, { name: 'Read only', version: asset.version }, tokens.traffordRead)).statusCode).toBe(403)
    expect((await call('PATCH', `/api/v1/assets/${asset.id}`, { name: 'Nobody', version: asset.version })).statusCode).toBe(401)
    expect((await call('GET', `/api/v1/assets/${asset.id}`)).json()).toMatchObject({ name: 'Mobile library van', version: 1 })
    // A manchester write token records manchester's assets, never trafford's.
    const own = await call('POST', '/api/v1/assets', { ...VAN, assetCode: 'API-1' }, tokens.manchesterWrite)
    expect(own.statusCode).toBe(201)
    expect(own.json().organisationId).not.toBe(asset.organisationId)
  })

  it('changes an asset with PATCH and its version, refusing a stale one with 409', async () => {
    const asset = (await call('GET', '/api/v1/assets?body=trafford')).json().items[0]
    const changed = await call('PATCH', `/api/v1/assets/${asset.id}`, { condition: 'B', lat: 53.3879587, lon: -2.3520922, version: asset.version }, tokens.traffordWrite)
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toMatchObject({ condition: 'B', sourceCrs: 'EPSG:4326', name: 'Mobile library van', acquisitionCostPence: 4_825_050, version: asset.version + 1 })
    const stale = await call('PATCH', `/api/v1/assets/${asset.id}`, { condition: 'D', version: asset.version }, tokens.traffordWrite)
    expect(stale.statusCode).toBe(409)
    expect(problemOf(stale).detail).toMatch(/Someone else changed this asset/)
    const noVersion = await call('PATCH', `/api/v1/assets/${asset.id}`, { condition: 'D' }, tokens.traffordWrite)
    expect(noVersion.statusCode).toBe(400)
    expect(problemOf(noVersion).errors![0]!.name).toBe('version')
    const disposed = await call('PATCH', `/api/v1/assets/${asset.id}`, { status: 'disposed', disposalDate: '2025-06-30', disposalMethod: 'auction', disposalProceedsPence: 1_200_000, version: asset.version + 1 }, tokens.traffordWrite)
    expect(disposed.json()).toMatchObject({ status: 'disposed', disposalProceedsPence: 1_200_000 })
    const history = await call('GET', `/api/v1/audit?entity=asset&id=${asset.id}`)
    expect(history.json().items.map((e: { action: string }) => e.action)).toEqual(['asset.dispose', 'asset.update', 'asset.create'])
    expect((await call('GET', '/api/v1/assets/99999')).statusCode).toBe(404)
    expect((await call('GET', '/api/v1/assets/not-a-number')).statusCode).toBe(400)
  })

  it('looks up CPV codes by digits and words', async () => {
    const digits = await call('GET', '/api/v1/cpv?q=30200000&limit=5')
    expect(digits.statusCode).toBe(200)
    expect(digits.json().items[0]).toEqual({ code: '30200000', checkDigit: '1', label: 'Computer equipment and supplies' })
    expect(digits.json().total).toBeGreaterThan(5)
    expect(digits.json().items).toHaveLength(5)
    const words = await call('GET', '/api/v1/cpv?q=portable%20computers')
    expect(words.json().items[0]).toMatchObject({ code: '30213100' })
    expect((await call('GET', '/api/v1/cpv')).statusCode).toBe(400)
  })

  it('imports a register sent as text/csv, reporting rejected rows as problem+json', async () => {
    const ok = await call('POST', '/api/v1/assets/import', readFileSync(path.join(FIXTURES, 'messy-register.csv')), tokens.traffordWrite, 'text/csv')
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ rows: 5, created: 5, saved: true, format: 'generic' })
    const again = await call('POST', '/api/v1/assets/import?dryRun=true', readFileSync(path.join(FIXTURES, 'messy-register.csv')), tokens.traffordWrite, 'text/csv')
    expect(again.json()).toMatchObject({ unchanged: 5, saved: false, dryRun: true })
    const rejected = await call('POST', '/api/v1/assets/import', readFileSync(path.join(FIXTURES, 'rejections.csv')), tokens.traffordWrite, 'text/csv')
    expect(rejected.statusCode).toBe(422)
    const problem = problemOf(rejected) as ReturnType<typeof problemOf> & { report: { rejectedRows: number; saved: boolean } }
    expect(problem.errors![0]).toEqual({ name: 'line 3, column name', message: 'Enter the name of the asset' })
    expect(problem.report).toMatchObject({ rejectedRows: 12, saved: false })
    const broken = await call('POST', '/api/v1/assets/import', readFileSync(path.join(FIXTURES, 'broken-quote.csv')), tokens.traffordWrite, 'text/csv')
    expect(problemOf(broken)).toMatchObject({ status: 422, detail: 'The file could not be read as an asset register: nothing was saved.', errors: [{ name: 'line 3' }] })
    expect((await call('POST', '/api/v1/assets/import', 'a,b', undefined, 'text/csv')).statusCode).toBe(401)
    expect((await call('POST', '/api/v1/assets/import', 'a,b', tokens.traffordRead, 'text/csv')).statusCode).toBe(403)
    expect((await call('POST', '/api/v1/assets/import', { a: 1 }, tokens.traffordWrite)).statusCode).toBe(415)
  })

  it('describes every asset endpoint in the OpenAPI document', async () => {
    const paths = Object.keys((await call('GET', '/api/v1/openapi.json')).json().paths)
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/assets', '/api/v1/assets/{id}', '/api/v1/assets/import', '/api/v1/cpv']))
  })
})
