import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { PUBLIC_TITLES, seedCkanFixture } from '../../../test/fixtures/ckan/catalogue.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser } from '../../../test/support/fixtures.js'
import { buildTestApp } from '../../../test/support/web.js'

const CKAN_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/
const HELP = (name: string) => `http://lgds.test/api/3/action/help_show?name=${name}`

describeEachEngine('the CKAN Action API', (ctx) => {
  let app: FastifyInstance
  let ids: Map<string, string>
  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url })
    return { status: response.statusCode, type: response.headers['content-type'], headers: response.headers, body: JSON.parse(response.body) }
  }
  const result = async (url: string) => {
    const answer = await get(url)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    return answer.body.result
  }

  beforeAll(async () => {
    ids = await seedCkanFixture(ctx().services)
    app = await buildTestApp(ctx())
  }, 60_000)
  afterAll(async () => {
    await app?.close()
  })

  it('answers package_search in CKAN’s envelope with only the open, active datasets', async () => {
    const answer = await get('/api/3/action/package_search')
    expect(answer.status).toBe(200)
    expect(answer.type).toBe('application/json;charset=utf-8')
    expect(answer.headers['access-control-allow-origin']).toBe('*')
    expect(answer.body).toMatchObject({ help: HELP('package_search'), success: true })
    const { count, results, sort, facets, search_facets } = answer.body.result
    expect(count).toBe(7)
    expect(sort).toBe('score desc, metadata_modified desc')
    expect(results.map((r: { title: string }) => r.title).sort()).toEqual(PUBLIC_TITLES)
    // Without words to rank by, the newest change comes first.
    const modified = results.map((r: { metadata_modified: string }) => r.metadata_modified)
    expect(modified).toEqual([...modified].sort().reverse())
    expect(facets).toEqual({})
    expect(search_facets).toEqual({})
  })

  it('shows a dataset by id or by name with CKAN 2.10’s package fields', async () => {
    const id = ids.get('Gritting routes')!
    const byId = await result(`/api/3/action/package_show?id=${id}`)
    expect(byId.name).toBe(`gritting-routes-${id}`)
    expect(await result(`/api/3/action/package_show?id=${byId.name}`)).toEqual(byId)
    const { organization, resources, tags, groups, extras, ...rest } = byId
    expect(rest).toMatchObject({
      id,
      title: 'Gritting routes',
      notes: 'The roads the council grits in winter.',
      url: `http://lgds.test/datasets/${id}`,
      state: 'active',
      private: false,
      type: 'dataset',
      license_id: 'OGL-UK-3.0',
      license_title: 'Open Government Licence v3.0',
      license_url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/',
      isopen: true,
      author: 'Trafford Metropolitan Borough Council',
      maintainer: 'Highways team',
      maintainer_email: 'highways@trafford.gov.uk',
      owner_org: organization.id,
      num_resources: 1,
      num_tags: 2,
      relationships_as_subject: [],
      relationships_as_object: [],
    })
    expect(rest.metadata_created).toMatch(CKAN_DATE)
    expect(rest.metadata_modified).toMatch(CKAN_DATE)
    expect(organization).toMatchObject({ name: 'trafford', title: 'Trafford Metropolitan Borough Council', type: 'organization', is_organization: true, state: 'active', approval_status: 'approved' })
    expect(tags).toEqual([
      { name: 'roads', display_name: 'roads', state: 'active', vocabulary_id: null },
      { name: 'winter', display_name: 'winter', state: 'active', vocabulary_id: null },
    ])
    expect(groups).toEqual([{ id: 'tran', name: 'tran', title: 'Transport', display_name: 'Transport', description: '', image_display_url: '' }])
    expect(resources).toHaveLength(1)
    expect(resources[0]).toMatchObject({ package_id: id, name: 'gritting (CSV)', url: 'https://data.example.gov.uk/gritting.csv', format: 'CSV', mimetype: 'text/csv', size: 2048, position: 0, state: 'active' })
    expect(resources[0].created).toMatch(CKAN_DATE)
    const extra = Object.fromEntries(extras.map((e: { key: string; value: string }) => [e.key, e.value]))
    expect(extra).toMatchObject({
      access_level: 'open',
      access_rights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
      frequency: 'http://publications.europa.eu/resource/authority/frequency/ANNUAL',
      identifier: `http://lgds.test/datasets/${id}`,
      reference: 'HW-1',
      spatial_uri: 'http://statistics.data.gov.uk/id/statistical-geography/E08000009',
      status: 'published',
      theme: JSON.stringify(['http://publications.europa.eu/resource/authority/data-theme/TRAN']),
    })
    expect(extras.map((e: { key: string }) => e.key)).toEqual([...extras.map((e: { key: string }) => e.key)].sort())
  })

  it('puts the planned release and period covered in extras', async () => {
    const air = await result(`/api/3/action/package_show?id=${ids.get('Air quality monitoring')}`)
    const extra = Object.fromEntries(air.extras.map((e: { key: string; value: string }) => [e.key, e.value]))
    expect(extra).toMatchObject({ planned_release_date: '2031-06-01', planned_release_precision: 'month', planned_release_state: 'confirmed', temporal_start: '2024-04-01', temporal_end: '2025-03-31', status: 'scheduled' })
    expect(air.resources).toEqual([])
  })

  it('answers a withdrawn dataset as deleted, and hides datasets that are not open', async () => {
    const withdrawn = await result(`/api/3/action/package_show?id=${ids.get('Street lighting inventory')}`)
    expect(withdrawn.state).toBe('deleted')
    expect(withdrawn.extras).toContainEqual({ key: 'withdrawn_reason', value: 'Replaced by the county inventory' })
    for (const title of ['Leisure centre attendance', 'Adult social care packages']) {
      const answer = await get(`/api/3/action/package_show?id=${ids.get(title)}`)
      expect(answer.status).toBe(404)
      expect(answer.body).toEqual({ help: HELP('package_show'), success: false, error: { __type: 'Not Found Error', message: 'Not found' } })
    }
    expect((await get('/api/3/action/package_show?id=no-such-dataset')).status).toBe(404)
  })

  it('lists public dataset names in id order, a page at a time', async () => {
    const all = await result('/api/3/action/package_list')
    const publicIds = PUBLIC_TITLES.map((t) => ids.get(t)!).sort()
    expect(all).toEqual(publicIds.map((id) => expect.stringMatching(new RegExp(`^[a-z0-9-]+-${id}$`))))
    expect(await result('/api/3/action/package_list?limit=3&offset=2')).toEqual(all.slice(2, 5))
    expect(await result('/api/3/action/package_list?offset=5')).toEqual(all.slice(5))
  })

  it('lists organisations by title, or in full sorted by dataset count', async () => {
    expect(await result('/api/3/action/organization_list')).toEqual(['leeds', 'manchester', 'trafford'])
    expect(await result('/api/3/action/organization_list?sort=name%20desc&limit=2')).toEqual(['trafford', 'manchester'])
    const full = await result('/api/3/action/organization_list?all_fields=true&sort=package_count%20desc')
    expect(full.map((o: { name: string; package_count: number }) => [o.name, o.package_count])).toEqual([
      ['leeds', 3],
      ['trafford', 3],
      ['manchester', 1],
    ])
    expect(full[0]).toMatchObject({ title: 'Leeds City Council', display_name: 'Leeds City Council', type: 'organization', is_organization: true, state: 'active', image_display_url: '' })
    expect(await result('/api/3/action/organization_list?offset=1&limit=1')).toEqual(['manchester'])
    const bad = await get('/api/3/action/organization_list?sort=created%20asc')
    expect(bad.status).toBe(409)
    expect(bad.body.error).toEqual({ message: 'Cannot sort by field `created`', __type: 'Validation Error' })
  })

  it('shows an organisation by name or id, with its public datasets when asked', async () => {
    const leeds = await result('/api/3/action/organization_show?id=leeds')
    expect(leeds).toMatchObject({ name: 'leeds', title: 'Leeds City Council', package_count: 3, extras: [{ key: 'identifier', value: 'E08000035' }, { key: 'organisation_type', value: 'Metropolitan district' }] })
    expect(leeds.packages).toBeUndefined()
    const withDatasets = await result(`/api/3/action/organization_show?id=${leeds.id}&include_datasets=true`)
    expect(withDatasets.packages.map((p: { title: string }) => p.title).sort()).toEqual(['Cycle route network', 'Libraries and opening hours', 'Recycling rates by ward'])
    const manchester = await result('/api/3/action/organization_show?id=manchester&include_datasets=true')
    expect(manchester.packages.map((p: { title: string }) => p.title)).toEqual(['Bus route changes'])
    expect((await get('/api/3/action/organization_show?id=nowhere')).status).toBe(404)
  })

  it('answers CKAN’s errors in CKAN’s shapes, never problem+json', async () => {
    const cases: [string, number, unknown][] = [
      ['/api/3/action/package_search?rows=abc', 409, { rows: ['Invalid integer'], __type: 'Validation Error' }],
      ['/api/3/action/package_search?rows=-1&start=x', 409, { rows: ['Must be a natural number'], start: ['Invalid integer'], __type: 'Validation Error' }],
      ['/api/3/action/package_search?facet.field=organization', 409, { 'facet.field': ['Could not parse as valid JSON'], __type: 'Validation Error' }],
      ['/api/3/action/package_search?facet.field={"a":1}', 409, { 'facet.field': ['Not a list'], __type: 'Validation Error' }],
      ['/api/3/action/package_show', 409, { id: ['Missing value'], __type: 'Validation Error' }],
      ['/api/3/action/package_search?fq=organization:(leeds', 400, { __type: 'Search Query Error', message: "Search Query is invalid: 'A bracket is not closed'" }],
      ['/api/3/action/package_search?fq=metadata_modified:[yesterday%20TO%20*]', 400, { __type: 'Search Query Error', message: expect.stringContaining('Invalid date') }],
      ['/api/3/action/package_search?sort=popularity%20desc', 400, { __type: 'Search Query Error', message: `Search Query is invalid: 'Invalid "sort" parameter'` }],
      ['/api/3/action/help_show?name=nope', 404, { __type: 'Not Found Error', message: 'Not found: Action function not found' }],
    ]
    for (const [url, status, error] of cases) {
      const answer = await get(url)
      expect(answer.status, url).toBe(status)
      expect(answer.type, url).toBe('application/json;charset=utf-8')
      expect(answer.body, url).toEqual({ help: expect.stringMatching(/^http:\/\/lgds\.test\/api\/3\/action\/help_show\?name=/), success: false, error })
    }
    const unknown = await get('/api/3/action/package_delete')
    expect(unknown.status).toBe(400)
    expect(unknown.type).toBe('application/json;charset=utf-8')
    expect(unknown.body).toBe('Bad request - Action name not known: package_delete')
  })

  it('reads parameters from a POSTed JSON or form body as CKAN does', async () => {
    const token = await readToken()
    const post = (payload: string, type: string) =>
      app.inject({ method: 'POST', url: '/api/3/action/package_search', headers: { 'content-type': type, authorization: `Bearer ${token}` }, payload })
    const json = await post(JSON.stringify({ fq: 'organization:leeds', rows: 2, sort: 'title_string asc', 'facet.field': ['res_format'] }), 'application/json')
    expect(json.statusCode).toBe(200)
    const body = JSON.parse(json.body).result
    expect(body.count).toBe(3)
    expect(body.results.map((r: { title: string }) => r.title)).toEqual(['Cycle route network', 'Libraries and opening hours'])
    expect(body.facets).toEqual({ res_format: { CSV: 1, GEOJSON: 1, JSON: 1, XLSX: 1 } })
    const form = await post('fq=organization%3Amanchester&rows=5', 'application/x-www-form-urlencoded')
    expect(JSON.parse(form.body).result.results.map((r: { title: string }) => r.title)).toEqual(['Bus route changes'])
    const empty = await post('', 'application/json')
    expect(JSON.parse(empty.body).result.count).toBe(7)
    const broken = await post('{"rows": ', 'application/json')
    expect(broken.statusCode).toBe(400)
    expect(JSON.parse(broken.body)).toMatch(/^Bad request - JSON Error: /)
    const list = await post('[1, 2]', 'application/json')
    expect(list.statusCode).toBe(400)
    expect(JSON.parse(list.body)).toMatch(/needs to be a dictionary/)
  })

  it('serves anonymous POSTs and ignores CKAN API keys, as a read-only CKAN would', async () => {
    const anonymous = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ id: ids.get('Gritting routes') }) })
    expect(anonymous.statusCode, anonymous.body).toBe(200)
    const withKey = await app.inject({ method: 'GET', url: '/api/3/action/package_list', headers: { authorization: 'a-ckan-api-key' } })
    expect(withKey.statusCode, withKey.body).toBe(200)
  })

  it('answers CORS preflights, the unversioned path, help_show and status_show', async () => {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/api/3/action/package_search', headers: { origin: 'https://tool.example', 'access-control-request-method': 'POST' } })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers['access-control-allow-origin']).toBe('*')
    expect(preflight.headers['access-control-allow-methods']).toContain('POST')
    expect((await result(`/api/action/package_show?id=${ids.get('Gritting routes')}`)).title).toBe('Gritting routes')
    expect((await get('/api/3')).body).toEqual({ version: 3 })
    expect(await result('/api/3/action/help_show?name=package_search')).toMatch(/rows/)
    expect(await result('/api/3/action/status_show')).toMatchObject({ ckan_version: '2.10.0', site_url: 'http://lgds.test' })
  })

  async function readToken(): Promise<string> {
    const { services } = ctx()
    const admin = await makeUser(services, { org: 'trafford', role: 'admin' })
    const created = await services.accounts.createToken(admin.actor, 'trafford', { name: `CKAN reader ${Date.now()}`, scope: 'read' })
    return created.secret
  }
})
