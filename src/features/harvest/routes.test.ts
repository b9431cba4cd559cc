import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../../../test/support/fixtures.js'
import { buildTestApp, csrfOf, errorSummary, WebClient } from '../../../test/support/web.js'
import { harvestFixture, startPortal, type Portal } from '../../../test/fixtures/harvest/portal.js'
import { buildApp } from '../../app.js'
import { SESSION_COOKIE } from '../../platform/security.js'
import type { Services } from '../../services.js'
import { HarvestService } from './service.js'

const PAGE = (slug: string) => `/organisations/${slug}/datasets/harvest`

/** What a browser sends when the form, with or without a file, is submitted. */
function multipart(fields: Record<string, string>, file?: { name: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = `----lgds${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/json\r\n\r\n`), file.content, Buffer.from('\r\n'))
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Opens the form as the client and posts it with the page's CSRF token (or the one given). */
async function post(app: FastifyInstance, client: WebClient, slug: string, fields: Record<string, string>, fixture?: string, csrf?: string): Promise<LightMyRequestResponse> {
  const token = csrf ?? /name="_csrf" value="([^"]+)"/.exec((await client.get(PAGE(slug))).body)?.[1] ?? ''
  const session = client.cookie(SESSION_COOKIE)
  const form = multipart({ ...(token ? { _csrf: token } : {}), ...fields }, fixture ? { name: fixture.split('/').pop()!, content: harvestFixture(fixture) } : undefined)
  return app.inject({ method: 'POST', url: PAGE(slug), headers: { 'content-type': form.contentType, ...(session ? { cookie: `${SESSION_COOKIE}=${session}` } : {}) }, payload: form.body })
}

async function count(services: Services, slug: string): Promise<number> {
  return (await services.datasets.listForOrganisation(slug, { page: 1, pageSize: 1 })).total
}

const summaryValue = (html: string, key: string) => new RegExp(`${key}\\s*</dt>\\s*<dd class="govuk-summary-list__value">\\s*([^<]*?)\\s*</dd>`).exec(html)?.[1]

describeEachEngine('harvesting through the body’s pages', (ctx) => {
  let app: FastifyInstance
  /** The same app, but allowed to read this machine, where the test portal runs. */
  let localApp: FastifyInstance
  let portal: Portal
  let editor: WebClient
  let localEditor: WebClient
  let plain: WebClient
  let outsider: WebClient

  beforeAll(async () => {
    const { services, config, db } = ctx()
    await seedCouncils(services, ['bury', 'manchester', 'wigan'])
    app = await buildTestApp(ctx())
    localApp = await buildApp({ config, db, services: { ...services, harvest: new HarvestService(db, services.organisations, services.datasets, { allowPrivateNetworks: true }) } })
    portal = await startPortal()
    const editorAccount = await makeUser(services, { org: 'bury', role: 'editor' })
    const wiganEditor = await makeUser(services, { org: 'wigan', role: 'editor' })
    const plainAccount = await makeUser(services)
    const outsiderAccount = await makeUser(services, { org: 'manchester', role: 'admin' })
    editor = new WebClient(app)
    localEditor = new WebClient(localApp)
    plain = new WebClient(app)
    outsider = new WebClient(app)
    await editor.signIn(editorAccount.email, PASSWORD)
    await localEditor.signIn(wiganEditor.email, PASSWORD)
    await plain.signIn(plainAccount.email, PASSWORD)
    await outsider.signIn(outsiderAccount.email, PASSWORD)
  })
  afterAll(async () => {
    await app?.close()
    await localApp?.close()
    await portal?.close()
  })

  it('shows the form, linked from the body’s page, to the body’s editors only', async () => {
    expect((await editor.get('/organisations/bury')).body).toContain('<a class="govuk-link" href="/organisations/bury/datasets/harvest">Harvest from a portal</a>')
    const page = await editor.get(PAGE('bury'))
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('enctype="multipart/form-data"')
    expect(page.body).toMatch(/<input\s+class="govuk-input" id="url" name="url" type="url"/)
    expect(page.body).toMatch(/<input class="govuk-file-upload" id="file" name="file" type="file"/)
    for (const format of ['datajson', 'ckan', 'dcat']) expect(page.body).toMatch(new RegExp(`<input class="govuk-radios__input" id="format(-\\d)?" name="format" type="radio" value="${format}"`))
    expect(page.body).toMatch(/<input class="govuk-checkboxes__input" id="dryRun" name="dryRun" type="checkbox" value="yes"/)

    expect((await app.inject({ method: 'GET', url: PAGE('bury') })).statusCode).toBe(401)
    expect((await plain.get(PAGE('bury'))).statusCode).toBe(403)
    expect((await outsider.get(PAGE('bury'))).statusCode).toBe(403)
    expect((await plain.get('/organisations/bury')).body).not.toContain('Harvest from a portal')
  })

  it('harvests an uploaded data.json and shows the report; the same file again changes nothing', async () => {
    const { services } = ctx()
    const response = await post(app, editor, 'bury', { format: 'datajson' }, 'datajson/usda.gov.data.json')
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('<h1 class="govuk-heading-l">Harvest complete</h1>')
    expect(summaryValue(response.body, 'Datasets added')).toBe('3')
    expect(response.body).toContain('3 new datasets have no EU data theme at the source: declared under GOVE')
    expect(response.body).toContain('Department of Agriculture Congressional Logs for Fiscal Year 2014')
    expect(response.body).toContain('<caption class="govuk-table__caption govuk-table__caption--m">Left out or mapped to the nearest value</caption>')
    expect(errorSummary(response.body)).toBe('')
    expect(await count(services, 'bury')).toBe(3)

    const again = await post(app, editor, 'bury', { format: 'datajson' }, 'datajson/usda.gov.data.json')
    expect(summaryValue(again.body, 'Unchanged')).toBe('3')
    expect(summaryValue(again.body, 'Datasets added')).toBe('0')
    expect(await count(services, 'bury')).toBe(3)
  })

  it('lists every rejected record in the error summary and saves nothing', async () => {
    const { services } = ctx()
    const before = await count(services, 'bury')
    const response = await post(app, editor, 'bury', { format: 'datajson' }, 'datajson/missing-dataset-fields.data.json')
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('<title>Error: Nothing was harvested – LGDS</title>')
    const summary = errorSummary(response.body)
    expect(summary).toContain('<a href="#problem-1">Record 1, field identifier: The record has no identifier, so a later harvest could not find it again</a>')
    expect(summary).toContain('<a href="#problem-4">Record 2 “Employee Relations Roundtables” (IDF6-OPM-0001), field description: The record has no description</a>')
    expect(response.body).toMatch(/<tr class="govuk-table__row" id="problem-4" tabindex="-1">\s*<td class="govuk-table__cell">Record 2<br>Employee Relations Roundtables<br><code>IDF6-OPM-0001<\/code><\/td>/)
    expect(await count(services, 'bury')).toBe(before)
  })

  it('says what a dry run would do, saving nothing', async () => {
    const { services } = ctx()
    const before = await count(services, 'bury')
    const response = await post(app, editor, 'bury', { format: 'ckan', dryRun: 'yes' }, 'ckan/package_search.json')
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('Dry run: the catalogue can be harvested')
    expect(summaryValue(response.body, 'Datasets added')).toBe('5')
    expect(response.body.match(/Would be added/g)).toHaveLength(5)
    expect(await count(services, 'bury')).toBe(before)
  })

  it('harvests from an address, following the catalogue’s pages', async () => {
    const { services } = ctx()
    portal.requests.length = 0
    const response = await post(localApp, localEditor, 'wigan', { url: `${portal.url}/catalog.ttl`, format: 'dcat' })
    expect(response.statusCode).toBe(200)
    expect(portal.requests).toEqual(['/catalog.ttl', '/catalog.ttl?page=2'])
    expect(summaryValue(response.body, 'Pages read')).toBe('2')
    expect(summaryValue(response.body, 'Datasets added')).toBe('4')
    expect(await count(services, 'wigan')).toBe(4)
  })

  it('shows the form again with the GOV.UK error summary when the input is wrong', async () => {
    const empty = await post(app, editor, 'bury', {})
    expect(empty.statusCode).toBe(400)
    expect(errorSummary(empty.body)).toContain('<a href="#url">Enter the address of the catalogue, or choose a catalogue file</a>')
    expect(errorSummary(empty.body)).toContain('<a href="#format">Select the format of the catalogue</a>')
    expect(empty.body).toContain('<p id="format-error" class="govuk-error-message">')

    const notWeb = await post(app, editor, 'bury', { url: 'ftp://data.example.gov.uk/data.json', format: 'ckan', dryRun: 'yes' })
    expect(errorSummary(notWeb.body)).toContain('<a href="#url">Enter an address starting https:// or http://</a>')
    // What was typed and chosen is kept.
    expect(notWeb.body).toContain('value="ftp://data.example.gov.uk/data.json"')
    expect(notWeb.body).toMatch(/name="format" type="radio" value="ckan" checked/)
    expect(notWeb.body).toMatch(/id="dryRun" name="dryRun" type="checkbox" value="yes" checked/)

    const both = await post(app, editor, 'bury', { url: 'https://data.example.gov.uk/data.json', format: 'datajson' }, 'datajson/ny.data.json')
    expect(errorSummary(both.body)).toContain('Give the address of the catalogue or a file, not both')
  })

  it('says why a catalogue could not be read, on the form', async () => {
    const missing = await post(localApp, localEditor, 'wigan', { url: `${portal.url}/missing.json`, format: 'datajson' })
    expect(missing.statusCode).toBe(422)
    expect(errorSummary(missing.body)).toContain(`<a href="#url">The catalogue could not be read: ${portal.url}/missing.json answered HTTP 404 Not Found</a>`)
    const notCkan = await post(app, editor, 'bury', { format: 'ckan' }, 'datajson/ny.data.json')
    expect(errorSummary(notCkan.body)).toContain('<a href="#file">The catalogue could not be read: the uploaded file is not a CKAN package_search answer')
    // The pages never read addresses on the server's own network.
    const requests = portal.requests.length
    const local = await post(app, editor, 'bury', { url: `${portal.url}/catalog.ttl`, format: 'dcat' })
    expect(errorSummary(local.body)).toMatch(/is on this machine or a private network: only public addresses can be harvested/)
    expect(portal.requests.length).toBe(requests)
  })

  it('refuses a post without the form’s CSRF token, from outside the body, or signed out, and writes nothing', async () => {
    const { services } = ctx()
    const before = await count(services, 'manchester')
    const fields = { format: 'datajson' }
    expect((await post(app, editor, 'bury', fields, 'datajson/arm.data.json', '')).statusCode).toBe(403)
    const token = csrfOf((await outsider.get('/organisations/manchester')).body)
    expect((await post(app, outsider, 'bury', fields, 'datajson/arm.data.json', token)).statusCode).toBe(403)
    expect((await post(app, plain, 'manchester', fields, 'datajson/arm.data.json', csrfOf((await plain.get('/organisations/manchester')).body))).statusCode).toBe(403)
    expect((await post(app, new WebClient(app), 'manchester', fields, 'datajson/arm.data.json')).statusCode).toBe(403)
    expect(await count(services, 'manchester')).toBe(before)
    expect((await services.datasets.listForOrganisation('bury', { page: 1, pageSize: 100 })).items.some((d) => d.reference === 'avhrr12')).toBe(false)
  })
})
