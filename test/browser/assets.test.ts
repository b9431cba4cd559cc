import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { seedDemoAssets, TRAFFORD_REGISTER } from '../../src/features/assets/demo.js'
import { LAPTOPS } from '../fixtures/assets/examples.js'
import { system } from '../support/fixtures.js'
import { describeInBrowser, expectSoundPage, launchChromium, makeUser, startSite, Visitors, type PageWatch, type Site } from './support.js'

type Who = 'anonymous' | 'editor'

describeInBrowser('the asset register’s pages are accessible (axe, WCAG 2.2 AA) and work without JavaScript', () => {
  let site: Site
  let browser: Browser
  let editorEmail: string
  const ids: Record<'imported' | 'full' | 'disposed', number> = {} as never
  let visitors: Visitors

  beforeAll(async () => {
    site = await startSite()
    const editor = await makeUser(site.services, { org: 'trafford', name: 'Asha Assets' })
    editorEmail = editor.email
    await seedDemoAssets(site.services, system)
    const imported = await site.services.assets.list({ body: 'trafford' }, { page: 1, pageSize: 1 })
    ids.imported = imported.items[0]!.id
    const full = await site.services.assets.create(editor.actor, 'trafford', { ...LAPTOPS, description: 'Twelve laptops for the reading room.\nBooked at the desk.', parentAssetCode: 'TMBC0001/T0000003', condition: 'B', utilisationPercent: '60', utilisationMeasuredOn: '2025-01-31', postcode: 'WA14 1PF', availableToShare: true })
    ids.full = full.id
    const old = await site.services.assets.create(editor.actor, 'trafford', { assetCode: 'IT-0002', name: 'Old projector', acquisitionCostPence: '800' })
    ids.disposed = (await site.services.assets.dispose(editor.actor, old.id, { disposalDate: '2025-05-01', disposalMethod: 'scrapped' }, old.version)).id
    browser = await launchChromium()
    visitors = new Visitors(browser, site)
  })
  afterAll(async () => {
    await visitors?.close()
    await browser?.close()
    await site?.close()
  })
  afterEach(async () => {
    await visitors.closePages()
  })

  function pageAs(who: Who, javaScript = true): Promise<{ page: Page; seen: PageWatch }> {
    return visitors.page(who === 'editor' ? editorEmail : null, javaScript)
  }



  const pages: { path: () => string; label: string; who: Who; heading: RegExp }[] = [
    { path: () => `/assets/${ids.imported}`, label: '/assets/<imported>', who: 'anonymous', heading: /.+/ },
    { path: () => `/assets/${ids.full}`, label: '/assets/<full record>', who: 'editor', heading: /Library laptops/ },
    { path: () => `/assets/${ids.disposed}`, label: '/assets/<disposed>', who: 'anonymous', heading: /Old projector/ },
    { path: () => `/assets/${ids.full}/edit`, label: '/assets/<id>/edit', who: 'editor', heading: /Change Library laptops/ },
    { path: () => `/assets/${ids.disposed}/edit`, label: '/assets/<disposed>/edit', who: 'editor', heading: /Change Old projector/ },
    { path: () => `/assets/${ids.full}/dispose`, label: '/assets/<id>/dispose', who: 'editor', heading: /disposal/ },
    { path: () => '/organisations/trafford/assets/new', label: '/organisations/trafford/assets/new', who: 'editor', heading: /Record an asset/ },
    { path: () => '/organisations/trafford/assets/import', label: '/organisations/trafford/assets/import', who: 'editor', heading: /Import an asset register/ },
    { path: () => '/assets/cpv', label: '/assets/cpv', who: 'anonymous', heading: /Find a CPV code/ },
    { path: () => '/assets/cpv?q=computer%20equipment', label: '/assets/cpv?q=computer equipment', who: 'anonymous', heading: /Find a CPV code/ },
    { path: () => '/assets/cpv?q=zzzz', label: '/assets/cpv?q=zzzz', who: 'anonymous', heading: /Find a CPV code/ },
    { path: () => `/history/asset/${ids.full}`, label: '/history/asset/<id>', who: 'anonymous', heading: /History of changes/ },
    { path: () => '/organisations/trafford', label: '/organisations/trafford', who: 'editor', heading: /Trafford/ },
  ]

  for (const entry of pages) {
    it(`${entry.label} (${entry.who})`, async () => {
      const { page, seen } = await pageAs(entry.who)
      const response = await page.goto(site.url + entry.path())
      expect(response?.status()).toBe(200)
      await expect.poll(() => page.locator('h1').innerText()).toMatch(entry.heading)
      await expectSoundPage(page, seen, `${entry.label} as ${entry.who}`)
    })
  }

  it('the new-asset form with errors: summary first, focused, every field linked', async () => {
    const { page, seen } = await pageAs('editor')
    await page.goto(`${site.url}/organisations/trafford/assets/new`)
    await page.getByLabel('Acquisition cost (optional)').fill('2,000')
    await page.getByLabel('Latitude').fill('95')
    await page.getByLabel('Longitude').fill('-2.3')
    await page.getByRole('button', { name: 'Record asset' }).click()
    const summary = page.locator('.govuk-error-summary')
    await expect.poll(() => summary.count()).toBe(1)
    const text = await summary.innerText()
    for (const message of ['Enter the asset code', 'Enter the name of the asset', 'Select the asset class', 'Enter the CPV code', 'not in the UK']) expect(text).toContain(message)
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary'))).toBe(true)
    await expectSoundPage(page, seen, 'new asset with errors')
  })

  it('the disposal form with errors', async () => {
    const { page, seen } = await pageAs('editor')
    await page.goto(`${site.url}/assets/${ids.full}/dispose`)
    await page.getByRole('button', { name: 'Record disposal' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Enter the date the asset was disposed of')
    await expectSoundPage(page, seen, 'dispose with errors')
  })

  it('records an asset without JavaScript', async () => {
    const { page } = await pageAs('editor', false)
    await page.goto(`${site.url}/organisations/trafford/assets/new`)
    await page.getByLabel('Asset code').fill('NOJS-1')
    await page.getByLabel('Name', { exact: true }).fill('Bench in Walton Park')
    await page.getByLabel('Acquisition cost (optional)').fill('650')
    await page.getByLabel('Which coordinates are you giving? (optional)').selectOption('EPSG:27700')
    await page.getByLabel('Easting').fill('378950')
    await page.getByLabel('Northing').fill('391530')
    await Promise.all([page.waitForURL(/\/assets\/\d+$/), page.getByRole('button', { name: 'Record asset' }).click()])
    expect(await page.locator('h1').innerText()).toBe('Bench in Walton Park')
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Bench in Walton Park has been recorded')
  })

  it('imports a register through the upload form and shows the report', async () => {
    const { page, seen } = await pageAs('editor')
    await page.goto(`${site.url}/organisations/trafford/assets/import`)
    await page.getByLabel('CSV file').setInputFiles(TRAFFORD_REGISTER)
    await page.getByRole('button', { name: 'Import assets' }).click()
    await expect.poll(() => page.locator('h1').innerText()).toBe('Import complete')
    expect(await page.locator('body').innerText()).toContain('Worth checking')
    await expectSoundPage(page, seen, 'import report')
    await page.goto(`${site.url}/organisations/trafford/assets/import`)
    await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('asset_code,name\nX-1,\nX-1,Again\n') })
    await page.getByRole('button', { name: 'Import assets' }).click()
    await expect.poll(() => page.locator('h1').innerText()).toBe('Nothing was imported')
    await expectSoundPage(page, seen, 'import report with rejected rows')
  })
})
