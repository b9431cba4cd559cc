import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, expectAccessible, launchChromium, signIn, startSite, type Site } from '../../../test/browser/support.js'
import { makeUser } from '../../../test/support/fixtures.js'
import { projectRoot } from '../../paths.js'

const SAMPLES = path.join(projectRoot, 'test', 'fixtures', 'harvest', 'datajson')

describeInBrowser('harvesting in Chromium', () => {
  let site: Site
  let browser: Browser
  let email: string

  beforeAll(async () => {
    site = await startSite()
    email = (await makeUser(site.services, { org: 'leeds', role: 'editor' })).email
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  it('the report pages, with rejected records and after a dry run, pass axe', { timeout: 120_000 }, async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    try {
      await signIn(page, site, email)
      await page.goto(`${site.url}/organisations/leeds/datasets/harvest`)
      await page.getByLabel('Or upload a saved catalogue file').setInputFiles(path.join(SAMPLES, 'missing-dataset-fields.data.json'))
      await page.getByLabel(/data\.json/i).first().check()
      await page.getByRole('button', { name: 'Harvest datasets' }).click()
      await page.waitForLoadState()
      expect(await page.locator('.govuk-error-summary').count()).toBe(1)
      await expectAccessible(page, 'harvest report with rejected records')

      await page.goto(`${site.url}/organisations/leeds/datasets/harvest`)
      await page.getByLabel('Or upload a saved catalogue file').setInputFiles(path.join(SAMPLES, 'arm.data.json'))
      await page.getByLabel(/data\.json/i).first().check()
      await page.getByLabel('Check the catalogue only (dry run)').check()
      await page.getByRole('button', { name: 'Harvest datasets' }).click()
      await page.waitForLoadState()
      expect(await page.locator('.govuk-error-summary').count()).toBe(0)
      await expectAccessible(page, 'harvest report of a dry run')
      expect((await site.services.datasets.listForOrganisation('leeds', { page: 1, pageSize: 10 })).total).toBe(0)
    } finally {
      await context.close()
    }
  })
})
