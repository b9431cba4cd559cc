import type { FastifyInstance } from 'fastify'
import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils, system } from '../../../test/support/fixtures.js'
import { WebClient } from '../../../test/support/web.js'
import { ROAD_WORKS } from '../../../test/fixtures/datasets/road-works.js'
import type { Dataset } from './model.js'
import { scriptJson } from './json-ld.js'
import { formatBytes } from './page-parts.js'
import { withDatasetPages, type DatasetPages, type Person } from '../../../test/support/dataset-pages.js'

/* What the dataset pages and a body's inventory show. */

function jsonLdOf(html: string): Record<string, unknown> {
  const match = /<script type="application\/ld\+json" nonce="[^"]+">([\s\S]*?)<\/script>/.exec(html)
  if (!match) throw new Error('no JSON-LD on the page')
  return JSON.parse(match[1]!) as Record<string, unknown>
}

describeEachEngine('dataset pages', (ctx) => {
  let app: FastifyInstance
  let editor: Person
  let person: Person
  let manchesterAdmin: Person
  let signedIn: DatasetPages['signedIn']
  withDatasetPages(ctx, (pages) => ({ app, editor, person, manchesterAdmin, signedIn } = pages))

  it('shows an overdue release as overdue on the dataset page and in the body’s inventory', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Aaa overdue noise complaints' })
    await services.datasets.addRelease(system, dataset.id, { plannedDate: '2020-05', state: 'confirmed' })
    const page = await new WebClient(app).get(`/datasets/${dataset.id}`)
    expect(page.body).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Overdue\s*<\/strong>/)
    const inventory = await new WebClient(app).get('/organisations/trafford?pageSize=100')
    const row = new RegExp(`<a class="govuk-link" href="/datasets/${dataset.id}">Aaa overdue noise complaints</a>[\\s\\S]*?</tr>`).exec(inventory.body)?.[0]
    expect(row).toContain('May 2020')
    expect(row).toMatch(/<strong class="govuk-tag govuk-tag--red">\s*Overdue\s*<\/strong>/)
  })

  it('lists the body’s inventory on its page, paginated, with a declare link for its editors only', async () => {
    const { services } = ctx()
    await seedCouncils(services, ['leeds'])
    const leedsEditor = await makeUser(services, { org: 'leeds', role: 'editor' })
    const created: Dataset[] = []
    for (const title of ['Bridges', 'Culverts', 'Drains']) created.push(await services.datasets.declare(system, 'leeds', { ...ROAD_WORKS, title }))
    await services.datasets.addRelease(system, created[1]!.id, { plannedDate: '2031-06-15', state: 'confirmed' })

    const anonymousPage = await new WebClient(app).get('/organisations/leeds?pageSize=2')
    expect(anonymousPage.statusCode).toBe(200)
    expect(anonymousPage.body).toContain('<h2 class="govuk-heading-l" id="datasets">Datasets</h2>')
    expect(anonymousPage.body).toContain('Datasets declared by Leeds City Council, page 1 of 2')
    expect(anonymousPage.body).toContain(`<a class="govuk-link" href="/datasets/${created[0]!.id}">Bridges</a>`)
    expect(anonymousPage.body).toContain(`<a class="govuk-link" href="/datasets/${created[1]!.id}">Culverts</a>`)
    expect(anonymousPage.body).not.toContain('Drains')
    expect(anonymousPage.body).toContain('15 June 2031')
    expect(anonymousPage.body).toContain('None planned')
    expect(anonymousPage.body).toContain('href="/organisations/leeds?pageSize=2&amp;page=2"')
    expect(anonymousPage.body).not.toContain('Declare a dataset')

    const second = await new WebClient(app).get('/organisations/leeds?pageSize=2&page=2')
    expect(second.body).toContain(`<a class="govuk-link" href="/datasets/${created[2]!.id}">Drains</a>`)
    expect(second.body).not.toContain('Bridges')

    for (const email of [person.email, manchesterAdmin.email]) {
      const other = await (await signedIn(email)).get('/organisations/leeds')
      expect(other.body).not.toContain('Declare a dataset')
    }
    const own = await (await signedIn(leedsEditor.email)).get('/organisations/leeds')
    expect(own.body).toMatch(/<a href="\/organisations\/leeds\/datasets\/new" role="button" draggable="false" class="govuk-button govuk-button--secondary" data-module="govuk-button">\s*Declare a dataset\s*<\/a>/)

    const none = await new WebClient(app).get('/organisations/manchester')
    expect(none.body).toContain('has not declared any datasets yet')
  })

  it('puts schema.org Dataset JSON-LD in the page, safely escaped', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(
      system,
      'trafford',
      {
        ...ROAD_WORKS,
        title: 'Tricky </script><script>alert(1)</script> data',
        description: 'Ends a comment --> and <!-- starts one & more',
        keywords: 'one, two',
        temporalStart: '2024-04-01',
        temporalEnd: '2025-03-31',
        spatial: 'E08000009',
        licence: 'CC-BY-4.0',
      },
      [{ title: 'The file', downloadUrl: 'https://data.trafford.gov.uk/tricky.csv', format: 'CSV', mediaType: 'text/csv', byteSize: 1234 }],
    )
    const page = await new WebClient(app).get(`/datasets/${dataset.id}`)
    expect(page.statusCode).toBe(200)
    const script = /<script type="application\/ld\+json" nonce="([^"]+)">([\s\S]*?)<\/script>/.exec(page.body)!
    // The nonce is the one the Content Security Policy allows.
    expect(page.headers['content-security-policy']).toContain(`'nonce-${script[1]}'`)
    expect(script[2]).not.toMatch(/[<>]/)
    expect(page.body).not.toContain('<script>alert(1)</script>')
    const ld = jsonLdOf(page.body)
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Dataset',
      name: 'Tricky </script><script>alert(1)</script> data',
      description: 'Ends a comment --> and <!-- starts one & more',
      url: `http://lgds.test/datasets/${dataset.id}`,
      identifier: `http://lgds.test/datasets/${dataset.id}`,
      keywords: ['one', 'two'],
      license: 'https://creativecommons.org/licenses/by/4.0/',
      publisher: { '@type': 'GovernmentOrganization', name: 'Trafford Metropolitan Borough Council', url: 'http://lgds.test/organisations/trafford', identifier: 'E08000009' },
      temporalCoverage: '2024-04-01/2025-03-31',
      spatialCoverage: { '@type': 'Place', identifier: 'E08000009' },
      distribution: [{ '@type': 'DataDownload', name: 'The file', contentUrl: 'https://data.trafford.gov.uk/tricky.csv', encodingFormat: 'text/csv', contentSize: '1234 B' }],
      isAccessibleForFree: true,
      creativeWorkStatus: 'Published',
    })

    const restricted = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Closed data', accessLevel: 'restricted', accessReason: 'personal-data', accessExplanation: 'About people.' })
    const closed = jsonLdOf((await new WebClient(app).get(`/datasets/${restricted.id}`)).body)
    expect(closed).toMatchObject({ isAccessibleForFree: false, creativeWorkStatus: 'Declared', conditionsOfAccess: 'About people.', distribution: [] })
    expect(closed.temporalCoverage).toBeUndefined()

    expect(scriptJson({ a: '</script>\u2028&' })).toBe('{"a":"\\u003c/script\\u003e\\u2028\\u0026"}')
    expect(JSON.parse(scriptJson({ a: '</script>\u2028&' }))).toEqual({ a: '</script>\u2028&' })
  })

  it('shows the access reason and explanation prominently when the data is not open', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Care packages', accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'Records describe individual people.' })
    const page = await new WebClient(app).get(`/datasets/${dataset.id}`)
    expect(page.body).toContain('Not public')
    expect(page.body).toContain('Personal data')
    expect(page.body).toContain('Records describe individual people.')
    // Anonymous visitors see no management links.
    expect(page.body).not.toContain('Manage this dataset')
  })

  it('answers 404 for an unknown dataset or a release of another dataset', async () => {
    const { services } = ctx()
    const a = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'A' })
    const b = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'B' })
    const releaseOfB = await services.datasets.addRelease(system, b.id, { plannedDate: '2028-01' })
    expect((await new WebClient(app).get('/datasets/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404)
    const client = await signedIn(editor.email)
    expect((await client.get(`/datasets/${a.id}/releases/${releaseOfB.id}/edit`)).statusCode).toBe(404)
    expect((await client.get(`/datasets/${a.id}/releases/${releaseOfB.id}/released`)).statusCode).toBe(404)
  })

  it('works without JavaScript: the reason fields follow the access question, never hidden', async () => {
    const client = await signedIn(editor.email)
    const form = await client.get('/organisations/trafford/datasets/new')
    expect(form.body).not.toContain('govuk-radios__conditional')
    expect(form.body).toMatch(/name="accessLevel" type="radio" value="non-public"[\s\S]*?id="accessReason"[\s\S]*?id="accessExplanation"/)
  })

  it('formats sizes for people', () => {
    expect(formatBytes(null)).toBe('')
    expect(formatBytes(900)).toBe('900 bytes')
    expect(formatBytes(48213)).toBe('47.1 KB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB')
  })
})
