import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { system } from '../../../test/support/fixtures.js'
import { WebClient, csrfOf } from '../../../test/support/web.js'
import { ROAD_WORKS } from '../../../test/fixtures/datasets/road-works.js'
import { withDatasetPages, type DatasetPages, type Person } from '../../../test/support/dataset-pages.js'

/* Who may change a dataset from its pages, and what no one may do to a withdrawn one. */

describeEachEngine('dataset pages', (ctx) => {
  let app: FastifyInstance
  let editor: Person
  let person: Person
  let manchesterAdmin: Person
  let manchesterEditor: Person
  let signedIn: DatasetPages['signedIn']
  withDatasetPages(ctx, (pages) => ({ app, editor, person, manchesterAdmin, manchesterEditor, signedIn } = pages))

  // ---- who may change what ----

  describe('refuses every write to anyone who is not an editor of the body, changing nothing', () => {
    type Caller = { name: string; status: number; client: () => Promise<WebClient> }
    const callers: Caller[] = [
      { name: 'an anonymous visitor', status: 401, client: async () => new WebClient(app) },
      { name: 'a plain account', status: 403, client: () => signedIn(person.email) },
      { name: 'an admin of another body', status: 403, client: () => signedIn(manchesterAdmin.email) },
      { name: 'an editor of another body', status: 403, client: () => signedIn(manchesterEditor.email) },
    ]

    async function snapshot(datasetId: string) {
      const { db, services } = ctx()
      const audit = await db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      const datasets = await db.kysely.selectFrom('datasets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      const changes = await db.kysely.selectFrom('release_changes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      return { detail: await services.datasets.get(datasetId), audit: Number(audit.n), datasets: Number(datasets.n), changes: Number(changes.n) }
    }

    for (const caller of callers) {
      it(`${caller.name}: every form page and every POST`, async () => {
        const { services } = ctx()
        const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: `Guarded (${caller.name})` })
        const release = await services.datasets.addRelease(system, dataset.id, { plannedDate: '2029-04', state: 'provisional' })
        const client = await caller.client()
        // A token from a page the caller may see, so the refusal is about who they are, not CSRF.
        const token = csrfOf((await client.get(caller.status === 401 ? '/sign-in' : '/account')).body)
        const before = await snapshot(dataset.id)

        const writes: { form: string; action: string; fields: Record<string, string> }[] = [
          {
            form: '/organisations/trafford/datasets/new',
            action: '/organisations/trafford/datasets/new',
            fields: { title: 'Sneaky', description: 'Sneaky', themes: 'TRAN', frequency: 'annual', accessLevel: 'open' },
          },
          {
            form: `/datasets/${dataset.id}/edit`,
            action: `/datasets/${dataset.id}/edit`,
            fields: { version: String(dataset.version + 1), title: 'Hijacked', description: 'x', themes: 'TRAN', frequency: 'annual' },
          },
          { form: `/datasets/${dataset.id}/withdraw`, action: `/datasets/${dataset.id}/withdraw`, fields: { reason: 'Because', version: String(dataset.version + 1) } },
          { form: `/datasets/${dataset.id}/releases/new`, action: `/datasets/${dataset.id}/releases/new`, fields: { plannedDate: '2030-01', state: 'confirmed' } },
          { form: `/datasets/${dataset.id}/releases/${release.id}/edit`, action: `/datasets/${dataset.id}/releases/${release.id}/edit`, fields: { plannedDate: '2031-01', state: 'cancelled' } },
          {
            form: `/datasets/${dataset.id}/releases/${release.id}/released`,
            action: `/datasets/${dataset.id}/releases/${release.id}/released`,
            fields: { 'distribution.downloadUrl': 'https://evil.example/x.csv' },
          },
          { form: `/datasets/${dataset.id}/distributions/new`, action: `/datasets/${dataset.id}/distributions/new`, fields: { downloadUrl: 'https://evil.example/y.csv' } },
        ]
        for (const write of writes) {
          const page = await client.get(write.form)
          expect(page.statusCode, `GET ${write.form}`).toBe(caller.status)
          expect(page.body).not.toContain('name="title"')
          const posted = await client.post(write.action, { _csrf: token, ...write.fields })
          expect(posted.statusCode, `POST ${write.action}`).toBe(caller.status)
          expect(posted.body).toContain(caller.status === 401 ? 'You need to sign in' : 'You can only change records of a body you belong to')
          // Invalid input is refused the same way: who they are is checked first.
          const empty = await client.post(write.action, { _csrf: token })
          expect(empty.statusCode, `empty POST ${write.action}`).toBe(caller.status)
        }
        expect(await snapshot(dataset.id)).toEqual(before)
        expect(await ctx().db.kysely.selectFrom('datasets').select('id').where('title', 'in', ['Sneaky', 'Hijacked']).execute()).toEqual([])
      })
    }

    it('an editor of the body itself may (the same requests succeed)', async () => {
      const { services } = ctx()
      const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Allowed' })
      const client = await signedIn(editor.email)
      const response = await client.submit(`/datasets/${dataset.id}/releases/new`, `/datasets/${dataset.id}/releases/new`, { plannedDate: '2030-01', state: 'confirmed' })
      expect(response.statusCode).toBe(303)
      expect((await services.datasets.get(dataset.id)).releases).toMatchObject([{ label: 'January 2030', state: 'confirmed' }])
    })

    it('refuses a POST without a CSRF token even from the body’s own editor', async () => {
      const { services } = ctx()
      const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'No CSRF' })
      const client = await signedIn(editor.email)
      const response = await client.post(`/datasets/${dataset.id}/withdraw`, { reason: 'Forged', version: '1' })
      expect(response.statusCode).toBe(403)
      expect((await services.datasets.get(dataset.id)).dataset.status).toBe('declared')
    })
  })

  it('refuses to schedule or publish a withdrawn dataset from its pages', async () => {
    const { services } = ctx()
    const dataset = await services.datasets.declare(system, 'trafford', { ...ROAD_WORKS, title: 'Gone' })
    const release = await services.datasets.addRelease(system, dataset.id, { plannedDate: '2029-01' })
    const current = (await services.datasets.get(dataset.id)).dataset
    await services.datasets.withdraw(system, dataset.id, 'No longer collected', current.version)
    const client = await signedIn(editor.email)
    const form = await client.get(`/datasets/${dataset.id}/releases/${release.id}/released`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('This dataset has been withdrawn, so nothing more can be scheduled or published for it.')
    expect(form.body).not.toContain('name="distribution.downloadUrl"')
    const token = csrfOf(form.body)
    const posted = await client.post(`/datasets/${dataset.id}/releases/${release.id}/released`, { _csrf: token, 'distribution.downloadUrl': 'https://data.trafford.gov.uk/gone.csv' })
    expect(posted.statusCode).toBe(409)
    const detail = await services.datasets.get(dataset.id)
    expect(detail.dataset.status).toBe('withdrawn')
    expect(detail.distributions).toEqual([])
    // Withdrawing cancelled the planned release, so it can never show as overdue.
    expect(detail.releases[0]).toMatchObject({ state: 'cancelled', overdue: false, changeNote: 'Dataset withdrawn' })
  })
})
