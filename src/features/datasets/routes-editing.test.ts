import type { LightMyRequestResponse } from 'fastify'
import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { system } from '../../../test/support/fixtures.js'
import { WebClient, csrfOf, errorSummary } from '../../../test/support/web.js'
import { ROAD_WORKS } from '../../../test/fixtures/datasets/road-works.js'
import { withDatasetPages, type DatasetPages, type Person } from '../../../test/support/dataset-pages.js'

/* The editor's journey through the dataset pages, and the errors its forms show. */

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
  let editor: Person
  let traffordAdmin: Person
  let signedIn: DatasetPages['signedIn']
  withDatasetPages(ctx, (pages) => ({ editor, traffordAdmin, signedIn } = pages))

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
})
