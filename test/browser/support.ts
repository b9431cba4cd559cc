import { accessSync, constants } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { AxeBuilder } from '@axe-core/playwright'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import { buildApp } from '../../src/app.js'
import { readLocalAuthorityRegister } from '../../src/features/organisations/register.js'
import { createServices, type Services } from '../../src/services.js'
import { REQUIRE_ALL, openTestDatabase, testConfig } from '../support/engines.js'
import { PASSWORD, makeUser, seedCouncils, system } from '../support/fixtures.js'

export { PASSWORD, makeUser }

/** Debian's Chromium. The browser tests drive it directly; nothing is downloaded. */
export const CHROMIUM = '/usr/bin/chromium'

/**
 * `--headless` etc. Playwright also gives every `launch()` a fresh temporary profile
 * (`--user-data-dir` in the system temp folder, removed on close), so no run sees another's
 * cookies or storage.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]

/** WCAG 2.2 AA as axe-core knows it. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export const chromiumAvailable = executable(CHROMIUM)
if (!chromiumAvailable && REQUIRE_ALL) {
  throw new Error(`Chromium is required (LGDS_REQUIRE_ALL=1) but ${CHROMIUM} is missing or not executable. Install Debian's chromium package.`)
}

/** `describe` when Chromium is here; otherwise skipped locally (and a failure in CI, above). */
export const describeInBrowser: typeof describe = chromiumAvailable ? describe : (describe.skip as typeof describe)

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

export interface Site {
  /** `http://127.0.0.1:<port>` */
  url: string
  app: FastifyInstance
  services: Services
  close(): Promise<void>
}

/**
 * The real app, listening on a random local port, over a fresh in-memory SQLite database.
 * `register: 'full'` loads every UK council (enough to page through); otherwise a few.
 */
export async function startSite(options: { register?: 'full' | 'few' } = {}): Promise<Site> {
  const { db, drop } = await openTestDatabase('sqlite')
  // Every test signs in through the form; the production limit (10 per 15 minutes) would trip.
  const config = testConfig({ SIGN_IN_RATE_LIMIT: '10000' })
  const services = createServices(config, db)
  if (options.register === 'full') await services.organisations.importRegister(system, readLocalAuthorityRegister())
  else await seedCouncils(services, ['trafford', 'manchester', 'leeds', 'mansfield', 'clackmannanshire'])
  const app = await buildApp({ config, db, services })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    services,
    async close() {
      await app.close()
      await drop()
    },
  }
}

export interface PageWatch {
  /** Console messages about Content Security Policy violations. */
  csp: string[]
  /** Uncaught exceptions in the page. */
  errors: string[]
}

/** Records what a page reports that a person would never see: CSP refusals and script errors. */
export function watch(page: Page): PageWatch {
  const seen: PageWatch = { csp: [], errors: [] }
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.csp.push(message.text())
  })
  page.on('pageerror', (error) => seen.errors.push(String(error)))
  return seen
}

/** Fills and submits the sign-in form with the mouse, as most people would. */
export async function signIn(page: Page, site: Site, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${site.url}/sign-in`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await Promise.all([page.waitForURL((url) => url.pathname !== '/sign-in'), page.getByRole('button', { name: 'Sign in' }).click()])
}

/** The readable list of axe violations, for a failure message. */
export function describeViolations(violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    at ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ') ?? ''}\n      ${n.html}`)
      return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`
    })
    .join('\n')
}

/**
 * Runs axe (WCAG 2.2 AA) on the page as it is now and fails with every violation listed.
 */
export async function expectAccessible(page: Page, label = page.url()): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()
  expect(results.violations.length, `axe found accessibility violations on ${label}:\n${describeViolations(results.violations)}`).toBe(0)
  // A page axe could not examine at all would pass vacuously.
  expect(results.passes.length, `axe checked nothing on ${label}`).toBeGreaterThan(0)
}

/**
 * Checks that the nonce'd inline script ran (the body class) and that govuk-frontend's
 * `initAll()` from /public/app.js set up every component on the page.
 */
export async function expectGovukFrontendInitialised(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')), 'body has govuk-frontend-supported').toBe(true)
  await page.waitForFunction(() => {
    const modules = [...document.querySelectorAll<HTMLElement>('[data-module]')]
    return modules.length > 0 && modules.every((el) => el.hasAttribute(`data-${el.dataset.module}-init`))
  }, undefined, { timeout: 5000 }).catch(() => undefined)
  const uninitialised = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-module]')].filter((el) => !el.hasAttribute(`data-${el.dataset.module}-init`)).map((el) => el.dataset.module),
  )
  const modules = await page.evaluate(() => document.querySelectorAll('[data-module]').length)
  expect(modules, 'the page has govuk-frontend components (at least the skip link)').toBeGreaterThan(0)
  expect(uninitialised, 'govuk-frontend components that initAll() did not initialise').toEqual([])
}

/**
 * What every page of the platform must be, whatever it shows: its components initialised,
 * accessible (axe), no Content Security Policy violations or script errors, one h1, and a
 * title that names it.
 */
export async function expectSoundPage(page: Page, seen: PageWatch, label: string): Promise<void> {
  await expectGovukFrontendInitialised(page)
  await expectAccessible(page, label)
  expect(seen.csp, `Content Security Policy violations on ${label}`).toEqual([])
  expect(seen.errors, `script errors on ${label}`).toEqual([])
  expect(await page.locator('h1').count(), `h1 count on ${label}`).toBe(1)
  expect(await page.title(), `title of ${label}`).toMatch(/ – LGDS$/)
}

/**
 * The people visiting a site in one browser: a context for each (signed in as an email, or
 * anonymous) with JavaScript on or off, made once and kept, and the pages opened in them.
 */
export class Visitors {
  private readonly contexts = new Map<string, Promise<BrowserContext>>()
  private readonly pages: Page[] = []

  constructor(
    private readonly browser: Browser,
    private readonly site: Site,
  ) {}

  /** A new page for someone: `email` null for an anonymous visitor. */
  async page(email: string | null, javaScript = true): Promise<{ page: Page; seen: PageWatch }> {
    const page = await (await this.context(email, javaScript)).newPage()
    this.pages.push(page)
    return { page, seen: watch(page) }
  }

  /** Closes the pages opened since the last call (after each test). */
  async closePages(): Promise<void> {
    for (const page of this.pages.splice(0)) await page.close().catch(() => {})
  }

  async close(): Promise<void> {
    await this.closePages()
    for (const context of this.contexts.values()) await (await context).close().catch(() => {})
  }

  private context(email: string | null, javaScript: boolean): Promise<BrowserContext> {
    const key = `${email ?? 'anonymous'}:${javaScript}`
    let context = this.contexts.get(key)
    if (!context) {
      context = (async () => {
        const created = await this.browser.newContext({ javaScriptEnabled: javaScript })
        if (email) {
          const page = await created.newPage()
          await signIn(page, this.site, email)
          await page.close()
        }
        return created
      })()
      this.contexts.set(key, context)
    }
    return context
  }
}
