import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { anonymous } from '../../platform/actor.js'
import { auditHistory } from '../../platform/audit.js'
import { ConflictError, ForbiddenError, UnauthenticatedError, ValidationError } from '../../platform/errors.js'

export const GRITTING = {
  title: 'Gritting routes',
  description: 'The roads the council grits in winter, with priority.',
  keywords: 'roads, winter; gritting',
  themes: ['TRAN'],
  frequency: 'annual',
  spatial: 'E08000009',
}

describeEachEngine('declaring datasets', (ctx) => {
  it('declares a dataset with a stable identifier, defaults, and an audit record', async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    const editor = await makeUser(services, { org: 'trafford', role: 'editor' })
    const dataset = await services.datasets.declare(editor.actor, 'trafford', GRITTING)
    expect(dataset).toMatchObject({
      title: 'Gritting routes',
      identifier: `http://lgds.test/datasets/${dataset.id}`,
      keywords: ['roads', 'winter', 'gritting'],
      themes: ['TRAN'],
      accessLevel: 'open',
      licence: 'OGL-UK-3.0',
      status: 'declared',
      version: 1,
    })
    const history = await auditHistory(db.kysely, 'dataset', dataset.id, { page: 1, pageSize: 5 })
    expect(history.items.map((e) => e.action)).toEqual(['dataset.create'])
  })

  it('requires a reason and explanation when the data is not open, and names every bad field', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const error = await services.datasets
      .declare(editor.actor, 'trafford', { title: '', description: 'x', themes: 'MOON', accessLevel: 'restricted', licence: 'WTFPL', frequency: 'hourly', temporalStart: '2024-02-30', spatial: 'Trafford' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields.map((f) => f.name).sort()).toEqual(['accessExplanation', 'accessReason', 'frequency', 'licence', 'spatial', 'temporalStart', 'themes', 'title'])
  })

  it('moves through the lifecycle: declared → scheduled → published → withdrawn, keeping every date change', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const dataset = await services.datasets.declare(editor.actor, 'trafford', GRITTING)
    const release = await services.datasets.addRelease(editor.actor, dataset.id, { plannedDate: '2027-03', state: 'provisional' })
    let detail = await services.datasets.get(dataset.id)
    expect(detail.dataset).toMatchObject({ status: 'scheduled', nextReleaseDate: '2027-03-01' })

    await services.datasets.updateRelease(editor.actor, release.id, { plannedDate: '2027-06', state: 'confirmed', note: 'Waiting for the new survey' })
    detail = await services.datasets.get(dataset.id)
    const moved = detail.releases[0]!
    expect(moved).toMatchObject({ label: 'June 2027', firstLabel: 'March 2027', state: 'confirmed', changeNote: 'Waiting for the new survey' })
    expect(moved.changes.map((c) => c.summary)).toEqual(['Planned for March 2027; Provisional', 'Moved from March 2027 to June 2027; Provisional → confirmed'])

    detail = await services.datasets.markReleased(editor.actor, release.id, { title: 'Routes 2027', downloadUrl: 'https://data.trafford.gov.uk/gritting.csv', format: 'csv' })
    expect(detail.dataset.status).toBe('published')
    expect(detail.dataset.publishedAt).not.toBeNull()
    expect(detail.distributions).toMatchObject([{ title: 'Routes 2027', format: 'CSV', releaseId: release.id }])
    expect(detail.releases[0]!.state).toBe('released')

    const withdrawn = await services.datasets.withdraw(editor.actor, dataset.id, 'Replaced by the county dataset', detail.dataset.version)
    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawnReason: 'Replaced by the county dataset' })
    expect((await services.datasets.get(dataset.id)).releases).toHaveLength(1)
  })

  it('marks a release overdue once its period has passed unreleased', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const dataset = await services.datasets.declare(editor.actor, 'trafford', { ...GRITTING, title: 'Late data' })
    await services.datasets.addRelease(editor.actor, dataset.id, { plannedDate: '2020-Q1', state: 'confirmed' })
    const detail = await services.datasets.get(dataset.id)
    expect(detail.releases[0]).toMatchObject({ overdue: true, label: 'January to March 2020' })
  })

  it('refuses a stale edit instead of overwriting it', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const dataset = await services.datasets.declare(editor.actor, 'trafford', GRITTING)
    await services.datasets.update(editor.actor, dataset.id, { ...GRITTING, title: 'Gritting routes 2026' }, dataset.version)
    await expect(services.datasets.update(editor.actor, dataset.id, { ...GRITTING, title: 'Stale' }, dataset.version)).rejects.toBeInstanceOf(ConflictError)
    expect((await services.datasets.get(dataset.id)).dataset.title).toBe('Gritting routes 2026')
  })

  it('lets only the body’s own editors or write tokens change its datasets', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const other = await makeUser(services, { org: 'manchester', role: 'admin' })
    const plain = await makeUser(services)
    const dataset = await services.datasets.declare(editor.actor, 'trafford', GRITTING)
    const release = await services.datasets.addRelease(editor.actor, dataset.id, { plannedDate: '2027-05' })
    const readToken = { kind: 'token' as const, tokenId: 't', tokenName: 'read', organisationId: dataset.organisationId, scope: 'read' as const }
    for (const [who, error] of [
      [other.actor, ForbiddenError],
      [plain.actor, ForbiddenError],
      [readToken, ForbiddenError],
      [anonymous, UnauthenticatedError],
    ] as const) {
      await expect(services.datasets.declare(who, 'trafford', GRITTING)).rejects.toBeInstanceOf(error)
      await expect(services.datasets.update(who, dataset.id, { ...GRITTING, title: 'Hijacked' }, dataset.version)).rejects.toBeInstanceOf(error)
      await expect(services.datasets.withdraw(who, dataset.id, 'no', dataset.version)).rejects.toBeInstanceOf(error)
      await expect(services.datasets.addRelease(who, dataset.id, { plannedDate: '2027-01' })).rejects.toBeInstanceOf(error)
      await expect(services.datasets.updateRelease(who, release.id, { state: 'cancelled' })).rejects.toBeInstanceOf(error)
      await expect(services.datasets.markReleased(who, release.id, { downloadUrl: 'https://x.example/a.csv' })).rejects.toBeInstanceOf(error)
      await expect(services.datasets.addDistribution(who, dataset.id, { downloadUrl: 'https://x.example/a.csv' })).rejects.toBeInstanceOf(error)
    }
    const after = await services.datasets.get(dataset.id)
    expect(after.dataset).toMatchObject({ title: 'Gritting routes', status: 'scheduled' })
    expect(after.releases.map((r) => r.state)).toEqual(['provisional'])
    expect(after.distributions).toEqual([])
    expect((await services.datasets.listForOrganisation('trafford', { page: 1, pageSize: 100 })).items.filter((d) => d.title === 'Gritting routes').length).toBeGreaterThan(0)
  })
})
