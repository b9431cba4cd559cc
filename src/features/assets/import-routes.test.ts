import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../../../test/support/fixtures.js'
import { buildTestApp, errorSummary, WebClient } from '../../../test/support/web.js'
import { projectRoot } from '../../paths.js'
import { SESSION_COOKIE } from '../../platform/security.js'
import { TRAFFORD_REGISTER } from './demo.js'

const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'assets')
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name))

/** Opens the upload page as the client and posts the form with a file, as a browser would. */
async function upload(app: FastifyInstance, client: WebClient, slug: string, file: Buffer | undefined, options: Record<string, string> = {}, withCsrf = true, formOf = slug): Promise<LightMyRequestResponse> {
  const page = await client.get(`/organisations/${formOf}/assets/import`)
  const token = withCsrf ? (/name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '') : ''
  const boundary = `----lgds${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries({ ...(token ? { _csrf: token } : {}), ...options })) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="register.csv"\r\nContent-Type: text/csv\r\n\r\n`), file, Buffer.from('\r\n'))
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  const session = client.cookie(SESSION_COOKIE)
  return app.inject({
    method: 'POST',
    url: `/organisations/${slug}/assets/import`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...(session ? { cookie: `${SESSION_COOKIE}=${session}` } : {}) },
    payload: Buffer.concat(parts),
  })
}

describeEachEngine('importing asset registers in the browser', (ctx) => {
  let app: FastifyInstance
  let editor: WebClient
  let outsider: WebClient

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    app = await buildTestApp(ctx())
    const e = await makeUser(services, { org: 'trafford' })
    const o = await makeUser(services, { org: 'manchester' })
    editor = new WebClient(app)
    await editor.signIn(e.email, PASSWORD)
    outsider = new WebClient(app)
    await outsider.signIn(o.email, PASSWORD)
  })
  afterAll(async () => app?.close())

  it('offers the upload form and the template to the body’s editors', async () => {
    const page = await editor.get('/organisations/trafford/assets/import')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('enctype="multipart/form-data"')
    expect(page.body).toContain('<code>CoordinateReferenceSystem</code>')
    const template = await editor.get('/organisations/trafford/assets/template.csv')
    expect(template.headers['content-type']).toMatch(/^text\/csv/)
    expect(template.body.replace('\uFEFF', '').split('\r\n')[0]).toMatch(/^asset_code,name,description,uprn,parent_asset_code,asset_class,cpv_code,/)
    expect((await outsider.get('/organisations/trafford/assets/import')).statusCode).toBe(403)
  })

  it('imports Trafford’s register and shows what it did, then nothing changes the second time', async () => {
    const first = await upload(app, editor, 'trafford', readFileSync(TRAFFORD_REGISTER))
    expect(first.statusCode).toBe(200)
    expect(first.body).toContain('Import complete')
    expect(first.body).toMatch(/Assets added[\s\S]*?608/)
    expect(first.body).toContain('A Transparency Code register')
    expect(first.body).toContain('wrong way round')
    const second = await upload(app, editor, 'trafford', readFileSync(TRAFFORD_REGISTER))
    expect(second.body).toMatch(/Unchanged[\s\S]*?608/)
    expect((await ctx().services.assets.list({ body: 'trafford' }, { page: 1, pageSize: 1 })).total).toBe(608)
  })

  it('lists rejected rows with their lines in an error summary, saving nothing', async () => {
    const response = await upload(app, editor, 'trafford', fixture('rejections.csv'), { format: 'generic' })
    expect(response.statusCode).toBe(422)
    expect(errorSummary(response.body)).toContain('Line 3, column name: Enter the name of the asset')
    expect(response.body).toContain('Nothing was imported')
    expect((await ctx().services.assets.list({ body: 'trafford' }, { page: 1, pageSize: 1 })).total).toBe(608)
  })

  it('asks for a file, and refuses uploads without the form’s token or from another body', async () => {
    const noFile = await upload(app, editor, 'trafford', undefined)
    expect(noFile.statusCode).toBe(400)
    expect(errorSummary(noFile.body)).toContain('Select a CSV file to upload')
    expect((await upload(app, editor, 'trafford', fixture('messy-register.csv'), {}, false)).statusCode).toBe(403)
    // The outsider's session token is good (from their own body's form); their membership is not.
    expect((await upload(app, outsider, 'trafford', fixture('messy-register.csv'), {}, true, 'manchester')).statusCode).toBe(403)
    expect((await upload(app, outsider, 'manchester', fixture('messy-register.csv'))).statusCode).toBe(200)
    expect((await ctx().services.assets.list({ body: 'trafford' }, { page: 1, pageSize: 1 })).total).toBe(608)
  })
})
