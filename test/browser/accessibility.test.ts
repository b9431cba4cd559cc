import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo.js'
import { system } from '../support/fixtures.js'
import {
  describeInBrowser,
  expectAccessible,
  expectGovukFrontendInitialised,
  expectSoundPage,
  launchChromium,
  makeUser,
  signIn,
  startSite,
  watch,
  type PageWatch,
  type Site,
} from './support.js'

type Who = 'anonymous' | 'person' | 'traffordAdmin' | 'platformAdmin'

describeInBrowser('every page is accessible (axe, WCAG 2.2 AA) in Chromium', () => {
  let site: Site
  let browser: Browser
  let users: Record<Exclude<Who, 'anonymous'>, string>
  let traffordId: string
  let datasetId: string
  let requestId: string
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    site = await startSite({ register: 'full' })
    const trafford = await site.services.organisations.getBySlug('trafford')
    traffordId = trafford.id
    // A change, so the history page shows a table of fields changed and not only "created".
    await site.services.organisations.update(system, 'trafford', {
      name: trafford.name,
      shortName: trafford.shortName,
      slug: trafford.slug,
      identifier: trafford.identifier ?? '',
      type: trafford.type,
      nation: trafford.nation ?? '',
      region: trafford.region ?? '',
      website: 'https://www.trafford.gov.uk',
    })
    const person = await makeUser(site.services)
    const traffordAdmin = await makeUser(site.services, { org: 'trafford', role: 'admin', name: 'Tess Trafford' })
    await makeUser(site.services, { org: 'trafford', role: 'editor', name: 'Eddie Editor' })
    const platformAdmin = await makeUser(site.services, { platformAdmin: true, name: 'Pat Platform' })
    users = { person: person.email, traffordAdmin: traffordAdmin.email, platformAdmin: platformAdmin.email }
    // The demonstration inventory and requests, so every datasets and requests page has content.
    await seedDemo(site.services)
    const inventory = await site.services.datasets.listForOrganisation('trafford', { page: 1, pageSize: 100 })
    datasetId = inventory.items.find((d) => d.title === 'Street lighting inventory')!.id
    requestId = (await site.services.requests.list({}, { page: 1, pageSize: 1 })).items[0]!.id
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await site?.close()
  })

  const signedIn = new Map<Who, Promise<BrowserContext>>()
  const openPages: Page[] = []

  afterEach(async () => {
    for (const page of openPages.splice(0)) await page.close().catch(() => {})
  })

  /** One browser context (cookie jar) per person, signed in once through the form. */
  function contextFor(who: Who): Promise<BrowserContext> {
    let context = signedIn.get(who)
    if (!context) {
      context = (async () => {
        const created = await browser.newContext()
        contexts.push(created)
        if (who !== 'anonymous') {
          const page = await created.newPage()
          await signIn(page, site, users[who])
          expect(await page.getByRole('button', { name: 'Sign out' }).count(), `signed in as ${who}`).toBe(1)
          await page.close()
        }
        return created
      })()
      signedIn.set(who, context)
    }
    return context
  }

  /** A new tab, signed in as `who`, watched for CSP refusals and script errors. */
  async function pageAs(who: Who): Promise<{ page: Page; seen: PageWatch }> {
    const page = await (await contextFor(who)).newPage()
    openPages.push(page)
    return { page, seen: watch(page) }
  }

  /** Everything every page must satisfy, beyond showing the right content. */

  function status(response: Response | null): number {
    expect(response, 'the navigation answered').not.toBeNull()
    return response!.status()
  }

  // ---- pages as they first appear ----

  const pages: { path: string | (() => string); label?: string; who: Who; heading: string | RegExp; status?: number }[] = [
    { path: '/datasets', who: 'anonymous', heading: /data/i },
    { path: '/datasets?q=gritting&theme=TRAN&status=published', who: 'anonymous', heading: /data/i },
    { path: '/datasets?due=year&sort=next-release&page=2', who: 'anonymous', heading: /data/i },
    { path: '/datasets/releases', who: 'anonymous', heading: /release/i },
    { path: '/datasets/audit', who: 'anonymous', heading: /audit/i },
    { path: '/datasets/audit/rounds', who: 'platformAdmin', heading: /round/i },
    { path: () => `/datasets/${datasetId}`, label: '/datasets/<id>', who: 'anonymous', heading: 'Street lighting inventory' },
    { path: () => `/datasets/${datasetId}`, label: '/datasets/<id>', who: 'traffordAdmin', heading: 'Street lighting inventory' },
    { path: () => `/datasets/${datasetId}/edit`, label: '/datasets/<id>/edit', who: 'traffordAdmin', heading: /Street lighting inventory/ },
    { path: () => `/datasets/${datasetId}/releases/new`, label: '/datasets/<id>/releases/new', who: 'traffordAdmin', heading: /release/i },
    { path: () => `/datasets/${datasetId}/withdraw`, label: '/datasets/<id>/withdraw', who: 'traffordAdmin', heading: /withdraw/i },
    { path: () => `/datasets/${datasetId}/distributions/new`, label: '/datasets/<id>/distributions/new', who: 'traffordAdmin', heading: /distribution/i },
    { path: () => `/history/dataset/${datasetId}`, label: '/history/dataset/<id>', who: 'anonymous', heading: 'History of changes' },
    { path: '/organisations/trafford/datasets/new', who: 'traffordAdmin', heading: /declare/i },
    { path: '/organisations/trafford/datasets/import', who: 'traffordAdmin', heading: /upload|import/i },
    { path: '/organisations/trafford/datasets/harvest', who: 'traffordAdmin', heading: /harvest/i },
    { path: '/organisations/trafford/audit', who: 'traffordAdmin', heading: /audit/i },
    { path: '/requests', who: 'anonymous', heading: /request/i },
    { path: '/requests?status=submitted&sort=supported', who: 'anonymous', heading: /request/i },
    { path: () => `/requests/${requestId}`, label: '/requests/<id>', who: 'person', heading: /.+/ },
    { path: () => `/requests/${requestId}`, label: '/requests/<id>', who: 'traffordAdmin', heading: /.+/ },
    { path: '/requests/new', who: 'person', heading: /ask|request/i },
    { path: '/', who: 'anonymous', heading: 'Local Government Digital Service' },
    { path: '/', who: 'person', heading: 'Local Government Digital Service' },
    { path: '/organisations', who: 'anonymous', heading: 'Organisations' },
    { path: '/organisations?page=2', who: 'anonymous', heading: 'Organisations' },
    { path: '/organisations?q=man', who: 'anonymous', heading: 'Organisations' },
    { path: '/organisations?q=man&pageSize=2&page=2', who: 'anonymous', heading: 'Organisations' },
    { path: '/organisations?q=no-such-council-anywhere', who: 'anonymous', heading: 'Organisations' },
    { path: '/organisations?nation=Wales&type=WPA', who: 'anonymous', heading: 'Organisations' },
    { path: '/organisations', who: 'platformAdmin', heading: 'Organisations' },
    { path: '/organisations/trafford', who: 'anonymous', heading: 'Trafford Metropolitan Borough Council' },
    { path: '/organisations/trafford', who: 'traffordAdmin', heading: 'Trafford Metropolitan Borough Council' },
    { path: '/organisations/new', who: 'platformAdmin', heading: 'Add a public body' },
    { path: '/organisations/trafford/edit', who: 'traffordAdmin', heading: 'Change Trafford Metropolitan Borough Council' },
    { path: '/organisations/trafford/members', who: 'traffordAdmin', heading: 'Members' },
    { path: '/organisations/trafford/tokens', who: 'traffordAdmin', heading: 'API tokens' },
    { path: '/sign-in', who: 'anonymous', heading: 'Sign in' },
    { path: '/sign-in?next=%2Faccount', who: 'anonymous', heading: 'Sign in' },
    { path: '/sign-up', who: 'anonymous', heading: 'Create an account' },
    { path: '/account', who: 'person', heading: 'Your account' },
    { path: '/account', who: 'traffordAdmin', heading: 'Your account' },
    { path: '/account', who: 'platformAdmin', heading: 'Your account' },
    { path: '/account/password', who: 'person', heading: 'Change your password' },
    { path: '/api/docs', who: 'anonymous', heading: 'API documentation' },
    { path: '/accessibility', who: 'anonymous', heading: 'Accessibility statement' },
    { path: () => `/history/organisation/${traffordId}`, who: 'anonymous', heading: 'History of changes' },
    { path: '/no-such-page', who: 'anonymous', heading: 'Page not found', status: 404 },
    { path: '/organisations/no-such-body', who: 'anonymous', heading: 'Page not found', status: 404 },
    { path: '/account', who: 'anonymous', heading: 'You need to sign in', status: 401 },
    { path: '/organisations/new', who: 'person', heading: 'You cannot do that', status: 403 },
  ]

  for (const entry of pages) {
    const name = typeof entry.path === 'string' ? entry.path : (entry.label ?? '/history/organisation/<trafford id>')
    it(`${name} (${entry.who})`, async () => {
      const { page, seen } = await pageAs(entry.who)
      const url = typeof entry.path === 'string' ? entry.path : entry.path()
      expect(status(await page.goto(site.url + url))).toBe(entry.status ?? 200)
      await expect.poll(() => page.locator('h1').innerText()).toMatch(entry.heading)
      await expectSoundPage(page, seen, `${url} as ${entry.who}`)
    })
  }

  it('lists pages of organisations with working pagination', async () => {
    const { page } = await pageAs('anonymous')
    // Manchester and Isle of Man councils among them, and the demonstration's Greater Manchester police and fire services.
    await page.goto(`${site.url}/organisations?q=man&pageSize=2&page=2`)
    expect(await page.locator('#results-heading').innerText()).toBe('7 organisations')
    expect(await page.locator('.govuk-pagination__item--current').innerText()).toContain('2')
    expect(await page.locator('tbody tr').count()).toBe(2)
  })

  it('shows the history page with a table of what changed', async () => {
    const { page } = await pageAs('anonymous')
    await page.goto(`${site.url}/history/organisation/${traffordId}`)
    await expect.poll(() => page.getByRole('cell', { name: 'https://www.trafford.gov.uk' }).count()).toBeGreaterThan(0)
  })

  // ---- the token shown once ----

  it('the token-created page, and the tokens page listing it', async () => {
    const { page, seen } = await pageAs('traffordAdmin')
    await page.goto(`${site.url}/organisations/trafford/tokens`)
    await page.getByLabel('Name').fill('Nightly upload')
    await page.getByLabel('Read only').check()
    const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Create token' }).click()])
    expect(status(response)).toBe(200)
    expect(await page.locator('h1').innerText()).toContain('Token created')
    expect(await page.getByLabel('Your token').inputValue()).toMatch(/^lgds_/)
    await expectSoundPage(page, seen, 'token created')

    await page.getByRole('link', { name: 'Back to API tokens' }).click()
    await page.waitForURL(/\/tokens$/)
    expect(await page.getByRole('cell', { name: 'Nightly upload', exact: true }).count()).toBe(1)
    await expectSoundPage(page, seen, 'tokens page with a token')
  })

  it('the success banner after a change', async () => {
    const newcomer = await makeUser(site.services, { name: 'Nia Newcomer' })
    const { page, seen } = await pageAs('traffordAdmin')
    await page.goto(`${site.url}/organisations/trafford/members`)
    await page.getByLabel('Email address').fill(newcomer.email)
    await page.getByLabel('Editor', { exact: true }).check()
    await Promise.all([page.waitForURL(/\/members$/), page.getByRole('button', { name: 'Save member' }).click()])
    await expect.poll(() => page.locator('.govuk-notification-banner--success').innerText()).toContain('Nia Newcomer is now an editor of Trafford')
    await expectSoundPage(page, seen, 'members page with success banner')
  })

  // ---- each form in its error state ----

  const forms: { name: string; path: string; who: Who; button: string; errors: string[]; status?: number; prepare?: (page: Page) => Promise<void> }[] = [
    { name: 'sign up', path: '/sign-up', who: 'anonymous', button: 'Create account', errors: ['Enter your full name', 'Enter your email address', 'Enter a password'] },
    { name: 'sign in', path: '/sign-in', who: 'anonymous', button: 'Sign in', errors: ['Enter your email address', 'Enter your password'] },
    {
      name: 'sign in (wrong password)',
      path: '/sign-in',
      who: 'anonymous',
      button: 'Sign in',
      errors: ['Enter a correct email address and password'],
      prepare: async (page) => {
        await page.getByLabel('Email address').fill('nobody@example.gov.uk')
        await page.getByLabel('Password', { exact: true }).fill('not the password')
      },
    },
    { name: 'change password', path: '/account/password', who: 'person', button: 'Change password', errors: ['Enter your current password', 'Enter a password'] },
    { name: 'members', path: '/organisations/trafford/members', who: 'traffordAdmin', button: 'Save member', errors: ['Enter the email address of the person to add', 'Select editor or admin'] },
    {
      name: 'members (conflict: last administrator)',
      path: '/organisations/trafford/members',
      who: 'traffordAdmin',
      button: 'Save member',
      status: 409,
      errors: ['A body must keep at least one administrator'],
      prepare: async (page) => {
        await page.getByLabel('Email address').fill(users.traffordAdmin)
        await page.getByLabel('Editor', { exact: true }).check()
      },
    },
    { name: 'harvest from a portal', path: '/organisations/trafford/datasets/harvest', who: 'traffordAdmin', button: 'Harvest datasets', errors: ['Enter the address of the catalogue, or choose a catalogue file', 'Select the format of the catalogue'] },
    { name: 'tokens', path: '/organisations/trafford/tokens', who: 'traffordAdmin', button: 'Create token', errors: ['Enter a name for the token', 'Select read or write'] },
    { name: 'add a public body', path: '/organisations/new', who: 'platformAdmin', button: 'Save', errors: ['Enter the name of the organisation', 'Select the type of organisation'] },
    {
      name: 'change a public body',
      path: '/organisations/trafford/edit',
      who: 'traffordAdmin',
      button: 'Save',
      errors: ['Enter the name of the organisation', 'Enter a website address'],
      prepare: async (page) => {
        await page.getByLabel('Name', { exact: true }).fill('')
        await page.getByLabel('Website (optional)').fill('not a web address')
      },
    },
  ]

  for (const form of forms) {
    it(`${form.name} form with errors (${form.path})`, async () => {
      const { page, seen } = await pageAs(form.who)
      expect(status(await page.goto(site.url + form.path))).toBe(200)
      await form.prepare?.(page)
      const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: form.button, exact: true }).click()])
      expect(status(response)).toBe(form.status ?? 400)

      const summary = page.locator('.govuk-error-summary')
      expect(await summary.count(), 'an error summary').toBe(1)
      expect(await page.title()).toMatch(/^Error: /)
      const text = await summary.innerText()
      for (const message of form.errors) expect(text).toContain(message)
      // govuk-frontend moves focus to the summary, so screen readers announce it.
      await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary'))).toBe(true)
      // Every link in the summary leads to a field on the page.
      const targets = await summary.locator('a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).hash))
      expect(targets.length).toBeGreaterThan(0)
      for (const hash of targets) {
        expect(await page.locator(hash).count(), `the summary link ${hash} has a target`).toBe(1)
      }
      await expectSoundPage(page, seen, `${form.path} with errors`)
    })
  }

  // ---- how it looks ----

  it('looks like LGDS: generic header, service navigation, phase banner, footer crown hidden', async () => {
    const { page, seen } = await pageAs('anonymous')
    const shots = process.env.LGDS_SCREENSHOT_DIR
    if (shots) mkdirSync(shots, { recursive: true })
    for (const [url, file] of [
      ['/organisations', 'organisations.png'],
      ['/organisations/trafford', 'organisations-trafford.png'],
    ] as const) {
      await page.goto(site.url + url)
      expect(await page.locator('.govuk-generic-header .govuk-generic-header__homepage-link').innerText()).toBe('LGDS')
      expect(await page.locator('.govuk-header').count(), 'not the GOV.UK (crown) header').toBe(0)
      expect(await page.locator('.govuk-service-navigation__service-name').innerText()).toBe('Local Government Digital Service')
      expect(await page.locator('.govuk-service-navigation__item--active').innerText()).toBe('Organisations')
      expect(await page.locator('.govuk-phase-banner .govuk-tag').innerText()).toMatch(/alpha/i)
      expect(await page.locator('.govuk-footer__crown').isVisible(), 'the footer crown is hidden').toBe(false)
      expect(await page.locator('.govuk-footer').isVisible()).toBe(true)
      expect(await page.locator('link[rel=stylesheet][href="/public/app.css"]').count()).toBe(1)
      if (shots) await page.screenshot({ path: path.join(shots, file), fullPage: true })
    }
    expect(seen.csp).toEqual([])
  })

  it('shows Sign out (a form button) like the navigation links beside it', async () => {
    const { page } = await pageAs('person')
    await page.goto(`${site.url}/organisations`)
    const style = (selector: string) =>
      page.locator(selector).evaluate((el) => {
        const s = getComputedStyle(el)
        return { color: s.color, font: `${s.fontWeight} ${s.fontSize} ${s.fontFamily}` }
      })
    const signOut = await style('.govuk-service-navigation button.govuk-service-navigation__link')
    const yourAccount = await style('.govuk-service-navigation a.govuk-service-navigation__link[href="/account"]')
    // Black text among blue links reads as a label, not as something to press.
    expect(signOut).toEqual(yourAccount)
  })

  it('fails a page that breaks the rules (the checks above can fail)', async () => {
    const { page, seen } = await pageAs('anonymous')
    await page.route(`${site.url}/accessibility`, async (route) => {
      const response = await route.fetch()
      const broken = (await response.text()).replace('</h1>', '</h1><img src="/nothing.png"><script>document.title = "x"</script>')
      await route.fulfill({ response, body: broken })
    })
    await page.route(`${site.url}/public/app.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: '// initAll() never called' }))
    await page.goto(`${site.url}/accessibility`)
    await expect(expectAccessible(page, 'a broken page')).rejects.toThrow(/image-alt/)
    await expect(expectGovukFrontendInitialised(page)).rejects.toThrow(/did not initialise/)
    expect(seen.csp.join('\n')).toMatch(/script-src/)
  })
})
