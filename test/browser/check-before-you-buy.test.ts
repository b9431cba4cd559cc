import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { MINIBUS, seedCheckWorld, type CheckWorld } from '../fixtures/check-before-you-buy.js'
import { describeInBrowser, expectSoundPage, launchChromium, makeUser, startSite, Visitors, type PageWatch, type Site } from './support.js'

type Who = 'anonymous' | 'editor'

describeInBrowser('check before you buy in the browser: accessible (axe, WCAG 2.2 AA) and working without JavaScript', () => {
  let site: Site
  let browser: Browser
  let world: CheckWorld
  let editorEmail: string
  let visitors: Visitors

  beforeAll(async () => {
    site = await startSite()
    world = await seedCheckWorld(site.services, site.services.db)
    editorEmail = (await makeUser(site.services, { org: 'trafford', name: 'Bea Buyer' })).email
    // Something already bought, so the record of searches has a line to show.
    const manchester = await makeUser(site.services, { org: 'manchester' })
    const { search } = await site.services.purchaseChecks.check(manchester.actor, { cpv: '39130000' }, { page: 1, pageSize: 20 })
    await site.services.purchaseChecks.recordPurchased(manchester.actor, search!.id, { estimatedCostPence: 1_250_000 })
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



  const pages: { path: string; who: Who; status: number; shows: string }[] = [
    { path: '/assets/check-before-you-buy', who: 'anonymous', status: 200, shows: 'What do you need?' },
    { path: `/assets/check-before-you-buy?cpv=${MINIBUS}`, who: 'anonymous', status: 200, shows: 'could meet this need' },
    { path: '/assets/check-before-you-buy?q=car+park&radiusKm=500', who: 'editor', status: 200, shows: 'Other CPV codes matching your words' },
    { path: `/assets/check-before-you-buy?cpv=${MINIBUS}&pageSize=3`, who: 'editor', status: 200, shows: 'Request this asset' },
    { path: '/assets/check-before-you-buy?cpv=99999999&lat=53.4&radiusKm=900', who: 'editor', status: 400, shows: 'There is a problem' },
    { path: '/assets/check-before-you-buy/searches', who: 'anonymous', status: 200, shows: 'Office furniture' },
    { path: '/assets/check-before-you-buy/searches', who: 'editor', status: 200, shows: 'Recent searches by' },
  ]

  for (const entry of pages) {
    it(`${entry.path} (${entry.who})`, async () => {
      const { page, seen } = await pageAs(entry.who)
      const response = await page.goto(site.url + entry.path)
      expect(response?.status()).toBe(entry.status)
      expect(await page.locator('main').innerText()).toContain(entry.shows)
      await expectSoundPage(page, seen, `${entry.path} as ${entry.who}`)
    })
  }

  it('an officer searches, finds, and records that nothing fits, all without JavaScript', async () => {
    const { page } = await pageAs('editor', false)
    page.setDefaultTimeout(5000)
    await page.goto(`${site.url}/assets/check-before-you-buy`)
    await page.getByLabel('Describe it in words').fill('minibus')
    await page.getByLabel('Borrow it for a while (a loan)').check()
    await Promise.all([page.waitForURL(/q=minibus/), page.getByRole('button', { name: 'Check what is available' }).click()])
    expect(await page.locator('#results-heading').innerText()).toBe('6 assets could meet this need')
    const names = await page.locator('main li h3').allInnerTexts()
    expect(names).toEqual(['Minibus near', 'Trafford offered minibus', 'Minibus mid', 'Passenger car', 'Motor vehicle', 'Vehicle body'])
    const request = await page.getByRole('link', { name: /^Request this asset\s*: Trafford offered minibus$/ }).getAttribute('href')
    expect(request).toMatch(new RegExp(`^/assets/${world.ids['Trafford offered minibus']}/share-requests/new\\?search=[0-9a-f-]{36}&kind=loan&from=\\d{4}-\\d{2}-\\d{2}$`))

    await page.getByLabel('Estimated cost of the purchase (optional)').fill('so much')
    await page.getByRole('button', { name: 'Nothing fits: we are buying' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('The estimated cost is not an amount in pounds')
    await page.getByLabel('Estimated cost of the purchase (optional)').fill('38,000')
    await Promise.all([page.waitForURL(/check-before-you-buy\?q=minibus/), page.getByRole('button', { name: 'Nothing fits: we are buying' }).click()])
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('nothing fitted and the purchase goes ahead')
    expect(await page.locator('main').innerText()).toContain('at an estimated £38,000')
    await page.goto(`${site.url}/assets/check-before-you-buy/searches`)
    expect(await page.locator('main').innerText()).toContain('34114400 Minibuses')
  })

  it('the outcome form with errors', async () => {
    const { page, seen } = await pageAs('editor')
    await page.goto(`${site.url}/assets/check-before-you-buy?cpv=34110000`)
    await page.getByLabel('Estimated cost of the purchase (optional)').fill('-3')
    await page.getByRole('button', { name: 'Nothing fits: we are buying' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').count()).toBe(1)
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary'))).toBe(true)
    await expectSoundPage(page, seen, 'outcome form with errors')
  })
})
