import { todayInUk } from '../../src/platform/uk-date.js'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { UNDERUSED_REGISTERS, importRows, type Row } from '../fixtures/asset-reports/register.js'
import { seedCouncils } from '../support/fixtures.js'
import { describeInBrowser, expectAccessible, launchChromium, startSite, watch, type Site } from './support.js'

/** Street lighting whose ten-year life ends `days` from today. */
function lighting(code: string, days: number, cost: string): Row {
  const end = new Date(Date.parse(todayInUk()) + days * 86_400_000)
  const acquired = `${end.getUTCFullYear() - 10}-${String(end.getUTCMonth() + 1).padStart(2, '0')}-${String(Math.min(end.getUTCDate(), 28)).padStart(2, '0')}`
  return { asset_code: code, name: `Lighting ${code}`, status: 'in use', asset_class: 'infrastructure', cpv_code: '34928510', acquisition_date: acquired, useful_life_years: '10', acquisition_cost: cost }
}

describeInBrowser('the asset reports in Chromium: underused capital and joint procurement', () => {
  let site: Site
  let browser: Browser
  const pages: Page[] = []

  beforeAll(async () => {
    site = await startSite()
    await seedCouncils(site.services, ['camden'])
    for (const [slug, rows] of Object.entries(UNDERUSED_REGISTERS)) await importRows(site.services, slug, rows)
    // Street lighting due in the North West at Trafford and Manchester, and in Yorkshire at Leeds.
    await importRows(site.services, 'trafford', [lighting('J1', 100, '40000'), lighting('J2', 300, '25000')])
    await importRows(site.services, 'manchester', [lighting('J3', 200, '60000')])
    await importRows(site.services, 'leeds', [lighting('J4', 400, '30000')])
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
  async function open(path: string, options: { javaScript?: boolean; status?: number } = {}) {
    const context = await browser.newContext({ javaScriptEnabled: options.javaScript ?? true })
    const page = await context.newPage()
    pages.push(page)
    await page.route(/tile\.openstreetmap\.org/, (route) => route.abort())
    const seen = watch(page)
    const response = await page.goto(`${site.url}${path}`)
    expect(response?.status(), path).toBe(options.status ?? 200)
    return { page, seen }
  }

  const checked: [string, number][] = [
    ['/assets/underused', 200],
    ['/assets/underused?body=trafford&threshold=60', 200],
    ['/assets/underused?threshold=lots&region=Atlantis', 400],
    ['/assets/underused?class=heritage', 200],
    ['/assets/joint-procurement', 200],
    ['/assets/joint-procurement?years=5&level=code&minBodies=1', 200],
    ['/assets/joint-procurement?years=3', 400],
    ['/organisations/trafford', 200],
  ]
  for (const [path, status] of checked) {
    it(`${path} passes axe`, async () => {
      const { page, seen } = await open(path, { status })
      await expectAccessible(page, path)
      expect(seen.csp, 'CSP refusals').toEqual([])
      expect(seen.errors, 'script errors').toEqual([])
    })
  }

  it('maps the underused assets from their own clusters, working when the tiles cannot load, and passes axe', async () => {
    const { page, seen } = await open('/assets/underused')
    await page.waitForFunction(() => /in this part of the map/.test(document.getElementById('asset-map-status')?.textContent ?? ''))
    // T1, T2, M1 and L1 are the mapped ones: few enough to show each.
    await expect(page.locator('#asset-map-status').textContent()).resolves.toBe('4 assets in this part of the map.')
    await expect(page.locator('.app-asset-map__asset').count()).resolves.toBe(4)
    await expectAccessible(page, '/assets/underused with its map')
    expect(seen.csp, 'CSP refusals').toEqual([])
    expect(seen.errors, 'script errors').toEqual([])

    await page.locator('.app-asset-map__asset').first().click()
    await expect(page.locator('.leaflet-popup-content a').getAttribute('href')).resolves.toMatch(/^\/assets\/\d+$/)
  })

  it('filters with the GET form without JavaScript, every choice in the address, the list standing in for the map', async () => {
    const { page } = await open('/assets/underused', { javaScript: false })
    await expect(page.getByText('The map needs JavaScript.').isVisible()).resolves.toBe(true)
    await page.getByLabel('Utilisation below').fill('35')
    await page.getByLabel('Region').selectOption('North West')
    await Promise.all([page.waitForURL(/threshold=35/), page.getByRole('button', { name: 'Show underused assets' }).click()])
    const url = new URL(page.url())
    expect(url.searchParams.get('region')).toBe('North West')
    await expect(page.getByRole('heading', { level: 2, name: '5 underused assets' }).count()).resolves.toBe(1)
    const list = page.getByRole('table', { name: /The underused assets/ })
    await expect(list.getByRole('row').count()).resolves.toBe(6)
    await page.getByRole('link', { name: 'See the list of these assets' }).click()
    expect(new URL(page.url()).hash).toBe('#assets-heading')
    await expect(page.getByRole('link', { name: 'The underused assets as CSV' }).getAttribute('href')).resolves.toBe('/assets/underused.csv?threshold=35&region=North+West')
  })

  it('goes from a body’s page to its underused assets', async () => {
    const { page } = await open('/organisations/trafford', { javaScript: false })
    // Trafford's lighting adds its cost to the register's book value.
    await expect(page.locator('#underused + .govuk-summary-list').textContent()).resolves.toMatch(/36\.6% of £465,000/)
    await Promise.all([page.waitForURL(/\/assets\/underused\?body=trafford$/), page.getByRole('link', { name: 'Trafford’s underused assets' }).click()])
    await expect(page.getByRole('heading', { level: 2, name: '4 underused assets' }).count()).resolves.toBe(1)
  })

  it('chooses the window, level and groups of joint procurement without JavaScript', async () => {
    const { page } = await open('/assets/joint-procurement', { javaScript: false })
    const groups = page.getByRole('table', { name: /Replacement demand/ })
    await expect(groups.getByRole('row').count()).resolves.toBe(2)
    await expect(groups.getByRole('link', { name: 'Manchester City Council' }).count()).resolves.toBe(1)
    await page.getByRole('radio', { name: '1 year' }).check()
    await page.getByLabel('Group CPV codes by').selectOption('code')
    await page.getByRole('radio', { name: 'Every group, including those of a single body' }).check()
    await Promise.all([page.waitForURL(/years=1/), page.getByRole('button', { name: 'Show replacement demand' }).click()])
    const url = new URL(page.url())
    expect([url.searchParams.get('level'), url.searchParams.get('minBodies')]).toEqual(['code', '1'])
    // Within a year: Trafford's and Manchester's lighting, in one North West group of the full code.
    await expect(page.getByRole('table', { name: /Replacement demand/ }).getByRole('row').count()).resolves.toBe(2)
    await expect(page.getByRole('link', { name: 'Underused capital: assets standing idle' }).getAttribute('href')).resolves.toBe('/assets/underused')
  })
})
