import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { system } from '../support/fixtures.js'
import { describeInBrowser, expectSoundPage, launchChromium, makeUser, signIn, startSite, watch, type PageWatch, type Site } from './support.js'

/*
 * Sharing between two bodies in a real browser: Trafford offers a minibus to everyone at once,
 * a Manchester editor finds it, asks for it and receives it; Leeds asks too, without JavaScript,
 * and is turned down when it goes to Manchester. Every new page is checked with axe.
 */
describeInBrowser('sharing an asset between public bodies (axe, WCAG 2.2 AA; works without JavaScript)', () => {
  let site: Site
  let browser: Browser
  const contexts: BrowserContext[] = []
  const people: Record<'trafford' | 'manchester' | 'leeds', string> = {} as never
  let assetId: number
  let requestUrl: string

  beforeAll(async () => {
    site = await startSite()
    people.trafford = (await makeUser(site.services, { org: 'trafford', name: 'Tara Trafford' })).email
    people.manchester = (await makeUser(site.services, { org: 'manchester', name: 'Mo Manchester' })).email
    people.leeds = (await makeUser(site.services, { org: 'leeds', name: 'Lee Leeds' })).email
    const minibus = await site.services.assets.create(system, 'trafford', {
      assetCode: 'TRF-VEH-0107',
      name: 'Wheelchair-accessible minibus',
      assetClass: 'vehicles-plant-equipment',
      cpvCode: '34114400-3',
      acquisitionDate: '2019-03-15',
      acquisitionCostPence: '62,500',
      usefulLifeYears: '10',
      depreciationMethod: 'straight-line',
      status: 'in-use',
      // Trafford Town Hall, so Manchester's "check before you buy" finds it nearby.
      lat: '53.4459',
      lon: '-2.3081',
    })
    assetId = minibus.id
    browser = await launchChromium()
  })
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await site?.close()
  })

  async function as(who: keyof typeof people | 'anonymous', javaScript = true): Promise<{ page: Page; seen: PageWatch }> {
    const context = await browser.newContext({ javaScriptEnabled: javaScript })
    contexts.push(context)
    const page = await context.newPage()
    if (who !== 'anonymous') await signIn(page, site, people[who])
    return { page, seen: watch(page) }
  }


  it('Trafford offers the minibus to every body at once', async () => {
    const { page, seen } = await as('trafford')
    await page.goto(`${site.url}/assets/${assetId}`)
    await expectSoundPage(page, seen, 'asset page before sharing (owner)')
    await page.getByRole('button', { name: 'Offer it to other public bodies' }).click()
    await expect.poll(() => page.locator('h1').innerText()).toBe('Offer Wheelchair-accessible minibus')
    await expectSoundPage(page, seen, 'offer form')
    await page.getByLabel('Sale', { exact: true }).check()
    await page.getByRole('button', { name: 'Offer asset' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Enter the price')
    await expectSoundPage(page, seen, 'offer form with errors')
    await page.getByLabel('Transfer', { exact: true }).check()
    await page.getByLabel('Working days for your own body first').fill('0')
    await Promise.all([page.waitForURL(new RegExp(`/assets/${assetId}#sharing$`)), page.getByRole('button', { name: 'Offer asset' }).click()])
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Wheelchair-accessible minibus is on offer')
    expect(await page.locator('#sharing + .govuk-summary-list').innerText()).toContain('Transfer.')
  })

  it('a Manchester editor sees it on the offers list, checks before buying, finds it and asks for it', async () => {
    const { page, seen } = await as('manchester')
    await page.goto(`${site.url}/assets/offers`)
    await expectSoundPage(page, seen, '/assets/offers')
    await page.getByLabel('Kind of share').selectOption('transfer')
    await page.getByRole('button', { name: 'Show offers' }).click()
    expect(await page.getByRole('link', { name: 'Wheelchair-accessible minibus' }).count()).toBe(1)

    // The journey an officer about to buy makes: describe the need, find the offer, ask for it.
    await page.goto(`${site.url}/assets/check-before-you-buy?q=minibus&lat=53.4794&lon=-2.2453&radiusKm=25&kind=transfer`)
    await expectSoundPage(page, seen, 'check before you buy, with results')
    await page.getByRole('link', { name: /Request this asset.*Wheelchair-accessible minibus/ }).click()
    await expect.poll(() => page.locator('h1').innerText()).toBe('Ask for Wheelchair-accessible minibus')
    await expectSoundPage(page, seen, 'request form')
    expect(await page.getByLabel('What would buying one cost?').inputValue()).toBe('62500.00')
    await page.getByLabel('Needed from').fill('')
    await page.getByRole('button', { name: 'Send request' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Say what you need it for')
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary'))).toBe(true)
    await expectSoundPage(page, seen, 'request form with errors')
    await page.getByLabel('Needed from').fill('2026-12-14')
    await page.getByLabel('What do you need it for?').fill('Our day-centre minibus failed its MOT.')
    await page.getByLabel('What would buying one cost?').fill('58,000')
    await Promise.all([page.waitForURL(/\/share-requests\/[\w-]+$/), page.getByRole('button', { name: 'Send request' }).click()])
    requestUrl = page.url()
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Your request has been sent to Trafford')
    // The search that found it now shows that it led to a request, not a purchase.
    const searches = await site.services.db.kysely.selectFrom('purchase_searches').select(['outcome', 'words']).execute()
    expect(searches).toEqual([{ outcome: 'requested', words: 'minibus' }])
    await expectSoundPage(page, seen, 'share request (requester)')
    expect(await page.getByRole('button', { name: 'Withdraw request' }).count()).toBe(1)
  })

  it('Leeds asks too, without JavaScript', async () => {
    const { page } = await as('leeds', false)
    await page.goto(`${site.url}/assets/${assetId}/share-requests/new`)
    await page.getByLabel('What do you need it for?').fill('Community transport.')
    await Promise.all([page.waitForURL(/\/share-requests\/[\w-]+$/), page.getByRole('button', { name: 'Send request' }).click()])
    expect(await page.locator('h1').innerText()).toBe('Transfer of Wheelchair-accessible minibus')
  })

  it('Trafford approves and hands it over to Manchester', async () => {
    const { page, seen } = await as('trafford')
    await page.goto(`${site.url}/organisations/trafford/sharing`)
    await expectSoundPage(page, seen, '/organisations/trafford/sharing')
    await page.getByRole('link', { name: /Wheelchair-accessible minibus\s*: transfer request from Manchester/ }).click()
    await expect.poll(() => page.url()).toBe(requestUrl)
    await expectSoundPage(page, seen, 'share request (owner)')
    await page.getByRole('button', { name: 'Decline request' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Say why the request is declined')
    await expectSoundPage(page, seen, 'share request with errors')
    await page.getByRole('button', { name: 'Approve request' }).click()
    await expect.poll(() => page.locator('.govuk-notification-banner').innerText()).toContain('The request has been approved')
    await page.getByRole('button', { name: 'Record hand-over' }).click()
    await expect.poll(() => page.locator('.govuk-notification-banner').innerText()).toContain('The request has been handed over')
    expect(await page.locator('#timeline + ol').innerText()).toMatch(/Asked for the asset[\s\S]*Approved[\s\S]*Recorded the hand-over/)
    await expectSoundPage(page, seen, 'share request handed over')
  })

  it('the asset now belongs to Manchester, with its chain of custody, and the saving is counted', async () => {
    const { page, seen } = await as('anonymous')
    await page.goto(`${site.url}/assets/${assetId}`)
    expect(await page.locator('.govuk-caption-l').innerText()).toBe('Manchester City Council')
    const custody = await page.locator('table', { hasText: 'Ownership transferred' }).innerText()
    expect(custody).toMatch(/Ownership transferred\s+Trafford Metropolitan Borough Council\s+Manchester City Council/)
    await expectSoundPage(page, seen, 'asset page after transfer')
    await page.goto(`${site.url}/assets/savings`)
    expect(await page.locator('main').innerText()).toContain('£58,000.00')
    expect(await page.locator('#by-body').innerText()).toContain('Manchester City Council')
    await expectSoundPage(page, seen, '/assets/savings')

    const leeds = await as('leeds')
    await leeds.page.goto(`${site.url}/organisations/leeds/sharing`)
    expect(await leeds.page.locator('#outgoing + table').innerText()).toContain('Declined')
    await expectSoundPage(leeds.page, leeds.seen, '/organisations/leeds/sharing')
  })
})
