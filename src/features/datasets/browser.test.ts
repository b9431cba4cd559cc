import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { AxeBuilder } from '@axe-core/playwright'
import { AXE_TAGS, describeInBrowser, describeViolations, expectGovukFrontendInitialised, launchChromium, signIn, startSite, watch, type Site } from '../../../test/browser/support.js'
import { ROAD_WORKS } from '../../../test/fixtures/datasets/road-works.js'
import { makeUser, system } from '../../../test/support/fixtures.js'

/* The dataset pages in a real browser: axe on each, and the forms with and without JavaScript. */

describeInBrowser('dataset pages in Chromium: axe (WCAG 2.2 AA), with and without JavaScript', () => {
  let site: Site
  let browser: Browser
  let editorEmail: string
  const ids: Record<string, string> = {}
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    site = await startSite()
    const { services } = site
    editorEmail = (await makeUser(services, { org: 'trafford', role: 'editor', name: 'Eddie Editor' })).email
    const published = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Gritting routes', spatial: 'E08000009', temporalStart: '2024-04-01', contactName: 'Highways', contactEmail: 'highways@trafford.gov.uk' })
    const moved = await services.datasets.addRelease(system, published.id, { plannedDate: '2027-03' })
    await services.datasets.updateRelease(system, moved.id, { plannedDate: '2027-06', state: 'confirmed', note: 'Waiting for the survey' })
    await services.datasets.markReleased(system, moved.id, { title: 'Routes 2027', downloadUrl: 'https://data.trafford.gov.uk/gritting.csv', format: 'CSV', byteSize: 4096 })
    const next = await services.datasets.addRelease(system, published.id, { plannedDate: '2028-Q2' })
    const restricted = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Leisure attendance', accessLevel: 'restricted', accessReason: 'commercial-confidentiality', accessExplanation: 'The operator’s contract.' })
    await services.datasets.addRelease(system, restricted.id, { plannedDate: '2020-05', state: 'confirmed' })
    const withdrawn = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Old bus stops' })
    await services.datasets.withdraw(system, withdrawn.id, 'Replaced by the national dataset', withdrawn.version)
    Object.assign(ids, { published: published.id, next: next.id, restricted: restricted.id, withdrawn: withdrawn.id })
    browser = await launchChromium()
  })

  const openPages: Page[] = []
  const shared = new Map<string, Promise<BrowserContext>>()

  afterEach(async () => {
    for (const page of openPages.splice(0)) await page.close().catch(() => {})
  })

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await site?.close()
  })

  /** One cookie jar per kind of visitor, signed in once, as the browser of one person would be. */
  function contextFor(signedIn: boolean, javaScriptEnabled: boolean): Promise<BrowserContext> {
    const key = `${signedIn}/${javaScriptEnabled}`
    let context = shared.get(key)
    if (!context) {
      context = (async () => {
        const created = await browser.newContext({ javaScriptEnabled })
        contexts.push(created)
        if (signedIn) {
          const page = await created.newPage()
          await signIn(page, site, editorEmail)
          await page.close()
        }
        return created
      })()
      shared.set(key, context)
    }
    return context
  }

  async function newPage(options: { signedIn?: boolean; javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const page = await (await contextFor(options.signedIn ?? false, options.javaScriptEnabled ?? true)).newPage()
    openPages.push(page)
    return page
  }

  /** axe, WCAG 2.2 AA, with no exceptions. */
  async function expectAccessible(page: Page, label: string) {
    const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()
    const violations = results.violations
    expect(violations.length, `axe found accessibility violations on ${label}:\n${describeViolations(violations)}`).toBe(0)
    expect(results.passes.length, `axe checked nothing on ${label}`).toBeGreaterThan(0)
  }

  async function expectSound(page: Page, label: string, seen: ReturnType<typeof watch>) {
    await expectGovukFrontendInitialised(page)
    await expectAccessible(page, label)
    expect(seen.csp, `CSP violations on ${label}`).toEqual([])
    expect(seen.errors, `script errors on ${label}`).toEqual([])
    expect(await page.locator('h1').count(), `one h1 on ${label}`).toBe(1)
  }

  const pages: { name: string; path: () => string; signedIn: boolean; heading: RegExp }[] = [
    { name: 'a published dataset', path: () => `/datasets/${ids.published}`, signedIn: false, heading: /Gritting routes/ },
    { name: 'a published dataset', path: () => `/datasets/${ids.published}`, signedIn: true, heading: /Gritting routes/ },
    { name: 'a restricted dataset with an overdue release', path: () => `/datasets/${ids.restricted}`, signedIn: false, heading: /Leisure attendance/ },
    { name: 'a withdrawn dataset', path: () => `/datasets/${ids.withdrawn}`, signedIn: true, heading: /Old bus stops/ },
    { name: 'the body’s inventory', path: () => '/organisations/trafford', signedIn: true, heading: /Trafford/ },
    { name: 'declare', path: () => '/organisations/trafford/datasets/new', signedIn: true, heading: /Declare a dataset/ },
    { name: 'edit', path: () => `/datasets/${ids.restricted}/edit`, signedIn: true, heading: /Change Leisure attendance/ },
    { name: 'withdraw', path: () => `/datasets/${ids.published}/withdraw`, signedIn: true, heading: /Withdraw this dataset/ },
    { name: 'add a release', path: () => `/datasets/${ids.published}/releases/new`, signedIn: true, heading: /Add a planned release/ },
    { name: 'change a release', path: () => `/datasets/${ids.published}/releases/${ids.next}/edit`, signedIn: true, heading: /Change the April to June 2028 release/ },
    { name: 'mark released', path: () => `/datasets/${ids.published}/releases/${ids.next}/released`, signedIn: true, heading: /Mark the April to June 2028 release as released/ },
    { name: 'add a distribution', path: () => `/datasets/${ids.published}/distributions/new`, signedIn: true, heading: /Add a published distribution/ },
  ]

  for (const entry of pages) {
    it(`${entry.name} page (${entry.signedIn ? 'editor' : 'anonymous'})`, { timeout: 60_000 }, async () => {
      const page = await newPage({ signedIn: entry.signedIn })
      const seen = watch(page)
      const response = await page.goto(site.url + entry.path())
      expect(response?.status()).toBe(200)
      expect(await page.locator('h1').innerText()).toMatch(entry.heading)
      await expectSound(page, entry.path(), seen)
    })
  }

  const forms: { name: string; path: () => string; button: string; errors: string[]; prepare?: (page: Page) => Promise<void> }[] = [
    { name: 'declare (empty)', path: () => '/organisations/trafford/datasets/new', button: 'Declare dataset', errors: ['Enter a title', 'Select at least one theme', 'Select how often the data is updated'] },
    {
      name: 'declare (not public, no reason)',
      path: () => '/organisations/trafford/datasets/new',
      button: 'Declare dataset',
      errors: ['Select why the data is not open', 'Explain why the data is not open'],
      prepare: async (page) => {
        await page.getByLabel('Title', { exact: true }).fill('CCTV')
        await page.getByLabel('Not public', { exact: true }).check()
      },
    },
    { name: 'add a release', path: () => `/datasets/${ids.published}/releases/new`, button: 'Add release', errors: ['Enter the planned date'] },
    { name: 'mark released', path: () => `/datasets/${ids.published}/releases/${ids.next}/released`, button: 'Mark as released', errors: ['Enter the web address where the data can be found or downloaded'] },
    { name: 'add a distribution', path: () => `/datasets/${ids.published}/distributions/new`, button: 'Add distribution', errors: ['Enter the web address where the data can be found or downloaded'] },
    { name: 'withdraw', path: () => `/datasets/${ids.published}/withdraw`, button: 'Withdraw dataset', errors: ['Explain why the dataset is being withdrawn'] },
  ]

  for (const form of forms) {
    it(`${form.name} form with errors`, { timeout: 60_000 }, async () => {
      const page = await newPage({ signedIn: true })
      const seen = watch(page)
      await page.goto(site.url + form.path())
      await form.prepare?.(page)
      const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: form.button, exact: true }).click()])
      expect(response?.status()).toBe(400)
      const summary = page.locator('.govuk-error-summary')
      const text = await summary.innerText()
      for (const message of form.errors) expect(text).toContain(message)
      // Every link in the summary leads to exactly one field (ids like `distribution.accessUrl` included).
      const targets = await summary.locator('a').evaluateAll((links) => links.map((a) => decodeURIComponent((a as HTMLAnchorElement).hash.slice(1))))
      expect(targets.length).toBeGreaterThan(0)
      for (const id of targets) expect(await page.locator(`[id="${id}"]`).count(), `the summary link #${id} has a target`).toBe(1)
      // Following the first link puts focus in that field.
      await summary.locator('a').first().click()
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(targets[0])
      await expectSound(page, `${form.name} with errors`, seen)
    })
  }

  it('declares a not-public dataset and schedules it with JavaScript off', { timeout: 90_000 }, async () => {
    const page = await newPage({ signedIn: true, javaScriptEnabled: false })
    await page.goto(`${site.url}/organisations/trafford/datasets/new`)
    expect(await page.locator('body').getAttribute('class')).not.toContain('govuk-frontend-supported')
    expect(await page.getByLabel('If it is not open, why not?').isVisible()).toBe(true)

    await page.getByLabel('Title', { exact: true }).fill('CCTV camera positions')
    await page.getByLabel('Description').fill('Public-space cameras and what they cover.')
    await page.getByLabel('Justice, legal system and public safety').check()
    await page.getByLabel('Not public', { exact: true }).check()
    await page.getByLabel('If it is not open, why not?').selectOption({ label: 'National security or public safety' })
    await page.getByLabel('If it is not open, explain who can get it and why').fill('Publishing positions would help people avoid them.')
    await page.getByLabel('How often is it updated?').selectOption({ label: 'Irregularly' })
    await Promise.all([page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Declare dataset' }).click()])
    expect(await page.locator('h1').innerText()).toBe('CCTV camera positions')
    const main = await page.locator('main').innerText()
    expect(main).toContain('Not public')
    expect(main).toContain('National security or public safety')
    expect(main).toContain('Publishing positions would help people avoid them.')

    await Promise.all([page.waitForURL(/\/releases\/new$/), page.getByRole('link', { name: 'Add a planned release' }).click()])
    await page.getByLabel('Planned date').fill('2029-Q3')
    await page.getByLabel('Confirmed', { exact: true }).check()
    await Promise.all([page.waitForURL(/#releases$/), page.getByRole('button', { name: 'Add release' }).click()])
    expect(await page.locator('main').innerText()).toContain('Release: July to September 2029')
  })
})
