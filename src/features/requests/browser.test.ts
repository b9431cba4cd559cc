import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  describeInBrowser,
  expectAccessible,
  expectGovukFrontendInitialised,
  launchChromium,
  makeUser,
  signIn,
  startSite,
  watch,
  type Site,
} from '../../../test/browser/support.js'

type Who = 'anonymous' | 'person' | 'editor' | 'admin'

/** The request pages in a real browser: axe (WCAG 2.2 AA), CSP, and the forms with scripts off. */
describeInBrowser('data request pages in Chromium', () => {
  let site: Site
  let browser: Browser
  const emails: Partial<Record<Who, string>> = {}
  const contexts = new Map<string, Promise<BrowserContext>>()
  let requestId: string
  let unassignedId: string
  let commentId: string
  let hiddenCommentId: string
  let datasetId: string

  beforeAll(async () => {
    site = await startSite()
    const s = site.services
    const person = await makeUser(s, { name: 'Rita Requester' })
    const editor = await makeUser(s, { org: 'trafford', role: 'editor', name: 'Tom Trafford' })
    const admin = await makeUser(s, { platformAdmin: true, name: 'Ada Admin' })
    Object.assign(emails, { person: person.email, editor: editor.email, admin: admin.email })
    const dataset = await s.datasets.declare(editor.actor, 'trafford', { title: 'Gritting routes', description: 'Winter roads.', themes: ['TRAN'], frequency: 'annual' })
    datasetId = dataset.id
    await s.datasets.addRelease(editor.actor, dataset.id, { plannedDate: '2027-06', state: 'confirmed' })
    const request = await s.requests.create(person.actor, { kind: 'new', title: 'Potholes repaired', description: 'Every pothole reported.\nAnd when it was fixed.', reason: 'To compare roads.', organisation: 'trafford' })
    requestId = request.id
    commentId = (await s.requestParticipation.comment(person.actor, request.id, 'Please include the ward.')).id
    hiddenCommentId = (await s.requestParticipation.comment(person.actor, request.id, 'Something rude')).id
    await s.requestParticipation.hideComment(editor.actor, request.id, hiddenCommentId, 'It was abusive')
    unassignedId = (await s.requests.create(person.actor, { kind: 'new', title: 'Allotments', description: 'Waiting lists.', reason: 'I am waiting.' })).id
    const answered = await s.requests.create(person.actor, { kind: 'early-release', dataset: dataset.id, reason: 'Winter comes early.' })
    await s.requests.answer(editor.actor, answered.id, { status: 'declined', declineReason: 'disproportionate-cost', response: 'The survey is not finished.' })
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const context of contexts.values()) await (await context).close().catch(() => {})
    await browser?.close()
    await site?.close()
  })

  function contextFor(who: Who, javaScriptEnabled = true): Promise<BrowserContext> {
    const key = `${who}:${javaScriptEnabled}`
    let context = contexts.get(key)
    if (!context) {
      context = (async () => {
        const created = await browser.newContext({ javaScriptEnabled })
        if (who !== 'anonymous') {
          const page = await created.newPage()
          await signIn(page, site, emails[who]!)
          await page.close()
        }
        return created
      })()
      contexts.set(key, context)
    }
    return context
  }

  async function open(who: Who, path: string, status = 200): Promise<{ page: Page; seen: ReturnType<typeof watch> }> {
    const page = await (await contextFor(who)).newPage()
    const seen = watch(page)
    const response = await page.goto(site.url + path)
    expect(response?.status(), path).toBe(status)
    return { page, seen }
  }

  async function expectSound(page: Page, seen: ReturnType<typeof watch>, label: string) {
    await expectGovukFrontendInitialised(page)
    await expectAccessible(page, label)
    expect(seen.csp, `CSP violations on ${label}`).toEqual([])
    expect(seen.errors, `script errors on ${label}`).toEqual([])
    expect(await page.locator('h1').count(), `one h1 on ${label}`).toBe(1)
  }

  const pages: { path: () => string; who: Who; heading: RegExp }[] = [
    { path: () => '/requests', who: 'anonymous', heading: /Data requests/ },
    { path: () => '/requests?q=potholes&status=submitted&body=trafford&sort=supported', who: 'person', heading: /Data requests/ },
    { path: () => '/requests?q=nothing-matches', who: 'anonymous', heading: /Data requests/ },
    { path: () => '/requests/new', who: 'person', heading: /Ask for data/ },
    { path: () => `/requests/new?dataset=${datasetId}`, who: 'person', heading: /Ask for data/ },
    { path: () => `/requests/${requestId}`, who: 'anonymous', heading: /Potholes repaired/ },
    { path: () => `/requests/${requestId}`, who: 'person', heading: /Potholes repaired/ },
    { path: () => `/requests/${requestId}`, who: 'editor', heading: /Potholes repaired/ },
    { path: () => `/requests/${unassignedId}`, who: 'admin', heading: /Allotments/ },
    { path: () => `/requests/${requestId}/comments/${commentId}/hide`, who: 'editor', heading: /Hide a comment/ },
  ]
  for (const entry of pages) {
    it(`${entry.path.toString().replace(/^\(\) => /, '')} as ${entry.who}`, async () => {
      const { page, seen } = await open(entry.who, entry.path())
      await expect.poll(() => page.locator('h1').innerText()).toMatch(entry.heading)
      await expectSound(page, seen, `${entry.path()} as ${entry.who}`)
      await page.close()
    })
  }

  it('the declined request, with its answer', async () => {
    const { items } = await site.services.requests.list({ status: 'declined' }, { page: 1, pageSize: 1 })
    const { page, seen } = await open('anonymous', `/requests/${items[0]!.id}`)
    expect(await page.getByText('The cost would be disproportionate').count()).toBe(1)
    await expectSound(page, seen, 'declined request')
    await page.close()
  })

  it('the ask form with errors: summary links reach their fields', async () => {
    const { page, seen } = await open('person', '/requests/new')
    await page.getByLabel('Data that has not been declared').check()
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send request' }).click()])
    const summary = page.locator('.govuk-error-summary')
    expect(await summary.innerText()).toContain('Enter a title for the data you are asking for')
    for (const hash of await summary.locator('a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).hash))) {
      expect(await page.locator(hash).count(), `the summary link ${hash} has a target`).toBe(1)
    }
    await expectSound(page, seen, 'ask form with errors')
    await page.close()
  })

  it('the answer form with errors: summary links reach their fields', async () => {
    const { page, seen } = await open('editor', `/requests/${requestId}`)
    await page.getByLabel('Declined', { exact: true }).check()
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send answer' }).click()])
    const summary = page.locator('.govuk-error-summary')
    expect(await summary.innerText()).toContain('Explain why the request is declined')
    expect(await summary.innerText()).toContain('Select the reason for declining')
    for (const hash of await summary.locator('a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).hash))) {
      expect(await page.locator(hash).count(), `the summary link ${hash} has a target`).toBe(1)
    }
    expect(await page.getByLabel('Declined', { exact: true }).isChecked()).toBe(true)
    await expectSound(page, seen, 'answer form with errors')
    await page.close()
  })

  it('answers and supports with JavaScript off', async () => {
    const page = await (await contextFor('editor', false)).newPage()
    await page.goto(`${site.url}/requests/${requestId}`)
    await page.getByLabel('Scheduled', { exact: true }).check()
    await page.getByLabel('Planned release (if scheduled)').selectOption({ label: 'Gritting routes: June 2027 (confirmed)' })
    await Promise.all([page.waitForURL(`${site.url}/requests/${requestId}`), page.getByRole('button', { name: 'Send answer' }).click()])
    expect(await page.locator('.govuk-notification-banner--success').innerText()).toContain('The request is now marked scheduled')
    await page.getByRole('button', { name: 'Support' }).click()
    await page.waitForURL(`${site.url}/requests/${requestId}`)
    expect(await page.getByText('2 people support this request.').count()).toBe(1)
    await page.close()
  })
})
