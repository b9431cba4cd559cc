import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, launchChromium, makeUser, PASSWORD, signIn, startSite, watch, type Site } from './support.js'

/** What has keyboard focus, as a person using a screen reader or keyboard would meet it. */
interface Focused {
  tag: string
  id: string
  classes: string
  /** The text, aria-label or label of the element. */
  name: string
  href: string | null
  /** Whether the GOV.UK focus style (yellow, outline or shadow) shows where focus is. */
  indicated: boolean
}

async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body) return null
    const shows = (s: CSSStyleDeclaration) =>
      (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !/transparent|rgba\(0, 0, 0, 0\)/.test(s.outlineColor)) ||
      (s.boxShadow !== '' && s.boxShadow !== 'none') ||
      s.backgroundColor === 'rgb(255, 221, 0)'
    let indicated = shows(getComputedStyle(el))
    // GOV.UK radios and checkboxes hide the native input and draw focus on the label's ::before.
    if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) {
      const label = el.labels?.[0]
      indicated = Boolean(label && shows(getComputedStyle(label, '::before')))
    }
    const labelled = el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? el.labels?.[0]?.innerText : undefined
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      classes: el.className,
      name: (el.getAttribute('aria-label') ?? labelled ?? el.innerText ?? '').trim().replace(/\s+/g, ' '),
      href: el.getAttribute('href'),
      indicated,
    }
  })
}

function describeFocus(f: Focused | null): string {
  if (!f) return '(body)'
  return `${f.tag}${f.id ? `#${f.id}` : ''} "${f.name}"`
}

/**
 * Presses Tab until focus reaches what `wanted` describes, checking on the way that every stop
 * shows a visible focus indicator (WCAG 2.4.7). Fails with the route focus took.
 */
async function tabTo(page: Page, what: string, wanted: (f: Focused) => boolean, limit = 80): Promise<Focused> {
  const route: string[] = []
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab')
    const f = await focused(page)
    route.push(describeFocus(f))
    if (!f) continue
    expect(f.indicated, `focus is visible on ${describeFocus(f)}`).toBe(true)
    if (wanted(f)) return f
  }
  throw new Error(`Tab never reached ${what}. Focus went: ${route.join(' → ')}`)
}

const link = (name: string | RegExp) => (f: Focused) => f.tag === 'a' && (typeof name === 'string' ? f.name === name : name.test(f.name))
const button = (name: string) => (f: Focused) => f.tag === 'button' && f.name === name
const field = (id: string) => (f: Focused) => f.id === id

async function activeElement(page: Page): Promise<{ id: string; classes: string } | null> {
  return page.evaluate(() => {
    const el = document.activeElement
    return el && el !== document.body ? { id: el.id, classes: el.className } : null
  })
}

/** Runs a keypress (or anything) that submits a form or follows a link, and waits for the new page. */
async function navigating(page: Page, action: () => Promise<void>): Promise<number> {
  const [response] = await Promise.all([page.waitForNavigation(), action()])
  return response?.status() ?? 0
}

describeInBrowser('journeys in Chromium', () => {
  let site: Site
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    site = await startSite({ register: 'full' })
    browser = await launchChromium()
  })

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {})
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext(options)
    contexts.push(context)
    return context.newPage()
  }

  it('signs up, finds Trafford and signs out using only the keyboard', { timeout: 90_000 }, async () => {
    const page = await newPage()
    const seen = watch(page)
    const email = `kay.keyboard.${Date.now()}@example.gov.uk`
    await page.goto(`${site.url}/`)

    // The skip link is the first thing focus reaches, and it skips to the main content.
    await page.keyboard.press('Tab')
    const first = await focused(page)
    expect(first?.classes, `the first Tab stop is the skip link, not ${describeFocus(first)}`).toContain('govuk-skip-link')
    expect(first?.name).toBe('Skip to main content')
    expect(first?.indicated, 'the focused skip link is visible').toBe(true)
    expect(await page.locator('.govuk-skip-link').isVisible(), 'the skip link shows when focused').toBe(true)
    await page.keyboard.press('Enter')
    expect((await activeElement(page))?.id, 'Enter on the skip link moves focus to the main content').toBe('main-content')

    // To "Create an account" in the page content.
    await tabTo(page, 'the "Create an account" link', link('Create an account'))
    await navigating(page, () => page.keyboard.press('Enter'))
    expect(new URL(page.url()).pathname).toBe('/sign-up')

    // Submitting the empty form shows the error summary, which takes focus.
    await page.keyboard.press('Tab')
    expect(describeFocus(await focused(page))).toContain('Skip to main content')
    await tabTo(page, 'the "Create account" button', button('Create account'))
    expect(await navigating(page, () => page.keyboard.press('Enter'))).toBe(400)
    await expect.poll(async () => (await activeElement(page))?.classes ?? '', { message: 'the error summary has focus' }).toContain('govuk-error-summary')
    expect(await page.title()).toMatch(/^Error: /)

    // Its first link leads to the field.
    await tabTo(page, 'the error summary link', link('Enter your full name'))
    await page.keyboard.press('Enter')
    await expect.poll(async () => (await activeElement(page))?.id, { message: 'the error link moves focus to the field' }).toBe('name')

    await page.keyboard.type('Kay Keyboard')
    await page.keyboard.press('Tab')
    expect(await focused(page)).toMatchObject({ id: 'email' })
    await page.keyboard.type(email)
    await page.keyboard.press('Tab')
    expect(await focused(page)).toMatchObject({ id: 'password' })
    await page.keyboard.type(PASSWORD)
    await tabTo(page, 'the "Create account" button', button('Create account'))
    await navigating(page, () => page.keyboard.press('Enter'))

    // Signed in, on the account page.
    expect(new URL(page.url()).pathname).toBe('/account')
    expect(await page.locator('h1').innerText()).toBe('Your account')
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Your account has been created and you are signed in')
    expect(await page.locator('.govuk-summary-list').innerText()).toContain(email)
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1)

    // Browse organisations and search for Trafford.
    await tabTo(page, 'the Organisations link', (f) => link('Organisations')(f) && f.href === '/organisations')
    await navigating(page, () => page.keyboard.press('Enter'))
    expect(new URL(page.url()).pathname).toBe('/organisations')
    await tabTo(page, 'the search box', field('q'))
    await page.keyboard.type('Trafford')
    await navigating(page, () => page.keyboard.press('Enter'))
    expect(new URL(page.url()).searchParams.get('q')).toBe('Trafford')
    expect(await page.locator('#results-heading').innerText()).toBe('1 organisation')

    await tabTo(page, 'the Trafford result', link('Trafford Metropolitan Borough Council'))
    await navigating(page, () => page.keyboard.press('Enter'))
    expect(new URL(page.url()).pathname).toBe('/organisations/trafford')
    expect(await page.locator('h1').innerText()).toBe('Trafford Metropolitan Borough Council')

    // Sign out: a button in the header.
    await tabTo(page, 'the Sign out button', button('Sign out'))
    await navigating(page, () => page.keyboard.press('Enter'))
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).count()).toBe(1)

    expect(seen.csp).toEqual([])
    expect(seen.errors).toEqual([])
  })

  it('signs in and out with the mouse; the account page then asks to sign in', { timeout: 60_000 }, async () => {
    const { email } = await makeUser(site.services, { name: 'Mo Mouse' })
    const page = await newPage()
    await signIn(page, site, email)
    expect(new URL(page.url()).pathname).toBe('/account')
    expect(await page.locator('.govuk-summary-list').innerText()).toContain('Mo Mouse')
    const cookiesWhileSignedIn = await page.context().cookies()
    expect(cookiesWhileSignedIn.map((c) => c.name)).toContain('lgds_session')

    await navigating(page, () => page.getByRole('button', { name: 'Sign out' }).click())
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)

    const refused = await page.goto(`${site.url}/account`)
    expect(refused?.status()).toBe(401)
    expect(await page.locator('h1').innerText()).toBe('You need to sign in')
    expect(await page.locator('.govuk-summary-list').count(), 'no account details shown').toBe(0)

    // The session is gone on the server, not just forgotten by the browser.
    await page.context().addCookies(cookiesWhileSignedIn)
    expect((await page.goto(`${site.url}/account`))?.status(), 'the old session cookie no longer works').toBe(401)

    // The sign-in link brings the person back to where they were going.
    const signInLink = page.getByRole('main').getByRole('link', { name: 'Sign in' })
    expect(await signInLink.getAttribute('href')).toBe('/sign-in?next=%2Faccount')
    await navigating(page, () => signInLink.click())
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await navigating(page, () => page.getByRole('button', { name: 'Sign in' }).click())
    expect(new URL(page.url()).pathname).toBe('/account')
    expect(await page.locator('h1').innerText()).toBe('Your account')
  })

  it('works without JavaScript: sign in, search, page through and open a council', { timeout: 60_000 }, async () => {
    const { email } = await makeUser(site.services, { name: 'Nora Noscript' })
    const page = await newPage({ javaScriptEnabled: false })
    await page.goto(`${site.url}/sign-in`)
    // Proof that scripts really are off: the template's inline script never ran.
    expect(await page.locator('body').getAttribute('class')).not.toContain('js-enabled')
    expect(await page.getByRole('button', { name: 'Show password' }).isVisible(), 'no JS, no show-password button').toBe(false)

    // The server's own validation, with no script to help.
    expect(await navigating(page, () => page.getByRole('button', { name: 'Sign in' }).click())).toBe(400)
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter your email address')

    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await navigating(page, () => page.getByRole('button', { name: 'Sign in' }).click())
    expect(new URL(page.url()).pathname).toBe('/account')
    expect(await page.locator('.govuk-summary-list').innerText()).toContain('Nora Noscript')

    await navigating(page, () => page.getByRole('navigation', { name: /menu|navigation/i }).getByRole('link', { name: 'Organisations' }).click())
    expect(new URL(page.url()).pathname).toBe('/organisations')
    const total = await page.locator('#results-heading').innerText()
    expect(total).toMatch(/^\d{3} organisations$/)

    // Pagination is plain links.
    await navigating(page, () => page.getByRole('link', { name: /Next/ }).click())
    expect(new URL(page.url()).searchParams.get('page')).toBe('2')
    expect(await page.locator('.govuk-pagination__item--current').innerText()).toContain('2')

    // Filter with the form.
    await page.getByLabel('Name or code').fill('Leeds')
    await page.getByLabel('Nation', { exact: true }).selectOption('England')
    await navigating(page, () => page.getByRole('button', { name: 'Apply filters' }).click())
    const url = new URL(page.url())
    expect(url.searchParams.get('q')).toBe('Leeds')
    expect(url.searchParams.get('nation')).toBe('England')
    expect(url.searchParams.get('page'), 'a new search starts at page 1').toBeNull()
    await navigating(page, () => page.getByRole('link', { name: 'Leeds City Council' }).click())
    expect(new URL(page.url()).pathname).toBe('/organisations/leeds')
    expect(await page.locator('h1').innerText()).toBe('Leeds City Council')

    await navigating(page, () => page.getByRole('button', { name: 'Sign out' }).click())
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
  })
})
