import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../../../test/support/fixtures.js'
import { buildTestApp, csrfOf, errorSummary, WebClient } from '../../../test/support/web.js'
import type { Asset } from './model.js'
import { LAPTOPS } from '../../../test/fixtures/assets/examples.js'

const NEW_ASSET = {
  assetCode: 'FORM-1',
  name: 'Mobile library van',
  assetClass: 'vehicles-plant-equipment',
  cpvCode: '34144000-8',
  status: 'in-use',
  acquisitionCostPence: '£48,250.50',
  acquisitionDate: '2021-09-01',
  sourceCrs: 'EPSG:4326',
  lat: '53.4461',
  lon: '-2.3105',
  availableToShare: 'yes',
}

/** What the form would post as it stands: its text inputs, selected options and hidden fields (no ticked boxes). */
function formFields(html: string): Record<string, string> {
  const form = /<form method="post"[^>]*novalidate>([\s\S]*?)<\/form>/.exec(html)![1]!
  const fields: Record<string, string> = {}
  for (const m of form.matchAll(/<input\s[^>]*?name="([^"]+)" type="(?:text|hidden)"[^>]*?value="([^"]*)"/g)) fields[m[1]!] = m[2]!
  for (const m of form.matchAll(/<input\s[^>]*?type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[m[1]!] = /value="([^"]*)" selected/.exec(m[2]!)?.[1] ?? ''
  for (const m of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[m[1]!] = m[2]!
  return fields
}

describeEachEngine('asset pages', (ctx) => {
  let app: FastifyInstance
  let editor: WebClient
  let outsider: WebClient
  let visitor: WebClient
  let laptops: Asset

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services)
    app = await buildTestApp(ctx())
    const people = {
      editor: await makeUser(services, { org: 'trafford' }),
      outsider: await makeUser(services, { org: 'manchester', role: 'admin' }),
    }
    editor = new WebClient(app)
    await editor.signIn(people.editor.email, PASSWORD)
    outsider = new WebClient(app)
    await outsider.signIn(people.outsider.email, PASSWORD)
    visitor = new WebClient(app)
    laptops = await services.assets.create(people.editor.actor, 'trafford', { ...LAPTOPS, streetName: 'Market Street', postTown: 'Altrincham', postcode: 'wa141pf', availableToShare: true })
  })
  afterAll(async () => app?.close())

  it('offers the body’s editors, and only them, the ways to record assets from its register', async () => {
    const page = await visitor.get('/assets?body=trafford')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`href="/assets/${laptops.id}"`)
    expect(page.body).not.toContain('href="/organisations/trafford/assets/new"')
    const editors = await editor.get('/assets?body=trafford')
    expect(editors.body).toContain('href="/organisations/trafford/assets/new"')
    expect(editors.body).toContain('href="/organisations/trafford/assets/import"')
  })

  it('shows everything about an asset, with its history and JSON, and change links only to its editors', async () => {
    const page = await visitor.get(`/assets/${laptops.id}`)
    expect(page.statusCode).toBe(200)
    for (const text of ['Library laptops', 'IT-0001', '30213100 Portable computers', 'Vehicles, plant, furniture and equipment', 'Market Street, Altrincham, WA14 1PF', '£2,400.00', 'Straight line (down to a floor), useful life 4 years', `/history/asset/${laptops.id}`, `/api/v1/assets/${laptops.id}`]) {
      expect(page.body).toContain(text)
    }
    expect(page.body).not.toContain(`/assets/${laptops.id}/edit`)
    expect((await editor.get(`/assets/${laptops.id}`)).body).toContain(`/assets/${laptops.id}/edit`)
    expect((await visitor.get('/assets/999999')).statusCode).toBe(404)
    const history = await visitor.get(`/history/asset/${laptops.id}`)
    expect(history.statusCode).toBe(200)
    expect(history.body).toContain('asset.create')
  })

  it('leaves GOV.UK Frontend’s own files under /assets/ alone', async () => {
    const manifest = await visitor.get('/assets/manifest.json')
    expect(manifest.statusCode).toBe(200)
    expect(manifest.headers['content-type']).toMatch(/json/)
    expect((await visitor.get('/assets/images/favicon.ico')).statusCode).toBe(200)
  })

  it('records an asset from the form, turning pounds into pence and working out the grid reference', async () => {
    const response = await editor.submit('/organisations/trafford/assets/new', '/organisations/trafford/assets/new', NEW_ASSET)
    expect(response.statusCode).toBe(303)
    const id = Number(/\/assets\/(\d+)$/.exec(response.headers.location as string)?.[1])
    const asset = await ctx().services.assets.find(id)
    expect(asset).toMatchObject({ assetCode: 'FORM-1', acquisitionCostPence: 4_825_050, cpvCode: '34144000', availableToShare: true, sourceCrs: 'EPSG:4326' })
    expect(asset.easting).toBeGreaterThan(370_000)
    expect((await editor.get(response.headers.location as string)).body).toContain('Mobile library van has been recorded')
  })

  it('shows every problem in the error summary, keeping what was typed, and enforces the £1,000 rule', async () => {
    const response = await editor.submit('/organisations/trafford/assets/new', '/organisations/trafford/assets/new', { ...NEW_ASSET, assetCode: '', name: 'Unclassified van', assetClass: '', cpvCode: '', lat: '95' })
    expect(response.statusCode).toBe(400)
    const summary = errorSummary(response.body)
    expect(summary).toContain('href="#assetCode"')
    expect(summary).toContain('Select the asset class: every asset worth £1,000 or more must have one')
    expect(summary).toContain('Enter the CPV code: every asset worth £1,000 or more must have one')
    expect(summary).toContain('href="#lat"')
    expect(response.body).toContain('value="Unclassified van"')
    expect(response.body).toContain('value="£48,250.50"')
  })

  it('refuses a form without its CSRF token, and anyone but the body’s editors', async () => {
    const noToken = await editor.post('/organisations/trafford/assets/new', NEW_ASSET)
    expect(noToken.statusCode).toBe(403)
    expect((await outsider.get('/organisations/trafford/assets/new')).statusCode).toBe(403)
    expect((await visitor.get('/organisations/trafford/assets/new')).statusCode).toBe(401)
    expect((await outsider.get(`/assets/${laptops.id}/edit`)).statusCode).toBe(403)
    // A form from the outsider's own pages, posted at Trafford's asset.
    const token = csrfOf((await outsider.get('/organisations/manchester/assets/new')).body)
    const edit = await outsider.post(`/assets/${laptops.id}/edit`, { _csrf: token, ...NEW_ASSET, name: 'Stolen', version: '1' })
    expect(edit.statusCode).toBe(403)
    const dispose = await outsider.post(`/assets/${laptops.id}/dispose`, { _csrf: token, disposalDate: '2025-01-01', disposalMethod: 'sale', version: '1' })
    expect(dispose.statusCode).toBe(403)
    expect(await ctx().services.assets.find(laptops.id)).toMatchObject({ name: 'Library laptops', status: 'in-use', version: 1 })
  })

  it('changes an asset from its form, and says so when someone else changed it first', async () => {
    const form = await editor.get(`/assets/${laptops.id}/edit`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="2400.00"')
    expect(form.body).toMatch(/name="availableToShare" type="checkbox" value="yes" checked/)
    const token = csrfOf(form.body)
    const base = { ...formFields(form.body), _csrf: token }
    expect(base).toMatchObject({ name: 'Library laptops', assetClass: 'vehicles-plant-equipment', cpvCode: '30213100', depreciationMethod: 'straight-line', sourceCrs: 'EPSG:4326', version: '1' })
    // The box is unticked (so not posted): the asset is no longer available to share.
    const saved = await editor.post(`/assets/${laptops.id}/edit`, { ...base, name: 'Library laptops (refreshed)' })
    expect(saved.statusCode).toBe(303)
    expect(await ctx().services.assets.find(laptops.id)).toMatchObject({ name: 'Library laptops (refreshed)', cpvCode: '30213100', version: 2, availableToShare: false })

    const stale = await editor.post(`/assets/${laptops.id}/edit`, { ...base, name: 'An old tab' })
    expect(stale.statusCode).toBe(409)
    expect(errorSummary(stale.body)).toContain('Someone else changed this asset after you opened it')
    expect((await ctx().services.assets.find(laptops.id)).name).toBe('Library laptops (refreshed)')
  })

  it('records a disposal, keeping the asset in the register', async () => {
    const asset = await ctx().services.assets.find(laptops.id)
    const form = await editor.get(`/assets/${asset.id}/dispose`)
    expect(form.statusCode).toBe(200)
    const token = csrfOf(form.body)
    const missing = await editor.post(`/assets/${asset.id}/dispose`, { _csrf: token, version: String(asset.version) })
    expect(missing.statusCode).toBe(400)
    expect(errorSummary(missing.body)).toContain('Enter the date the asset was disposed of')
    const done = await editor.post(`/assets/${asset.id}/dispose`, { _csrf: token, version: String(asset.version), disposalDate: '2025-06-30', disposalMethod: 'community-asset-transfer', disposalProceedsPence: '0' })
    expect(done.statusCode).toBe(303)
    const page = await visitor.get(`/assets/${asset.id}`)
    expect(page.body).toContain('This asset has been disposed of')
    expect(page.body).toContain('Community asset transfer')
    expect((await editor.get(`/assets/${asset.id}/dispose`)).statusCode).toBe(409)
    // A disposed asset can still be corrected; it stays disposed of.
    const edit = await editor.get(`/assets/${asset.id}/edit`)
    expect(edit.body).not.toContain('id="status"')
  })

  it('looks up CPV codes by digits or words, and the body’s page links its assets', async () => {
    const byDigits = await visitor.get('/assets/cpv?q=302')
    expect(byDigits.statusCode).toBe(200)
    expect(byDigits.body).toContain('<code>30200000-1</code>')
    expect(byDigits.body).toContain('Computer equipment and supplies')
    expect((await visitor.get('/assets/cpv?q=zzzz')).body).toContain('No CPV code matches')
    const body = await editor.get('/organisations/trafford')
    expect(body.body).toContain('href="/assets?body=trafford"')
    expect(body.body).toContain('href="/organisations/trafford/assets/import"')
  })
})
