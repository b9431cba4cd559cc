import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'

const GRITTING = {
  title: 'Gritting routes',
  description: 'The roads the council grits in winter.',
  reference: 'HWY-001',
  keywords: ['roads', 'winter'],
  themes: ['TRAN', 'ENVI'],
  frequency: 'annual',
  temporalStart: '2024-04-01',
  spatial: 'E08000009',
  contactEmail: 'Highways@Trafford.gov.uk',
}

describeEachEngine('datasets API', (ctx) => {
  let app: FastifyInstance
  const tokens: Record<'traffordWrite' | 'traffordRead' | 'manchesterWrite' | 'revoked', string> = {} as never

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    tokens.traffordWrite = (await services.accounts.createToken(system, 'trafford', { name: 'Nightly upload', scope: 'write' })).secret
    tokens.traffordRead = (await services.accounts.createToken(system, 'trafford', { name: 'Dashboard', scope: 'read' })).secret
    tokens.manchesterWrite = (await services.accounts.createToken(system, 'manchester', { name: 'Manchester upload', scope: 'write' })).secret
    const revoked = await services.accounts.createToken(system, 'trafford', { name: 'Old script', scope: 'write' })
    await services.accounts.revokeToken(system, 'trafford', revoked.token.id)
    tokens.revoked = revoked.secret
    app = await buildTestApp(ctx())
  })
  afterAll(async () => {
    await app?.close()
  })

  function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown, token?: string): Promise<LightMyRequestResponse> {
    return app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    })
  }

  const write = (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown) => call(method, url, body, tokens.traffordWrite)

  it('runs the whole lifecycle with a write token: declare → schedule → move → release → publish → withdraw', async () => {
    const created = await write('POST', '/api/v1/datasets', GRITTING)
    expect(created.statusCode).toBe(201)
    const dataset = created.json()
    expect(created.headers.location).toBe(`/api/v1/datasets/${dataset.id}`)
    expect(dataset).toMatchObject({
      identifier: `http://lgds.test/datasets/${dataset.id}`,
      title: 'Gritting routes',
      reference: 'HWY-001',
      keywords: ['roads', 'winter'],
      themes: ['TRAN', 'ENVI'],
      accessLevel: 'open',
      accessReason: null,
      licence: 'OGL-UK-3.0',
      contactEmail: 'highways@trafford.gov.uk',
      status: 'declared',
      version: 1,
    })
    const trafford = await ctx().services.organisations.getBySlug('trafford')
    expect(dataset.organisationId).toBe(trafford.id)

    const release = await write('POST', `/api/v1/datasets/${dataset.id}/releases`, { plannedDate: '2027-03', note: 'After the winter survey' })
    expect(release.statusCode).toBe(201)
    expect(release.json()).toMatchObject({ label: 'March 2027', precision: 'month', state: 'provisional', overdue: false, changeNote: 'After the winter survey' })
    const releaseId = release.json().id as string

    const moved = await write('PATCH', `/api/v1/releases/${releaseId}`, { plannedDate: '2027-06', state: 'confirmed', note: 'Survey delayed' })
    expect(moved.statusCode).toBe(200)
    expect(moved.json()).toMatchObject({ label: 'June 2027', firstLabel: 'March 2027', state: 'confirmed' })
    expect(moved.json().changes.map((c: { summary: string }) => c.summary)).toEqual(['Planned for March 2027; Provisional', 'Moved from March 2027 to June 2027; Provisional → confirmed'])
    expect(moved.json().changes[1]).toMatchObject({ actor: 'API token “Nightly upload”', note: 'Survey delayed', fromDate: '2027-03-01', toDate: '2027-06-01' })

    let read = await call('GET', `/api/v1/datasets/${dataset.id}`)
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({
      dataset: { id: dataset.id, status: 'scheduled', nextReleaseDate: '2027-06-01' },
      publisher: { slug: 'trafford', name: 'Trafford Metropolitan Borough Council' },
      releases: [{ id: releaseId, label: 'June 2027' }],
      distributions: [],
    })

    const released = await write('POST', `/api/v1/releases/${releaseId}/released`, {
      distribution: { title: 'Routes 2027', downloadUrl: 'https://data.trafford.gov.uk/gritting.csv', format: 'csv', mediaType: 'text/csv', byteSize: 48213 },
    })
    expect(released.statusCode).toBe(200)
    expect(released.json()).toMatchObject({
      dataset: { status: 'published' },
      releases: [{ state: 'released' }],
      distributions: [{ title: 'Routes 2027', format: 'CSV', byteSize: 48213, releaseId }],
    })
    expect(released.json().dataset.publishedAt).toEqual(expect.any(String))

    const version = released.json().dataset.version as number
    const updated = await write('PUT', `/api/v1/datasets/${dataset.id}`, { ...GRITTING, title: 'Winter gritting routes', licence: 'CC-BY-4.0', version })
    expect(updated.statusCode).toBe(200)
    expect(updated.json()).toMatchObject({ title: 'Winter gritting routes', licence: 'CC-BY-4.0', status: 'published', version: version + 1 })

    const withdrawn = await write('POST', `/api/v1/datasets/${dataset.id}/withdraw`, { reason: 'Replaced by the county dataset', version: version + 1 })
    expect(withdrawn.statusCode).toBe(200)
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', withdrawnReason: 'Replaced by the county dataset', nextReleaseDate: null })

    read = await call('GET', `/api/v1/datasets/${dataset.id}`)
    expect(read.json().dataset.status).toBe('withdrawn')
    expect(read.json().releases).toHaveLength(1)
    expect(read.json().distributions).toHaveLength(1)

    const history = await call('GET', `/api/v1/audit?entity=dataset&id=${dataset.id}`)
    expect(history.json().items.map((e: { action: string }) => e.action)).toEqual(['dataset.withdraw', 'dataset.update', 'dataset.create'])
    expect(history.json().items[0].actor).toBe('API token “Nightly upload”')
  })

  it('declares a dataset with its published distributions at once', async () => {
    const created = await write('POST', '/api/v1/datasets', {
      ...GRITTING,
      title: 'Public toilets',
      reference: 'FAC-002',
      organisation: 'trafford',
      distributions: [{ title: 'Toilets (CSV)', downloadUrl: 'https://data.trafford.gov.uk/toilets.csv', format: 'CSV', byteSize: '1,024' }],
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ title: 'Public toilets', status: 'published' })
    const detail = await call('GET', `/api/v1/datasets/${created.json().id}`)
    expect(detail.json().distributions).toMatchObject([{ title: 'Toilets (CSV)', byteSize: 1024 }])
  })

  it('answers 422 problem+json naming every failing field as the service names it', async () => {
    const before = await countRows()
    const bad = await write('POST', '/api/v1/datasets', {
      title: '',
      themes: ['MOON'],
      accessLevel: 'restricted',
      licence: 'WTFPL',
      frequency: 'hourly',
      temporalStart: '2024-02-30',
      spatial: 'Trafford',
      distributions: [{ title: 'x', downloadUrl: 'ftp://nope' }],
    })
    expect(bad.statusCode).toBe(422)
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/)
    const problem = bad.json()
    expect(problem).toMatchObject({ status: 422, title: 'Validation failed', instance: '/api/v1/datasets' })
    expect(problem.errors.map((e: { name: string }) => e.name).sort()).toEqual(
      ['accessExplanation', 'accessReason', 'description', 'distributions/0/downloadUrl', 'frequency', 'licence', 'spatial', 'temporalStart', 'themes', 'title'].sort(),
    )
    expect(problem.errors.find((e: { name: string }) => e.name === 'licence').message).toContain('Unknown licence “WTFPL”')

    const dataset = (await write('POST', '/api/v1/datasets', { ...GRITTING, title: 'Street lights', reference: 'LIGHT-1' })).json()
    const release = (await write('POST', `/api/v1/datasets/${dataset.id}/releases`, { plannedDate: '2027-Q1' })).json()
    const afterGood = await countRows()

    const badRelease = await write('POST', `/api/v1/datasets/${dataset.id}/releases`, { plannedDate: 'soon', state: 'released' })
    expect(badRelease.statusCode).toBe(422)
    expect(badRelease.json().errors.map((e: { name: string }) => e.name)).toEqual(['plannedDate', 'state'])

    const badMove = await write('PATCH', `/api/v1/releases/${release.id}`, { plannedDate: '2027-13' })
    expect(badMove.statusCode).toBe(422)
    expect(badMove.json().errors).toEqual([{ name: 'plannedDate', message: 'Enter the planned date as a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1)' }])

    const badReleased = await write('POST', `/api/v1/releases/${release.id}/released`, { distribution: { mediaType: 'csv' } })
    expect(badReleased.statusCode).toBe(422)
    expect(badReleased.json().errors.map((e: { name: string }) => e.name)).toEqual(['distribution.accessUrl', 'distribution.mediaType'])

    const badDistribution = await write('POST', `/api/v1/datasets/${dataset.id}/distributions`, { accessUrl: 'javascript:alert(1)' })
    expect(badDistribution.statusCode).toBe(422)
    expect(badDistribution.json().errors.map((e: { name: string }) => e.name)).toEqual(['accessUrl'])

    const badWithdraw = await write('POST', `/api/v1/datasets/${dataset.id}/withdraw`, { reason: ' ', version: 2 })
    expect(badWithdraw.statusCode).toBe(422)
    expect(badWithdraw.json().errors.map((e: { name: string }) => e.name)).toEqual(['reason'])

    const badUpdate = await write('PUT', `/api/v1/datasets/${dataset.id}`, { title: 'No themes', version: 2 })
    expect(badUpdate.statusCode).toBe(422)
    expect(badUpdate.json().errors.map((e: { name: string }) => e.name).sort()).toEqual(['description', 'frequency', 'themes'])

    // A malformed body (not the service's checks) is a 400 with the property named.
    const noVersion = await write('PUT', `/api/v1/datasets/${dataset.id}`, { ...GRITTING })
    expect(noVersion.statusCode).toBe(400)
    expect(noVersion.json().errors).toEqual([expect.objectContaining({ name: 'version' })])

    expect(await countRows()).toEqual(afterGood)
    expect(afterGood.datasets).toBe(before.datasets + 1)
  })

  it('refuses a stale version with 409 and changes nothing', async () => {
    const dataset = (await write('POST', '/api/v1/datasets', { ...GRITTING, title: 'Parks', reference: 'PARK-1' })).json()
    expect((await write('PUT', `/api/v1/datasets/${dataset.id}`, { ...GRITTING, reference: 'PARK-1', title: 'Parks and gardens', version: 1 })).statusCode).toBe(200)

    const stale = await write('PUT', `/api/v1/datasets/${dataset.id}`, { ...GRITTING, reference: 'PARK-1', title: 'Green spaces', version: 1 })
    expect(stale.statusCode).toBe(409)
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(stale.json()).toMatchObject({ status: 409, title: 'Conflict', detail: expect.stringContaining('Someone else changed this dataset') })
    const staleWithdraw = await write('POST', `/api/v1/datasets/${dataset.id}/withdraw`, { reason: 'Gone', version: 1 })
    expect(staleWithdraw.statusCode).toBe(409)

    const current = (await call('GET', `/api/v1/datasets/${dataset.id}`)).json().dataset
    expect(current).toMatchObject({ title: 'Parks and gardens', status: 'declared', version: 2 })

    // A duplicate reference within the body is named, not a server error.
    const duplicate = await write('POST', '/api/v1/datasets', { ...GRITTING, title: 'Parks again', reference: 'PARK-1' })
    expect(duplicate.statusCode).toBe(422)
    expect(duplicate.json().errors).toEqual([{ name: 'reference', message: expect.stringContaining('PARK-1') }])
  })

  it('answers 404 problem+json for unknown datasets and releases', async () => {
    const missing = '00000000-0000-0000-0000-000000000000'
    for (const response of [
      await call('GET', `/api/v1/datasets/${missing}`),
      await write('PUT', `/api/v1/datasets/${missing}`, { ...GRITTING, version: 1 }),
      await write('POST', `/api/v1/datasets/${missing}/releases`, { plannedDate: '2027-01' }),
      await write('PATCH', `/api/v1/releases/${missing}`, { state: 'confirmed' }),
      await write('POST', `/api/v1/releases/${missing}/released`, { distribution: { downloadUrl: 'https://example.org/x.csv' } }),
    ]) {
      expect(response.statusCode).toBe(404)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
  })

  it('documents every route in the OpenAPI document, writes with the bearer token scheme', async () => {
    const document = (await call('GET', '/api/v1/openapi.json')).json()
    const operations: [string, string][] = [
      ['/api/v1/datasets/{id}', 'get'],
      ['/api/v1/datasets', 'post'],
      ['/api/v1/datasets/{id}', 'put'],
      ['/api/v1/datasets/{id}/withdraw', 'post'],
      ['/api/v1/datasets/{id}/releases', 'post'],
      ['/api/v1/releases/{id}', 'patch'],
      ['/api/v1/releases/{id}/released', 'post'],
      ['/api/v1/datasets/{id}/distributions', 'post'],
    ]
    for (const [route, method] of operations) {
      const operation = document.paths[route]?.[method]
      expect(operation, `${method} ${route}`).toBeDefined()
      expect(operation.tags).toEqual(['Datasets'])
      expect(operation.summary).toEqual(expect.any(String))
      if (method !== 'get') {
        expect(operation.security).toEqual([{ bearerToken: [] }])
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '422']))
      }
    }
    // Search over datasets is another route's; this file defines only the one-dataset read.
    expect(document.paths['/api/v1/datasets']?.post).toBeDefined()
  })

  // ---- who may write ----

  async function countRows() {
    const { db } = ctx()
    const count = async (table: 'datasets' | 'releases' | 'release_changes' | 'distributions' | 'audit_log') =>
      Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    return {
      datasets: await count('datasets'),
      releases: await count('releases'),
      changes: await count('release_changes'),
      distributions: await count('distributions'),
      audit: await count('audit_log'),
    }
  }

  describe('refuses every write to callers who may not write for the body, and nothing changes', () => {
    const callers: { name: string; token: () => string | undefined; status: number }[] = [
      { name: 'no token', token: () => undefined, status: 401 },
      { name: 'a revoked token', token: () => tokens.revoked, status: 401 },
      { name: 'a malformed token', token: () => 'not-a-token', status: 401 },
      { name: 'the body’s read token', token: () => tokens.traffordRead, status: 403 },
      { name: 'another body’s write token', token: () => tokens.manchesterWrite, status: 403 },
    ]

    for (const caller of callers) {
      it(caller.name, async () => {
        const { services } = ctx()
        const dataset = await services.datasets.declare(system, 'trafford', { ...GRITTING, reference: undefined, title: `Guarded from ${caller.name}` })
        const release = await services.datasets.addRelease(system, dataset.id, { plannedDate: '2029-04' })
        const before = { rows: await countRows(), detail: await services.datasets.get(dataset.id) }

        const writes: [method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown][] = [
          // Another body's token declares only for its own body: naming Trafford is refused.
          ['POST', '/api/v1/datasets', { ...GRITTING, reference: undefined, title: 'Sneaky', organisation: 'trafford' }],
          ['PUT', `/api/v1/datasets/${dataset.id}`, { ...GRITTING, reference: undefined, title: 'Hijacked', version: dataset.version }],
          ['POST', `/api/v1/datasets/${dataset.id}/withdraw`, { reason: 'Because', version: dataset.version + 1 }],
          ['POST', `/api/v1/datasets/${dataset.id}/releases`, { plannedDate: '2030-01', state: 'confirmed' }],
          ['PATCH', `/api/v1/releases/${release.id}`, { plannedDate: '2031-01', state: 'cancelled' }],
          ['POST', `/api/v1/releases/${release.id}/released`, { distribution: { downloadUrl: 'https://evil.example/x.csv' } }],
          ['POST', `/api/v1/datasets/${dataset.id}/distributions`, { downloadUrl: 'https://evil.example/y.csv' }],
        ]
        for (const [method, url, body] of writes) {
          const response = await call(method, url, body, caller.token())
          expect(response.statusCode, `${method} ${url}`).toBe(caller.status)
          expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
          expect(response.json().status).toBe(caller.status)
        }
        if (caller.name === 'no token') {
          // A bare POST declares nothing either, for a body of its own choosing or not.
          expect((await call('POST', '/api/v1/datasets', { ...GRITTING, reference: undefined, title: 'Sneaky' })).statusCode).toBe(401)
        }
        expect({ rows: await countRows(), detail: await services.datasets.get(dataset.id) }).toEqual(before)
      })
    }

    it('another body’s write token declares for its own body only', async () => {
      const created = await call('POST', '/api/v1/datasets', { ...GRITTING, reference: undefined, title: 'Manchester bins' }, tokens.manchesterWrite)
      expect(created.statusCode).toBe(201)
      const manchester = await ctx().services.organisations.getBySlug('manchester')
      expect(created.json().organisationId).toBe(manchester.id)
    })

    it('cookies count for nothing in the API: a signed-in browser session is anonymous there', async () => {
      const response = await app.inject({ method: 'POST', url: '/api/v1/datasets', payload: GRITTING, headers: { cookie: 'lgds_session=anything' } })
      expect(response.statusCode).toBe(401)
    })
  })
})
