import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { seedDemoAssets } from '../../src/features/assets/demo.js'
import { LEEDS_ROWS, MANCHESTER_ROWS } from '../fixtures/asset-search/examples.js'
import { importRegister } from '../fixtures/asset-search/register.js'
import { system } from '../support/fixtures.js'
import { describeInBrowser, expectAccessible, launchChromium, startSite, watch, type Site } from './support.js'

describeInBrowser('finding public assets in Chromium: search, map and coverage', () => {
  let site: Site
  let browser: Browser
  const pages: Page[] = []

  beforeAll(async () => {
    site = await startSite()
    // Trafford's real register, as the demonstration has it, and a few more bodies' assets.
    await seedDemoAssets(site.services, system)
    await importRegister(site.services, 'manchester', MANCHESTER_ROWS)
    await importRegister(site.services, 'leeds', LEEDS_ROWS)
    browser = await launchChromium()
  })
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close().catch(() => {})
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  /** A page whose map tiles cannot load, as on a network that blocks the tile server. */
  async function open(path: string, options: { javaScript?: boolean } = {}) {
    const context = await browser.newContext({ javaScriptEnabled: options.javaScript ?? true })
    const page = await context.newPage()
    pages.push(page)
    await page.route(/tile\.openstreetmap\.org/, (route) => route.abort())
    const seen = watch(page)
    const response = await page.goto(`${site.url}${path}`)
    expect(response?.status(), path).toBe(200)
    return { page, seen }
  }

  for (const path of ['/assets', '/assets?q=library&status=in-use&sort=name', '/assets?body=trafford&page=2', '/assets?q=no+such+thing', '/assets/coverage', '/assets/coverage?sort=both&direction=asc']) {
    it(`${path} passes axe`, async () => {
      const { page, seen } = await open(path)
      await expectAccessible(page, path)
      expect(seen.csp, 'CSP refusals').toEqual([])
      expect(seen.errors, 'script errors').toEqual([])
    })
  }

  it('searches and filters with the form, without JavaScript, every choice in the address', async () => {
    const { page } = await open('/assets', { javaScript: false })
    await page.getByLabel('Search assets').fill('library')
    await Promise.all([page.waitForURL(/q=library/), page.getByRole('button', { name: 'Search' }).click()])
    await page.getByRole('checkbox', { name: /^Vacant \(\d+\)$/ }).check()
    await Promise.all([page.waitForURL(/status=vacant/), page.getByRole('button', { name: 'Apply filters' }).click()])
    expect(new URL(page.url()).searchParams.getAll('status')).toEqual(['vacant'])
    await expect(page.getByRole('heading', { level: 3, name: 'Leeds Central Library' }).count()).resolves.toBe(1)
  })

  it('shows the map with server-clustered markers, working when the tiles cannot load, and passes axe', async () => {
    const { page, seen } = await open('/assets/map')
    await page.waitForSelector('.app-asset-map__cluster, .app-asset-map__asset')
    await page.waitForFunction(() => /in this part of the map/.test(document.getElementById('asset-map-status')?.textContent ?? ''))
    const status = await page.locator('#asset-map-status').textContent()
    expect(status).toMatch(/^[\d,]+ assets in this part of the map\.$/)
    // The view is in the address, and the list link follows it.
    expect(new URL(page.url()).searchParams.get('bbox')).toMatch(/^-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$/)
    await expect(page.locator('#asset-list-link').getAttribute('href')).resolves.toMatch(/^\/assets\?bbox=-?[\d.]+,/)
    await expectAccessible(page, '/assets/map')
    expect(seen.csp, 'CSP refusals').toEqual([])
    expect(seen.errors, 'script errors').toEqual([])

    // Selecting a cluster zooms in to it.
    const zoomBefore = await page.evaluate(() => new URL(location.href).searchParams.get('bbox'))
    await page.locator('.app-asset-map__cluster').first().click()
    await page.waitForFunction((before) => new URL(location.href).searchParams.get('bbox') !== before, zoomBefore)
  })

  it('offers the list instead when JavaScript does not run', async () => {
    const { page } = await open('/assets/map?status=vacant', { javaScript: false })
    await expect(page.getByText('The map needs JavaScript.').isVisible()).resolves.toBe(true)
    const link = page.getByRole('link', { name: 'View these assets as a list' })
    await expect(link.getAttribute('href')).resolves.toBe('/assets?status=vacant')
  })

  it('keeps the list and the filters usable when Leaflet cannot load, and passes axe', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    pages.push(page)
    await page.route(/\/vendor\/leaflet\/leaflet\.js$/, (route) => route.abort())
    await page.goto(`${site.url}/assets/map?class=community`)
    await expect(page.getByText('The map needs JavaScript.').isVisible()).resolves.toBe(true)
    await expectAccessible(page, '/assets/map without Leaflet')
  })
})
