import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeEachEngine, testConfig, type EngineContext } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../../../test/support/fixtures.js'
import { WebClient, csrfOf, errorSummary } from '../../../test/support/web.js'
import { ROAD_WORKS } from '../../../test/fixtures/datasets/road-works.js'
import { buildApp } from '../../app.js'
import { createServices } from '../../services.js'
import type { Dataset } from './model.js'
import { scriptJson } from './json-ld.js'
import { formatBytes } from './page-parts.js'

/** The app on the suite's database, with a sign-in limit high enough for many sign-ins. */
function appFor(context: EngineContext): Promise<FastifyInstance> {
  const config = testConfig({ SIGN_IN_RATE_LIMIT: '10000' })
  return buildApp({ config, db: context.db, services: createServices(config, context.db) })
}

function jsonLdOf(html: string): Record<string, unknown> {
  const match = /<script type="application\/ld\+json" nonce="[^"]+">([\s\S]*?)<\/script>/.exec(html)
  if (!match) throw new Error('no JSON-LD on the page')
  return JSON.parse(match[1]!) as Record<string, unknown>
}

/**
 * Posts a form with repeated fields (checkboxes), which `WebClient.post` cannot express as a
 * record; URLSearchParams reads the list of pairs the same way a browser sends them.
 */
async function postPairs(client: WebClient, pageUrl: string, action: string, pairs: [string, string][]): Promise<LightMyRequestResponse> {
  const page = await client.get(pageUrl)
  expect(page.statusCode, `form page ${pageUrl}`).toBe(200)
  return client.post(action, [['_csrf', csrfOf(page.body)], ...pairs] as unknown as Record<string, string>)
}

const DECLARATION: [string, string][] = [
  ['title', 'Gritting routes'],
  ['description', 'The roads the council grits in winter.\n\nPriority 1 routes are treated first.'],
  ['reference', 'HWY-001'],
  ['keywords', 'roads, winter, gritting'],
  ['themes', 'TRAN'],
  ['themes', 'ENVI'],
  ['accessLevel', 'open'],
  ['licence', 'OGL-UK-3.0'],
  ['frequency', 'annual'],
  ['temporalStart', '2024-04-01'],
  ['temporalEnd', '2025-03-31'],
  ['spatial', 'E08000009'],
  ['contactName', 'Highways data team'],
  ['contactEmail', 'highways@trafford.gov.uk'],
]

describeEachEngine('dataset pages', (ctx) => {
  let app: FastifyInstance
  let editor: Awaited<ReturnType<typeof makeUser>>
  let traffordAdmin: Awaited<ReturnType<typeof makeUser>>
  let person: Awaited<ReturnType<typeof makeUser>>
  let manchesterAdmin: Awaited<ReturnType<typeof makeUser>>
  let manchesterEditor: Awaited<ReturnType<typeof makeUser>>

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    editor = await makeUser(services, { org: 'trafford', role: 'editor', name: 'Eddie Editor' })
    traffordAdmin = await makeUser(services, { org: 'trafford', role: 'admin', name: 'Tess Trafford' })
    person = await makeUser(services, { name: 'Pat Public' })
    manchesterAdmin = await makeUser(services, { org: 'manchester', role: 'admin', name: 'Max Manchester' })
    manchesterEditor = await makeUser(services, { org: 'manchester', role: 'editor', name: 'Mo Manchester' })
    app = await appFor(ctx())
  })
  afterAll(async () => {
    await app?.close()
  })

  async function signedIn(email: string): Promise<WebClient> {
    const client = new WebClient(app)
    await client.signIn(email, PASSWORD)
    return client
  }

  it('takes an editor through declare → schedule → move → release → publish → withdraw, in pages', async () => {
    const client = await signedIn(editor.email)

    const form = await client.get('/organisations/trafford/datasets/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('<h1 class="govuk-heading-l">Declare a dataset</h1>')
    // OGL is chosen unless the editor picks another licence; open is the default access.
    expect(form.body).toMatch(/<option value="OGL-UK-3.0" selected>Open Government Licence v3.0<\/option>/)
    expect(form.body).toMatch(/<input class="govuk-radios__input" id="accessLevel" name="accessLevel" type="radio" value="open" checked/)

    const declared = await postPairs(client, '/organisations/trafford/datasets/new', '/organisations/trafford/datasets/new', DECLARATION)
    expect(declared.statusCode).toBe(303)
    const id = /^\/datasets\/([0-9a-f-]{36})$/.exec(declared.headers.location as string)?.[1]
    expect(id).toBeDefined()
    const stored = (await ctx().services.datasets.get(id!)).dataset
    expect(stored).toMatchObject({
      title: 'Gritting routes',
      reference: 'HWY-001',
      keywords: ['roads', 'winter', 'gritting'],
      themes: ['TRAN', 'ENVI'],
      accessLevel: 'open',
      licence: 'OGL-UK-3.0',
      frequency: 'annual',
      temporalStart: '2024-04-01',
      temporalEnd: '2025-03-31',
      spatial: 'E08000009',
      contactEmail: 'highways@trafford.gov.uk',
      status: 'declared',
      version: 1,
    })

    let page = await client.get(`/datasets/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Gritting routes has been declared')
    expect(page.body).toContain('<h1 class="govuk-heading-xl govuk-!-margin-bottom-4">Gritting routes</h1>')
    expect(page.body).toMatch(/<strong class="govuk-tag govuk-tag--grey">\s*Declared\s*<\/strong>/)
    expect(page.body).toContain('<p class="govuk-body">Priority 1 routes are treated first.</p>')
    expect(page.body).toContain('<li>Transport</li>')
    expect(page.body).toContain('<li>Environment</li>')
    expect(page.body).toContain('1 April 2024 to 31 March 2025')
    expect(page.body).toContain('<a class="govuk-link" href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" rel="license noopener">Open Government Licence v3.0</a>')
    expect(page.body).toContain('Annually')
    expect(page.body).toContain('Highways data team, <a class="govuk-link" href="mailto:highways@trafford.gov.uk">highways@trafford.gov.uk</a>')
    expect(page.body).toContain('Nothing has been published yet.')
    expect(page.body).toContain('No releases are planned.')
    expect(page.body).toContain(`href="/history/dataset/${id}"`)
    expect(page.body).toContain(`<a class="govuk-link" href="/datasets/${id}/edit">Change details</a>`)

    // A planned release, first for March 2027.
    const added = await client.submit(`/datasets/${id}/releases/new`, `/datasets/${id}/releases/new`, { plannedDate: '2027-03', state: 'provisional', note: '' })
    expect(added.statusCode).toBe(303)
    expect(added.headers.location).toBe(`/datasets/${id}#releases`)
    const releaseId = (await ctx().services.datasets.get(id!)).releases[0]!.id
    page = await client.get(`/datasets/${id}`)
    expect(page.body).toContain('The release has been added to the schedule')
    expect(page.body).toContain('Release: March 2027')
    expect(page.body).toMatch(/<strong class="govuk-tag govuk-tag--yellow">\s*Provisional\s*<\/strong>/)
    expect(page.body).toMatch(/<strong class="govuk-tag">\s*Scheduled\s*<\/strong>/)
    expect(page.body).not.toContain('First due')

    // The edit form starts from the release's date as it was entered.
    const releaseForm = await client.get(`/datasets/${id}/releases/${releaseId}/edit`)
    expect(releaseForm.statusCode).toBe(200)
    expect(releaseForm.body).toMatch(/id="plannedDate" name="plannedDate" type="text" spellcheck="false" value="2027-03"/)

    const moved = await client.submit(`/datasets/${id}/releases/${releaseId}/edit`, `/datasets/${id}/releases/${releaseId}/edit`, {
      plannedDate: '2027-06',
      state: 'confirmed',
      note: 'Waiting for the new survey',
    })
    expect(moved.statusCode).toBe(303)
    page = await client.get(`/datasets/${id}`)
    expect(page.body).toContain('First due March 2027, now June 2027')
    expect(page.body).toContain('Moved from March 2027 to June 2027; Provisional → confirmed (“Waiting for the new survey”), by Eddie Editor')
    expect(page.body).toContain('Planned for March 2027; Provisional, by Eddie Editor')
    expect(page.body).toMatch(/<strong class="govuk-tag">\s*Confirmed\s*<\/strong>/)
    expect(page.body).not.toContain('Overdue')

    const released = await client.submit(`/datasets/${id}/releases/${releaseId}/released`, `/datasets/${id}/releases/${releaseId}/released`, {
      'distribution.title': 'Gritting routes 2027',
      'distribution.downloadUrl': 'https://data.trafford.gov.uk/gritting-2027.csv',
      'distribution.format': 'csv',
      'distribution.mediaType': 'text/csv',
      'distribution.byteSize': '48213',
    })
    expect(released.statusCode).toBe(303)
    page = await client.get(`/datasets/${id}`)
    expect(page.body).toContain('The June 2027 release has been marked released and Gritting routes is published')
    expect(page.body).toMatch(/<strong class="govuk-tag govuk-tag--green">\s*Published\s*<\/strong>/)
    expect(page.body).toMatch(/<strong class="govuk-tag govuk-tag--green">\s*Released\s*<\/strong>/)
    expect(page.body).toContain('Gritting routes 2027')
    expect(page.body).toContain('47.1 KB')
    expect(page.body).toContain('<a class="govuk-link" href="https://data.trafford.gov.uk/gritting-2027.csv" rel="noopener">Download<span class="govuk-visually-hidden"> Gritting routes 2027</span></a>')
    // Released releases cannot be changed, so their links are gone.
    expect(page.body).not.toContain(`/releases/${releaseId}/edit`)
    let detail = await ctx().services.datasets.get(id!)
    expect(detail.dataset.status).toBe('published')
    expect(detail.distributions).toMatchObject([{ title: 'Gritting routes 2027', format: 'CSV', byteSize: 48213, releaseId }])

    const withdrawForm = await client.get(`/datasets/${id}/withdraw`)
    expect(withdrawForm.body).toContain('govuk-warning-text')
    expect(withdrawForm.body).toContain(`name="version" value="${detail.dataset.version}"`)
    const withdrawn = await client.submit(`/datasets/${id}/withdraw`, `/datasets/${id}/withdraw`, {
      reason: 'Replaced by Greater Manchester’s combined dataset',
      version: String(detail.dataset.version),
    })
    expect(withdrawn.statusCode).toBe(303)
    page = await client.get(`/datasets/${id}`)
    expect(page.body).toContain('Gritting routes has been withdrawn')
    expect(page.body).toMatch(/<h2 class="govuk-notification-banner__title" id="govuk-notification-banner-title">\s*Withdrawn\s*<\/h2>/)
    expect(page.body).toContain('Replaced by Greater Manchester’s combined dataset')
    expect(page.body).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Withdrawn\s*<\/strong>/)
    expect(page.body).not.toContain(`/datasets/${id}/releases/new`)
    expect(page.body).not.toContain(`/datasets/${id}/withdraw`)
    // The schedule and the distribution stay visible.
    expect(page.body).toContain('First due March 2027, now June 2027')
    expect(page.body).toContain('Gritting routes 2027')
    detail = await ctx().services.datasets.get(id!)
    expect(detail.dataset).toMatchObject({ status: 'withdrawn', withdrawnReason: 'Replaced by Greater Manchester’s combined dataset' })

    const history = await client.get(`/history/dataset/${id}`)
    expect(history.statusCode).toBe(200)
    expect(history.body).toContain('dataset.withdraw by Eddie Editor')
    expect(history.body).toContain('dataset.create by Eddie Editor')
  })

  it('edits a declaration, and a second editor’s stale save is refused with their input kept', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, accessLevel: 'non-public', accessReason: 'commercial-confidentiality', accessExplanation: 'The contractor owns it.' })
    const first = await signedIn(editor.email)
    const second = await signedIn(traffordAdmin.email)

    const firstForm = await first.get(`/datasets/${dataset.id}/edit`)
    expect(firstForm.statusCode).toBe(200)
    expect(firstForm.body).toContain('name="version" value="1"')
    expect(firstForm.body).toMatch(/<select class="govuk-select" id="accessReason" name="accessReason"[^>]*>[\s\S]*?<option value="commercial-confidentiality" selected>/)
    const secondForm = await second.get(`/datasets/${dataset.id}/edit`)
    expect(secondForm.body).toContain('name="version" value="1"')

    const pairs = (title: string): [string, string][] => [
      ['version', '1'],
      ['title', title],
      ['description', ROAD_WORKS.description],
      ['keywords', 'roads, permits'],
      ['themes', 'TRAN'],
      ['accessLevel', 'restricted'],
      ['accessReason', 'third-party-rights'],
      ['accessExplanation', 'Shared with utilities only.'],
      ['licence', 'CC-BY-4.0'],
      ['frequency', 'weekly'],
    ]
    const saved = await first.post(`/datasets/${dataset.id}/edit`, [['_csrf', csrfOf(firstForm.body)], ...pairs('Road works permits (live)')] as unknown as Record<string, string>)
    expect(saved.statusCode).toBe(303)
    let stored = (await services.datasets.get(dataset.id)).dataset
    expect(stored).toMatchObject({ title: 'Road works permits (live)', accessLevel: 'restricted', accessReason: 'third-party-rights', licence: 'CC-BY-4.0', frequency: 'weekly', version: 2 })

    const stale = await second.post(`/datasets/${dataset.id}/edit`, [['_csrf', csrfOf(secondForm.body)], ...pairs('Street works permits')] as unknown as Record<string, string>)
    expect(stale.statusCode).toBe(409)
    expect(errorSummary(stale.body)).toContain('Someone else changed this dataset after you opened it')
    expect(stale.body).toMatch(/id="title" name="title" type="text" value="Street works permits"/)
    expect(stale.body).toContain('<title>Error: Change Road works permits (live) – LGDS</title>')
    stored = (await services.datasets.get(dataset.id)).dataset
    expect(stored).toMatchObject({ title: 'Road works permits (live)', version: 2 })

    // A stale withdrawal is refused too.
    const staleWithdraw = await second.submit(`/datasets/${dataset.id}/withdraw`, `/datasets/${dataset.id}/withdraw`, { reason: 'No longer held', version: '1' })
    expect(staleWithdraw.statusCode).toBe(409)
    expect(errorSummary(staleWithdraw.body)).toContain('Someone else changed this dataset')
    expect(staleWithdraw.body).toContain('No longer held</textarea>')
    expect((await services.datasets.get(dataset.id)).dataset.status).toBe('declared')
  })

  it('shows every problem in a declaration in the error summary, linked to its field, keeping the input', async () => {
    const client = await signedIn(editor.email)
    const empty = await client.submit('/organisations/trafford/datasets/new', '/organisations/trafford/datasets/new', { title: '', description: '', accessLevel: 'open', frequency: '' })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('<title>Error: Declare a dataset – LGDS</title>')
    const summary = errorSummary(empty.body)
    for (const field of ['title', 'description', 'themes', 'frequency']) expect(summary).toContain(`<a href="#${field}">`)
    // Each link lands on a control with that id.
    expect(empty.body).toMatch(/<input\s+class="govuk-input govuk-input--error" id="title" name="title"/)
    expect(empty.body).toMatch(/<input\s+class="govuk-checkboxes__input" id="themes" name="themes" type="checkbox" value="AGRI"/)
    expect(empty.body).toMatch(/<select class="govuk-select govuk-select--error" id="frequency" name="frequency"/)
    expect(empty.body).toMatch(/<p id="themes-error" class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:<\/span> Select at least one theme/)

    const restricted = await postPairs(client, '/organisations/trafford/datasets/new', '/organisations/trafford/datasets/new', [
      ['title', 'Bus shelter adverts'],
      ['description', 'Advertising panels in shelters.'],
      ['themes', 'TRAN'],
      ['accessLevel', 'restricted'],
      ['frequency', 'annual'],
      ['temporalStart', '2024-02-30'],
      ['temporalEnd', '2023-01-01'],
      ['spatial', 'Trafford'],
      ['contactEmail', 'not an email'],
    ])
    expect(restricted.statusCode).toBe(400)
    const restrictedSummary = errorSummary(restricted.body)
    expect(restrictedSummary).toContain('<a href="#accessReason">Select why the data is not open</a>')
    expect(restrictedSummary).toContain('<a href="#accessExplanation">Explain why the data is not open</a>')
    expect(restrictedSummary).toContain('<a href="#temporalStart">Start of the period covered must be a real date like 2024-04-01</a>')
    expect(restrictedSummary).toContain('<a href="#spatial">Area covered must be a GSS code like E08000009</a>')
    expect(restrictedSummary).toContain('<a href="#contactEmail">')
    expect(restricted.body).toMatch(/id="title" name="title" type="text" value="Bus shelter adverts"/)
    expect(restricted.body).toMatch(/id="accessLevel-2" name="accessLevel" type="radio" value="restricted" checked/)
    expect(restricted.body).toMatch(/id="themes-13" name="themes" type="checkbox" value="TRAN" checked/)

    const nonPublic = await postPairs(client, '/organisations/trafford/datasets/new', '/organisations/trafford/datasets/new', [
      ['title', 'CCTV positions'],
      ['description', 'Cameras.'],
      ['themes', 'JUST'],
      ['accessLevel', 'non-public'],
      ['frequency', 'irregular'],
    ])
    expect(nonPublic.statusCode).toBe(400)
    expect(errorSummary(nonPublic.body)).toContain('<a href="#accessReason">Select why the data is not open</a>')
    expect(errorSummary(nonPublic.body)).toContain('<a href="#accessExplanation">Explain why the data is not open</a>')
    expect(nonPublic.body).toMatch(/<select class="govuk-select govuk-select--error" id="accessReason"/)

    const count = await ctx().db.kysely.selectFrom('datasets').select('id').where('title', 'in', ['Bus shelter adverts', 'CCTV positions', '']).execute()
    expect(count).toEqual([])
  })

  it('shows release, distribution and withdrawal errors on the right fields', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Skips on the highway' })
    const release = await services.datasets.addRelease(system, dataset.id, { plannedDate: '2027-Q1' })
    const client = await signedIn(editor.email)

    const badDate = await client.submit(`/datasets/${dataset.id}/releases/new`, `/datasets/${dataset.id}/releases/new`, { plannedDate: 'next spring', state: 'provisional' })
    expect(badDate.statusCode).toBe(400)
    expect(errorSummary(badDate.body)).toContain('<a href="#plannedDate">Enter the planned date as a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1)</a>')
    expect(badDate.body).toMatch(/id="plannedDate" name="plannedDate" type="text" spellcheck="false" value="next spring"/)

    const badMove = await client.submit(`/datasets/${dataset.id}/releases/${release.id}/edit`, `/datasets/${dataset.id}/releases/${release.id}/edit`, { plannedDate: '2027-13', state: 'confirmed' })
    expect(badMove.statusCode).toBe(400)
    expect(errorSummary(badMove.body)).toContain('<a href="#plannedDate">')

    const noUrl = await client.submit(`/datasets/${dataset.id}/releases/${release.id}/released`, `/datasets/${dataset.id}/releases/${release.id}/released`, {
      'distribution.title': 'Skips',
      'distribution.downloadUrl': 'ftp://example.org/skips.csv',
      'distribution.mediaType': 'csv please',
      'distribution.byteSize': 'big',
    })
    expect(noUrl.statusCode).toBe(400)
    const summary = errorSummary(noUrl.body)
    expect(summary).toContain('<a href="#distribution.downloadUrl">Download address must start https:// or http://</a>')
    expect(summary).toContain('<a href="#distribution.mediaType">Media type must look like text/csv</a>')
    expect(summary).toContain('<a href="#distribution.byteSize">Size must be a whole number of bytes</a>')
    expect(noUrl.body).toMatch(/id="distribution\.downloadUrl" name="distribution\.downloadUrl" type="url" spellcheck="false" value="ftp:\/\/example.org\/skips.csv"/)

    const noDistribution = await client.submit(`/datasets/${dataset.id}/distributions/new`, `/datasets/${dataset.id}/distributions/new`, { title: 'Skips', format: 'CSV' })
    expect(noDistribution.statusCode).toBe(400)
    expect(errorSummary(noDistribution.body)).toContain('<a href="#accessUrl">Enter the web address where the data can be found or downloaded</a>')
    expect(noDistribution.body).toMatch(/id="accessUrl" name="accessUrl" type="url"/)

    const noReason = await client.submit(`/datasets/${dataset.id}/withdraw`, `/datasets/${dataset.id}/withdraw`, { reason: '  ', version: '1' })
    expect(noReason.statusCode).toBe(400)
    expect(errorSummary(noReason.body)).toContain('<a href="#reason">Explain why the dataset is being withdrawn</a>')

    const detail = await services.datasets.get(dataset.id)
    expect(detail.dataset).toMatchObject({ status: 'scheduled', version: dataset.version + 1 })
    expect(detail.releases).toMatchObject([{ id: release.id, state: 'provisional', label: 'January to March 2027' }])
    expect(detail.distributions).toEqual([])
  })

  it('adds a published distribution outside the schedule, and the dataset is published', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Allotment sites' })
    const client = await signedIn(editor.email)
    const response = await client.submit(`/datasets/${dataset.id}/distributions/new`, `/datasets/${dataset.id}/distributions/new`, {
      title: '',
      accessUrl: 'https://www.trafford.gov.uk/allotments',
      format: 'html',
    })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe(`/datasets/${dataset.id}#downloads`)
    const page = await client.get(`/datasets/${dataset.id}`)
    expect(page.body).toContain('The distribution has been added')
    expect(page.body).toContain('<a class="govuk-link" href="https://www.trafford.gov.uk/allotments" rel="noopener">View<span class="govuk-visually-hidden"> HTML</span></a>')
    expect((await services.datasets.get(dataset.id)).dataset.status).toBe('published')
  })

  it('shows an overdue release as overdue on the dataset page and in the body’s inventory', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Aaa overdue noise complaints' })
    await services.datasets.addRelease(system, dataset.id, { plannedDate: '2020-05', state: 'confirmed' })
    const page = await new WebClient(app).get(`/datasets/${dataset.id}`)
    expect(page.body).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Overdue\s*<\/strong>/)
    const inventory = await new WebClient(app).get('/organisations/trafford?pageSize=100')
    const row = new RegExp(`<a class="govuk-link" href="/datasets/${dataset.id}">Aaa overdue noise complaints</a>[\\s\\S]*?</tr>`).exec(inventory.body)?.[0]
    expect(row).toContain('May 2020')
    expect(row).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Overdue\s*<\/strong>/)
  })

  it('lists the body’s inventory on its page, paginated, with a declare link for its editors only', async () => {
    const { services } = ctx()
    await seedCouncils(services, ['leeds'])
    const leedsEditor = await makeUser(services, { org: 'leeds', role: 'editor' })
    const created: Dataset[] = []
    for (const title of ['Bridges', 'Culverts', 'Drains']) created.push(await services.datasets.declare(system, 'leeds', { ...ROAD_WORKS, title }))
    await services.datasets.addRelease(system, created[1]!.id, { plannedDate: '2031-06-15', state: 'confirmed' })

    const anonymousPage = await new WebClient(app).get('/organisations/leeds?pageSize=2')
    expect(anonymousPage.statusCode).toBe(200)
    expect(anonymousPage.body).toContain('<h2 class="govuk-heading-l" id="datasets">Datasets</h2>')
    expect(anonymousPage.body).toContain('Datasets declared by Leeds City Council, page 1 of 2')
    expect(anonymousPage.body).toContain(`<a class="govuk-link" href="/datasets/${created[0]!.id}">Bridges</a>`)
    expect(anonymousPage.body).toContain(`<a class="govuk-link" href="/datasets/${created[1]!.id}">Culverts</a>`)
    expect(anonymousPage.body).not.toContain('Drains')
    expect(anonymousPage.body).toContain('15 June 2031')
    expect(anonymousPage.body).toContain('None planned')
    expect(anonymousPage.body).toContain('href="/organisations/leeds?pageSize=2&amp;page=2"')
    expect(anonymousPage.body).not.toContain('Declare a dataset')

    const second = await new WebClient(app).get('/organisations/leeds?pageSize=2&page=2')
    expect(second.body).toContain(`<a class="govuk-link" href="/datasets/${created[2]!.id}">Drains</a>`)
    expect(second.body).not.toContain('Bridges')

    for (const email of [person.email, manchesterAdmin.email]) {
      const other = await (await signedIn(email)).get('/organisations/leeds')
      expect(other.body).not.toContain('Declare a dataset')
    }
    const own = await (await signedIn(leedsEditor.email)).get('/organisations/leeds')
    expect(own.body).toMatch(/<a href="\/organisations\/leeds\/datasets\/new" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">\s*Declare a dataset\s*<\/a>/)

    const none = await new WebClient(app).get('/organisations/manchester')
    expect(none.body).toContain('has not declared any datasets yet')
  })

  it('puts schema.org Dataset JSON-LD in the page, safely escaped', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(
      system,
      'trafford',
      {
        ...ROAD_WORKS,
        title: 'Tricky </script><script>alert(1)</script> data',
        description: 'Ends a comment --> and <!-- starts one & more',
        keywords: 'one, two',
        temporalStart: '2024-04-01',
        temporalEnd: '2025-03-31',
        spatial: 'E08000009',
        licence: 'CC-BY-4.0',
      },
      [{ title: 'The file', downloadUrl: 'https://data.trafford.gov.uk/tricky.csv', format: 'CSV', mediaType: 'text/csv', byteSize: 1234 }],
    )
    const page = await new WebClient(app).get(`/datasets/${dataset.id}`)
    expect(page.statusCode).toBe(200)
    const script = /<script type="application\/ld\+json" nonce="([^"]+)">([\s\S]*?)<\/script>/.exec(page.body)!
    // The nonce is the one the Content Security Policy allows.
    expect(page.headers['content-security-policy']).toContain(`'nonce-${script[1]}'`)
    expect(script[2]).not.toMatch(/[<>]/)
    expect(page.body).not.toContain('<script>alert(1)</script>')
    const ld = jsonLdOf(page.body)
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Dataset',
      name: 'Tricky </script><script>alert(1)</script> data',
      description: 'Ends a comment --> and <!-- starts one & more',
      url: `http://lgds.test/datasets/${dataset.id}`,
      identifier: `http://lgds.test/datasets/${dataset.id}`,
      keywords: ['one', 'two'],
      license: 'https://creativecommons.org/licenses/by/4.0/',
      publisher: { '@type': 'GovernmentOrganization', name: 'Trafford Metropolitan Borough Council', url: 'http://lgds.test/organisations/trafford', identifier: 'E08000009' },
      temporalCoverage: '2024-04-01/2025-03-31',
      spatialCoverage: { '@type': 'Place', identifier: 'E08000009' },
      distribution: [{ '@type': 'DataDownload', name: 'The file', contentUrl: 'https://data.trafford.gov.uk/tricky.csv', encodingFormat: 'text/csv', contentSize: '1234 B' }],
      isAccessibleForFree: true,
      creativeWorkStatus: 'Published',
    })

    const restricted = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Closed data', accessLevel: 'restricted', accessReason: 'personal-data', accessExplanation: 'About people.' })
    const closed = jsonLdOf((await new WebClient(app).get(`/datasets/${restricted.id}`)).body)
    expect(closed).toMatchObject({ isAccessibleForFree: false, creativeWorkStatus: 'Declared', conditionsOfAccess: 'About people.', distribution: [] })
    expect(closed.temporalCoverage).toBeUndefined()

    expect(scriptJson({ a: '</script>\u2028&' })).toBe('{"a":"\\u003c/script\\u003e\\u2028\\u0026"}')
    expect(JSON.parse(scriptJson({ a: '</script>\u2028&' }))).toEqual({ a: '</script>\u2028&' })
  })

  it('shows the access reason and explanation prominently when the data is not open', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Care packages', accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'Records describe individual people.' })
    const page = await new WebClient(app).get(`/datasets/${dataset.id}`)
    expect(page.body).toContain('Not public')
    expect(page.body).toContain('Personal data')
    expect(page.body).toContain('Records describe individual people.')
    // Anonymous visitors see no management links.
    expect(page.body).not.toContain('Manage this dataset')
  })

  it('answers 404 for an unknown dataset or a release of another dataset', async () => {
    const { services } = ctx()
    const a = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'A' })
    const b = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'B' })
    const releaseOfB = await services.datasets.addRelease(system, b.id, { plannedDate: '2028-01' })
    expect((await new WebClient(app).get('/datasets/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404)
    const client = await signedIn(editor.email)
    expect((await client.get(`/datasets/${a.id}/releases/${releaseOfB.id}/edit`)).statusCode).toBe(404)
    expect((await client.get(`/datasets/${a.id}/releases/${releaseOfB.id}/released`)).statusCode).toBe(404)
  })

  it('works without JavaScript: the reason fields follow the access question, never hidden', async () => {
    const client = await signedIn(editor.email)
    const form = await client.get('/organisations/trafford/datasets/new')
    expect(form.body).not.toContain('govuk-radios__conditional')
    expect(form.body).toMatch(/name="accessLevel" type="radio" value="non-public"[\s\S]*?id="accessReason"[\s\S]*?id="accessExplanation"/)
  })

  it('formats sizes for people', () => {
    expect(formatBytes(null)).toBe('')
    expect(formatBytes(900)).toBe('900 bytes')
    expect(formatBytes(48213)).toBe('47.1 KB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB')
  })

  // ---- who may change what ----

  describe('refuses every write to anyone who is not an editor of the body, changing nothing', () => {
    type Caller = { name: string; status: number; client: () => Promise<WebClient> }
    const callers: Caller[] = [
      { name: 'an anonymous visitor', status: 401, client: async () => new WebClient(app) },
      { name: 'a plain account', status: 403, client: () => signedIn(person.email) },
      { name: 'an admin of another body', status: 403, client: () => signedIn(manchesterAdmin.email) },
      { name: 'an editor of another body', status: 403, client: () => signedIn(manchesterEditor.email) },
    ]

    async function snapshot(datasetId: string) {
      const { db, services } = ctx()
      const audit = await db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      const datasets = await db.kysely.selectFrom('datasets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      const changes = await db.kysely.selectFrom('release_changes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      return { detail: await services.datasets.get(datasetId), audit: Number(audit.n), datasets: Number(datasets.n), changes: Number(changes.n) }
    }

    for (const caller of callers) {
      it(`${caller.name}: every form page and every POST`, async () => {
        const { services } = ctx()
        const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: `Guarded (${caller.name})` })
        const release = await services.datasets.addRelease(system, dataset.id, { plannedDate: '2029-04', state: 'provisional' })
        const client = await caller.client()
        // A token from a page the caller may see, so the refusal is about who they are, not CSRF.
        const token = csrfOf((await client.get(caller.status === 401 ? '/sign-in' : '/account')).body)
        const before = await snapshot(dataset.id)

        const writes: { form: string; action: string; fields: Record<string, string> }[] = [
          {
            form: '/organisations/trafford/datasets/new',
            action: '/organisations/trafford/datasets/new',
            fields: { title: 'Sneaky', description: 'Sneaky', themes: 'TRAN', frequency: 'annual', accessLevel: 'open' },
          },
          {
            form: `/datasets/${dataset.id}/edit`,
            action: `/datasets/${dataset.id}/edit`,
            fields: { version: String(dataset.version + 1), title: 'Hijacked', description: 'x', themes: 'TRAN', frequency: 'annual' },
          },
          { form: `/datasets/${dataset.id}/withdraw`, action: `/datasets/${dataset.id}/withdraw`, fields: { reason: 'Because', version: String(dataset.version + 1) } },
          { form: `/datasets/${dataset.id}/releases/new`, action: `/datasets/${dataset.id}/releases/new`, fields: { plannedDate: '2030-01', state: 'confirmed' } },
          { form: `/datasets/${dataset.id}/releases/${release.id}/edit`, action: `/datasets/${dataset.id}/releases/${release.id}/edit`, fields: { plannedDate: '2031-01', state: 'cancelled' } },
          {
            form: `/datasets/${dataset.id}/releases/${release.id}/released`,
            action: `/datasets/${dataset.id}/releases/${release.id}/released`,
            fields: { 'distribution.downloadUrl': 'https://evil.example/x.csv' },
          },
          { form: `/datasets/${dataset.id}/distributions/new`, action: `/datasets/${dataset.id}/distributions/new`, fields: { downloadUrl: 'https://evil.example/y.csv' } },
        ]
        for (const write of writes) {
          const page = await client.get(write.form)
          expect(page.statusCode, `GET ${write.form}`).toBe(caller.status)
          expect(page.body).not.toContain('name="title"')
          const posted = await client.post(write.action, { _csrf: token, ...write.fields })
          expect(posted.statusCode, `POST ${write.action}`).toBe(caller.status)
          expect(posted.body).toContain(caller.status === 401 ? 'You need to sign in' : 'You can only change records of a body you belong to')
          // Invalid input is refused the same way: who they are is checked first.
          const empty = await client.post(write.action, { _csrf: token })
          expect(empty.statusCode, `empty POST ${write.action}`).toBe(caller.status)
        }
        expect(await snapshot(dataset.id)).toEqual(before)
        expect(await ctx().db.kysely.selectFrom('datasets').select('id').where('title', 'in', ['Sneaky', 'Hijacked']).execute()).toEqual([])
      })
    }

    it('an editor of the body itself may (the same requests succeed)', async () => {
      const { services } = ctx()
      const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Allowed' })
      const client = await signedIn(editor.email)
      const response = await client.submit(`/datasets/${dataset.id}/releases/new`, `/datasets/${dataset.id}/releases/new`, { plannedDate: '2030-01', state: 'confirmed' })
      expect(response.statusCode).toBe(303)
      expect((await services.datasets.get(dataset.id)).releases).toMatchObject([{ label: 'January 2030', state: 'confirmed' }])
    })

    it('refuses a POST without a CSRF token even from the body’s own editor', async () => {
      const { services } = ctx()
      const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'No CSRF' })
      const client = await signedIn(editor.email)
      const response = await client.post(`/datasets/${dataset.id}/withdraw`, { reason: 'Forged', version: '1' })
      expect(response.statusCode).toBe(403)
      expect((await services.datasets.get(dataset.id)).dataset.status).toBe('declared')
    })
  })

  it('refuses to schedule or publish a withdrawn dataset from its pages', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Gone' })
    const release = await services.datasets.addRelease(system, dataset.id, { plannedDate: '2029-01' })
    const current = (await services.datasets.get(dataset.id)).dataset
    await services.datasets.withdraw(system, dataset.id, 'No longer collected', current.version)
    const client = await signedIn(editor.email)
    const form = await client.get(`/datasets/${dataset.id}/releases/${release.id}/released`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('This dataset has been withdrawn, so nothing more can be scheduled or published for it.')
    expect(form.body).not.toContain('name="distribution.downloadUrl"')
    const token = csrfOf(form.body)
    const posted = await client.post(`/datasets/${dataset.id}/releases/${release.id}/released`, { _csrf: token, 'distribution.downloadUrl': 'https://data.trafford.gov.uk/gone.csv' })
    expect(posted.statusCode).toBe(409)
    const detail = await services.datasets.get(dataset.id)
    expect(detail.dataset.status).toBe('withdrawn')
    expect(detail.distributions).toEqual([])
    // Withdrawing cancelled the planned release, so it can never show as overdue.
    expect(detail.releases[0]).toMatchObject({ state: 'cancelled', overdue: false, changeNote: 'Dataset withdrawn' })
  })
})
