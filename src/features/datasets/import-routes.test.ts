import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, expectAccessible, launchChromium, signIn, startSite, type Site } from '../../../test/browser/support.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../../../test/support/fixtures.js'
import { buildTestApp, WebClient } from '../../../test/support/web.js'
import { projectRoot } from '../../paths.js'
import { SESSION_COOKIE } from '../../platform/security.js'
import type { Services } from '../../services.js'

const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'datasets')
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name))

/** What a browser sends when a form with a file input is submitted. */
function multipart(fields: Record<string, string>, file?: { name: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = `----lgds${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`), file.content, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Opens the upload page as the client and posts the form with a file, as a browser would. */
async function upload(app: FastifyInstance, client: WebClient, slug: string, file: Buffer | undefined, options: Record<string, string> = {}, csrf?: string): Promise<LightMyRequestResponse> {
  let token = csrf
  if (token === undefined) {
    const page = await client.get(`/organisations/${slug}/datasets/import`)
    token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
  }
  const session = client.cookie(SESSION_COOKIE)
  const form = multipart({ ...(token ? { _csrf: token } : {}), ...options }, file ? { name: 'datasets.csv', content: file } : undefined)
  return app.inject({
    method: 'POST',
    url: `/organisations/${slug}/datasets/import`,
    headers: { 'content-type': form.contentType, ...(session ? { cookie: `${SESSION_COOKIE}=${session}` } : {}) },
    payload: form.body,
  })
}

async function count(services: Services, slug: string): Promise<number> {
  return (await services.datasets.listForOrganisation(slug, { page: 1, pageSize: 1 })).total
}

function tableRows(html: string): string[][] {
  const table = /<table class="govuk-table" id="rejected-rows">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? ''
  return [...table.matchAll(/<tr class="govuk-table__row" id="problem-\d+"[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '').trim()),
  )
}

describeEachEngine('importing datasets through pages and the API', (ctx) => {
  let app: FastifyInstance
  let editor: WebClient
  let plain: WebClient
  let outsider: WebClient
  let writeToken: string
  let readToken: string

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services, ['trafford', 'manchester', 'leeds', 'bury', 'wigan'])
    app = await buildTestApp(ctx())
    const accounts = {
      editor: await makeUser(services, { org: 'bury', role: 'editor' }),
      plain: await makeUser(services),
      outsider: await makeUser(services, { org: 'manchester', role: 'admin' }),
    }
    editor = new WebClient(app)
    plain = new WebClient(app)
    outsider = new WebClient(app)
    await editor.signIn(accounts.editor.email, PASSWORD)
    await plain.signIn(accounts.plain.email, PASSWORD)
    await outsider.signIn(accounts.outsider.email, PASSWORD)
    writeToken = (await services.accounts.createToken(system, 'wigan', { name: 'Inventory upload', scope: 'write' })).secret
    readToken = (await services.accounts.createToken(system, 'wigan', { name: 'Reader', scope: 'read' })).secret
  })
  afterAll(async () => {
    await app?.close()
  })

  it('offers the template as a CSV download that Excel reads as UTF-8', async () => {
    const response = await app.inject({ method: 'GET', url: '/organisations/bury/datasets/template.csv' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toBe('attachment; filename="bury-datasets-template.csv"')
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(response.body.split('\r\n')[0]).toBe('\uFEFFidentifier,reference,title,description,keywords,themes,access_level,access_reason,access_explanation,licence,frequency,temporal_start,temporal_end,spatial,contact_name,contact_email,distribution_title,distribution_url,distribution_format,distribution_media_type,next_release')
  })

  it('shows the upload page, with its options and the column guide, to the body’s editors only', async () => {
    const page = await editor.get('/organisations/bury/datasets/import')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('enctype="multipart/form-data"')
    expect(page.body).toMatch(/<input class="govuk-file-upload" id="file" name="file" type="file"[^>]*\saccept=".csv,text\/csv">/)
    expect(page.body).toContain('<label class="govuk-label govuk-label--m" for="file">')
    expect(page.body).toMatch(/<input class="govuk-checkboxes__input" id="dryRun" name="dryRun" type="checkbox" value="yes"/)
    expect(page.body).toMatch(/<input class="govuk-checkboxes__input" id="allowPartial" name="allowPartial" type="checkbox" value="yes"/)
    expect(page.body).toContain('<th scope="row" class="govuk-table__header"><code>next_release</code></th>')
    expect(page.body).toContain('href="/organisations/bury/datasets/template.csv"')

    expect((await app.inject({ method: 'GET', url: '/organisations/bury/datasets/import' })).statusCode).toBe(401)
    expect((await plain.get('/organisations/bury/datasets/import')).statusCode).toBe(403)
    expect((await outsider.get('/organisations/bury/datasets/import')).statusCode).toBe(403)
  })

  it('imports an uploaded file and shows the report', async () => {
    const { services } = ctx()
    const response = await upload(app, editor, 'bury', fixture('utf8-bom-crlf.csv'))
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('<h1 class="govuk-heading-l">Import complete</h1>')
    expect(response.body).toMatch(/Datasets added\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*3\s*<\/dd>/)
    expect(response.body).toContain('Line 1, column “Colour”: This column is not in the template, so it was ignored.')
    expect(response.body).not.toContain('govuk-error-summary')
    expect(await count(services, 'bury')).toBe(3)

    const again = await upload(app, editor, 'bury', fixture('utf8-bom-crlf.csv'))
    expect(again.body).toMatch(/Unchanged\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*3\s*<\/dd>/)
    expect(await count(services, 'bury')).toBe(3)
  })

  it('lists every rejected row in the error summary style and saves nothing, unless partial imports are ticked', async () => {
    const { services } = ctx()
    const before = await count(services, 'bury')
    const rejected = await upload(app, editor, 'bury', fixture('rejections.csv'))
    expect(rejected.statusCode).toBe(422)
    expect(rejected.body).toContain('<title>Error: Nothing was imported – LGDS</title>')
    expect(rejected.body).toContain('govuk-error-summary')
    expect(rejected.body).toContain('<a href="#problem-1">Line 4, column title: Enter a title</a>')
    expect(tableRows(rejected.body).map(([line, column]) => `${line} ${column}`)).toEqual([
      '4 title',
      '5 licence',
      '6 temporal_start',
      '7 themes',
      '8 distribution_url',
      '9 reference',
      '10 next_release',
    ])
    expect(await count(services, 'bury')).toBe(before)

    const dryRun = await upload(app, editor, 'bury', fixture('rejections.csv'), { dryRun: 'yes', allowPartial: 'yes' })
    expect(dryRun.body).toContain('Dry run: rows would be rejected')
    expect(await count(services, 'bury')).toBe(before)

    const partial = await upload(app, editor, 'bury', fixture('rejections.csv'), { allowPartial: 'yes' })
    expect(partial.statusCode).toBe(422)
    expect(partial.body).toContain('Import finished with rejected rows')
    expect(await count(services, 'bury')).toBe(before + 1)
  })

  it('asks for a file when none was chosen', async () => {
    const response = await upload(app, editor, 'bury', undefined, { allowPartial: 'yes' })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('<a href="#file">Select a CSV file to upload</a>')
    expect(response.body).toMatch(/id="allowPartial" name="allowPartial" type="checkbox" value="yes" checked/)
  })

  it('refuses uploads without the form’s CSRF token, from outside the body, or signed out, and writes nothing', async () => {
    const { services } = ctx()
    const before = await count(services, 'bury')
    const file = fixture('windows-1252.csv')
    expect((await upload(app, editor, 'bury', file, {}, '')).statusCode).toBe(403)
    expect((await upload(app, plain, 'bury', file)).statusCode).toBe(403)
    expect((await upload(app, outsider, 'bury', file)).statusCode).toBe(403)
    const anonymous = new WebClient(app)
    expect((await upload(app, anonymous, 'bury', file)).statusCode).toBe(403) // no session, so no valid token
    expect(await count(services, 'bury')).toBe(before)
  })

  it('imports through the API with a write token, answering 422 problem+json for rejected rows', async () => {
    const { services } = ctx()
    const post = (url: string, body: Buffer, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url, headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${writeToken}`, ...headers }, payload: body })

    const dry = await post('/api/v1/datasets/import?dryRun=true', fixture('utf8-bom-crlf.csv'))
    expect(dry.statusCode).toBe(200)
    expect(dry.json()).toMatchObject({ rows: 3, created: 3, dryRun: true, saved: false })
    expect(await count(services, 'wigan')).toBe(0)

    const ok = await post('/api/v1/datasets/import', fixture('utf8-bom-crlf.csv'))
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ rows: 3, created: 3, rejected: [], saved: true, warnings: [{ line: 1, column: 'Colour' }] })
    expect(await count(services, 'wigan')).toBe(3)

    const bad = await post('/api/v1/datasets/import', fixture('rejections.csv'))
    expect(bad.statusCode).toBe(422)
    expect(bad.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    const problem = bad.json()
    expect(problem).toMatchObject({ status: 422, title: 'Rows rejected', report: { saved: false, rejectedRows: 7, created: 1 } })
    expect(problem.errors[0]).toEqual({ name: 'line 4, column title', message: 'Enter a title' })
    expect(problem.errors.map((e: { name: string }) => e.name)).toContain('line 9, column reference')
    expect(await count(services, 'wigan')).toBe(3)

    const partial = await post('/api/v1/datasets/import?allowPartial=true', fixture('rejections.csv'))
    expect(partial.statusCode).toBe(422)
    expect(partial.json().report).toMatchObject({ saved: true, created: 1 })
    expect(await count(services, 'wigan')).toBe(4)

    const again = await post('/api/v1/datasets/import', fixture('utf8-bom-crlf.csv'))
    expect(again.json()).toMatchObject({ unchanged: 3, created: 0, updated: 0 })
  })

  it('refuses the API import without a write token, or without a CSV body, and writes nothing', async () => {
    const { services } = ctx()
    const before = await count(services, 'wigan')
    const file = fixture('windows-1252.csv')
    const read = await app.inject({ method: 'POST', url: '/api/v1/datasets/import', headers: { 'content-type': 'text/csv', authorization: `Bearer ${readToken}` }, payload: file })
    expect(read.statusCode).toBe(403)
    expect(read.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    const anonymous = await app.inject({ method: 'POST', url: '/api/v1/datasets/import', headers: { 'content-type': 'text/csv' }, payload: file })
    expect(anonymous.statusCode).toBe(401)
    // A browser's session is never accepted by the API.
    const session = await app.inject({ method: 'POST', url: '/api/v1/datasets/import', headers: { 'content-type': 'text/csv', cookie: `${SESSION_COOKIE}=${editor.cookie(SESSION_COOKIE)}` }, payload: file })
    expect(session.statusCode).toBe(401)
    const json = await app.inject({ method: 'POST', url: '/api/v1/datasets/import', headers: { authorization: `Bearer ${writeToken}` }, payload: { rows: [] } })
    expect(json.statusCode).toBe(415)
    expect(await count(services, 'wigan')).toBe(before)
  })

  it('documents the API import in the OpenAPI description', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    const operation = document.paths['/api/v1/datasets/import'].post
    expect(operation.security).toEqual([{ bearerToken: [] }])
    expect(Object.keys(operation.requestBody.content)).toEqual(['text/csv'])
    expect(operation.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['allowPartial', 'dryRun'])
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '422']))
    const docs = await app.inject({ method: 'GET', url: '/api/docs' })
    expect(docs.statusCode).toBe(200)
    expect(docs.body).toContain('/api/v1/datasets/import')
  })

  it('accepts uploads and CSV bodies on the import routes only', async () => {
    const form = multipart({ email: 'someone@example.gov.uk', password: PASSWORD })
    const signIn = await app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': form.contentType }, payload: form.body })
    expect(signIn.statusCode).toBe(415)
    const csv = await app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'text/csv' }, payload: 'email,password\n' })
    expect(csv.statusCode).toBe(415)
  })
})

describeInBrowser('the import pages in Chromium', () => {
  let site: Site
  let browser: Browser
  let email: string

  beforeAll(async () => {
    site = await startSite()
    email = (await makeUser(site.services, { org: 'leeds', role: 'editor' })).email
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  it('the upload and report pages pass axe', { timeout: 120_000 }, async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    try {
      await signIn(page, site, email)
      await page.goto(`${site.url}/organisations/leeds/datasets/import`)
      await expectAccessible(page)
      await page.getByLabel('CSV file').setInputFiles(path.join(FIXTURES, 'rejections.csv'))
      await page.getByRole('button', { name: 'Import datasets' }).click()
      await page.waitForLoadState()
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Nothing was imported')
      expect(await page.locator('.govuk-error-summary').count()).toBe(1)
      await expectAccessible(page, 'import report with rejected rows')

      await page.goto(`${site.url}/organisations/leeds/datasets/import`)
      await page.getByLabel('CSV file').setInputFiles(path.join(FIXTURES, 'utf8-bom-crlf.csv'))
      await page.getByLabel('Check the file only (dry run)').check()
      await page.getByRole('button', { name: 'Import datasets' }).click()
      await page.waitForLoadState()
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Dry run: the file can be imported')
      await expectAccessible(page, 'import report of a dry run, with a warning')
    } finally {
      await context.close()
    }
  })

  // Axe needs scripts in the page, so the journey without JavaScript is checked on its own.
  it('uploads a file with JavaScript turned off', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    try {
      await signIn(page, site, email)
      await page.goto(`${site.url}/organisations/leeds/datasets/import`)
      await page.getByLabel('CSV file').setInputFiles(path.join(FIXTURES, 'windows-1252.csv'))
      await page.getByLabel('Save the valid rows even if others are rejected').check()
      await page.getByRole('button', { name: 'Import datasets' }).click()
      await page.waitForLoadState()
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Import complete')
      expect((await site.services.datasets.listForOrganisation('leeds', { page: 1, pageSize: 10 })).items.map((d) => d.title).sort()).toEqual(['Café inspections', 'Street trading'])
    } finally {
      await context.close()
    }
  })
})
