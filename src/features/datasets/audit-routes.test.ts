import type { FastifyInstance } from 'fastify'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachEngine, testConfig } from '../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils } from '../../../test/support/fixtures.js'
import { WebClient, errorSummary } from '../../../test/support/web.js'
import { buildApp } from '../../app.js'
import { createServices } from '../../services.js'
import { newId } from '../../platform/crypto.js'
import { AUDIT_CSV_COLUMNS, csvCell } from './audit-routes.js'

const DECLARATION = { description: 'Declared for the audit.', keywords: 'audit', themes: ['GOVE'], frequency: 'annual' }
const T = 'Trafford Metropolitan Borough Council'
const M = 'Manchester City Council'
const L = 'Leeds City Council'
const DEADLINE = { 'deadline-day': '31', 'deadline-month': '3', 'deadline-year': '2099' }

function text(html: string): string {
  return html
    .replace(/<span class="govuk-visually-hidden">[^<]*<\/span>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/** The dashboard table's body rows, as the text of each cell. */
function tableRows(html: string): string[][] {
  const body = /<tbody class="govuk-table__body">([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? ''
  return [...body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => text(cell[1]!)))
}

function headers(html: string): { text: string; href: string; ariaSort: string | null }[] {
  const head = /<thead class="govuk-table__head">([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? ''
  return [...head.matchAll(/<th scope="col"([^>]*)>([\s\S]*?)<\/th>/g)].map((m) => ({
    text: text(m[2]!).replace(/[▲▼]/g, '').trim(),
    href: (/href="([^"]+)"/.exec(m[2]!)?.[1] ?? '').replace(/&amp;/g, '&'),
    ariaSort: /aria-sort="([^"]+)"/.exec(m[1]!)?.[1] ?? null,
  }))
}

describeEachEngine('audit pages', (ctx) => {
  let app: FastifyInstance
  let emails: Record<'platformAdmin' | 'traffordAdmin' | 'traffordEditor' | 'manchesterAdmin' | 'plain', string>
  let councils: Record<string, { id: string }>

  beforeAll(async () => {
    const { services, db } = ctx()
    councils = await seedCouncils(services)
    const traffordAdmin = await makeUser(services, { org: 'trafford', role: 'admin', name: 'Tess Trafford' })
    emails = {
      platformAdmin: (await makeUser(services, { platformAdmin: true, name: 'Pat Platform' })).email,
      traffordAdmin: traffordAdmin.email,
      traffordEditor: (await makeUser(services, { org: 'trafford', role: 'editor' })).email,
      manchesterAdmin: (await makeUser(services, { org: 'manchester', role: 'admin', name: 'Mo Manchester' })).email,
      plain: (await makeUser(services)).email,
    }
    const t = traffordAdmin.actor
    const gritting = await services.datasets.declare(t, 'trafford', { ...DECLARATION, title: 'Gritting routes' })
    await services.datasets.declare(t, 'trafford', { ...DECLARATION, title: 'Contracts, “large”', accessLevel: 'restricted', accessReason: 'commercial-confidentiality', accessExplanation: 'Prices' })
    await services.datasets.declare(t, 'trafford', { ...DECLARATION, title: 'Parks' })
    await services.datasets.addRelease(t, gritting.id, { plannedDate: '2020-03', state: 'confirmed' })
    const manchester = (await services.accounts.actorForUser((await db.kysely.selectFrom('users').select('id').where('email', '=', emails.manchesterAdmin).executeTakeFirstOrThrow()).id))!
    await services.datasets.declare(manchester, 'manchester', { ...DECLARATION, title: 'Bins' })
    const request = (organisationId: string, due: string, answered: string | null) => ({
      id: newId(),
      kind: 'new',
      title: 'Please',
      description: 'Publish it',
      reason: null,
      organisation_id: organisationId,
      dataset_id: null,
      requester_id: traffordAdmin.userId,
      requester_name: 'Tess Trafford',
      status: answered ? 'acknowledged' : 'submitted',
      decline_reason: null,
      response: null,
      release_id: null,
      fulfilled_dataset_id: null,
      due_date: due,
      answered_at: answered,
      support_count: 0,
      created_at: '2020-01-01T00:00:00.000Z',
      updated_at: '2020-01-01T00:00:00.000Z',
    })
    await db.kysely
      .insertInto('data_requests')
      .values([request(councils.manchester!.id, '2020-02-01', '2020-01-20T12:00:00.000Z'), request(councils.manchester!.id, '2020-02-01', '2020-03-01T12:00:00.000Z'), request(councils.manchester!.id, '2020-02-01', '2020-01-31T12:00:00.000Z')])
      .execute()
    // Every test signs people in afresh: lift the sign-in rate limit as the account tests do.
    const config = testConfig({ SIGN_IN_RATE_LIMIT: '1000' })
    app = await buildApp({ config, db, services: createServices(config, db) })
  })
  afterAll(async () => {
    await app?.close()
  })

  async function as(who: keyof typeof emails | 'anonymous'): Promise<WebClient> {
    const client = new WebClient(app)
    if (who !== 'anonymous') await client.signIn(emails[who], PASSWORD)
    return client
  }

  const roundCount = async () => (await ctx().db.kysely.selectFrom('audit_rounds').select('id').execute()).length

  // ---- rounds ----

  it('shows the rounds page to platform administrators only, and refuses others’ attempts to open one', async () => {
    expect((await (await as('anonymous')).get('/datasets/audit/rounds')).statusCode).toBe(401)
    expect((await (await as('plain')).get('/datasets/audit/rounds')).statusCode).toBe(403)
    expect((await (await as('traffordAdmin')).get('/datasets/audit/rounds')).statusCode).toBe(403)

    const fields = { year: '2030', ...DEADLINE }
    expect((await (await as('anonymous')).submit('/sign-in', '/datasets/audit/rounds', fields)).statusCode).toBe(401)
    expect((await (await as('plain')).submit('/account', '/datasets/audit/rounds', fields)).statusCode).toBe(403)
    expect((await (await as('traffordAdmin')).submit('/account', '/datasets/audit/rounds', fields)).statusCode).toBe(403)
    // Without the form's CSRF token nothing happens either.
    expect((await (await as('platformAdmin')).post('/datasets/audit/rounds', fields)).statusCode).toBe(403)
    expect(await roundCount()).toBe(0)
  })

  it('shows what is wrong with the round form the GOV.UK way', async () => {
    const admin = await as('platformAdmin')
    const page = await admin.get('/datasets/audit/rounds')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('No round has been opened yet')
    const response = await admin.submit('/datasets/audit/rounds', '/datasets/audit/rounds', { year: '30', 'deadline-day': '30', 'deadline-month': '2', 'deadline-year': '2099', title: '' })
    expect(response.statusCode).toBe(400)
    const summary = errorSummary(response.body)
    expect(summary).toContain('<a href="#year">Year must be a year like 2027</a>')
    expect(summary).toContain('<a href="#deadline">Deadline must be a real date, like 31 3 2027</a>')
    // The summary's links lead to the fields, and what was typed is kept.
    expect(response.body).toMatch(/<input[^>]*id="year" name="year"[^>]*value="30"/)
    expect(response.body).toMatch(/<input[^>]*id="deadline" name="deadline-day"[^>]*value="30"/)
    const past = await admin.submit('/datasets/audit/rounds', '/datasets/audit/rounds', { year: '2030', 'deadline-day': '1', 'deadline-month': '1', 'deadline-year': '2020' })
    expect(errorSummary(past.body)).toContain('Deadline must be in the future')
    expect(await roundCount()).toBe(0)
  })

  it('opens a round from the form', async () => {
    const admin = await as('platformAdmin')
    const response = await admin.submit('/datasets/audit/rounds', '/datasets/audit/rounds', { year: '2030', ...DEADLINE, title: '' })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/datasets/audit/rounds')
    const page = await admin.get('/datasets/audit/rounds')
    expect(page.body).toContain('Data audit 2030 is open')
    expect(page.body).toContain('31 March 2099')
    const round = await ctx().services.auditRounds.current()
    expect(round).toMatchObject({ year: 2030, deadline: '2099-03-31', title: 'Data audit 2030' })
  })

  // ---- signing off ----

  it('shows each person what they can do on the body’s sign-off page', async () => {
    const anonymous = await (await as('anonymous')).get('/organisations/trafford/audit')
    expect(anonymous.statusCode).toBe(200)
    expect(anonymous.body).toContain('<h1 class="govuk-heading-l">Data audit 2030</h1>')
    expect(anonymous.body).toContain('Trafford Metropolitan Borough Council has not signed this round off yet')
    expect(anonymous.body).not.toContain('action="/organisations/trafford/audit"')
    // The inventory counts: three declared, two open, one overdue release.
    const counts = text(anonymous.body)
    expect(counts).toContain('Datasets declared 3')
    expect(counts).toContain('Open 2 (66.7%)')
    expect(counts).toContain('Restricted 1')
    expect(counts).toContain('Releases overdue 1')
    expect(counts).toContain('No requests due yet')

    const editor = await (await as('traffordEditor')).get('/organisations/trafford/audit')
    expect(editor.body).toContain('An administrator of Trafford Metropolitan Borough Council signs the audit off')
    expect(editor.body).not.toContain('action="/organisations/trafford/audit"')

    const otherAdmin = await (await as('manchesterAdmin')).get('/organisations/trafford/audit')
    expect(otherAdmin.body).not.toContain('action="/organisations/trafford/audit"')

    const admin = await (await as('traffordAdmin')).get('/organisations/trafford/audit')
    expect(admin.body).toContain('action="/organisations/trafford/audit"')
    expect(admin.body).toMatch(/<input class="govuk-checkboxes__input" id="confirm" name="reviewedInventory" type="checkbox" value="yes"/)
    expect(admin.body).toMatch(/<input class="govuk-checkboxes__input" id="confirm-2" name="declaredMissing" type="checkbox" value="yes"/)
    expect(admin.body).toContain('Sign off the 2030 audit')
  })

  it('refuses sign-offs from anyone but the body’s administrators, and changes nothing', async () => {
    const ticked = { reviewedInventory: 'yes', declaredMissing: 'yes' }
    expect((await (await as('anonymous')).submit('/sign-in', '/organisations/trafford/audit', ticked)).statusCode).toBe(401)
    expect((await (await as('plain')).submit('/account', '/organisations/trafford/audit', ticked)).statusCode).toBe(403)
    expect((await (await as('traffordEditor')).submit('/account', '/organisations/trafford/audit', ticked)).statusCode).toBe(403)
    expect((await (await as('manchesterAdmin')).submit('/account', '/organisations/trafford/audit', ticked)).statusCode).toBe(403)
    expect((await (await as('platformAdmin')).submit('/account', '/organisations/trafford/audit', ticked)).statusCode).toBe(403)
    expect((await (await as('traffordAdmin')).post('/organisations/trafford/audit', ticked)).statusCode).toBe(403)

    const admin = await as('traffordAdmin')
    const unticked = await admin.submit('/organisations/trafford/audit', '/organisations/trafford/audit', { reviewedInventory: 'yes', note: 'Nearly' })
    expect(unticked.statusCode).toBe(400)
    expect(errorSummary(unticked.body)).toContain('<a href="#confirm">Confirm you have reviewed the inventory and declared the data that is missing</a>')
    expect(unticked.body).toMatch(/id="confirm" name="reviewedInventory" type="checkbox" value="yes" checked/)
    expect(unticked.body).toContain('>Nearly</textarea>')

    expect(await ctx().db.kysely.selectFrom('audit_signoffs').select('id').execute()).toEqual([])
    expect(await ctx().db.kysely.selectFrom('audit_log').select('id').where('entity_type', '=', 'audit_signoff').execute()).toEqual([])
  })

  it('signs off once, shows who and when, and lets the administrator withdraw before the deadline', async () => {
    const admin = await as('traffordAdmin')
    const response = await admin.submit('/organisations/trafford/audit', '/organisations/trafford/audit', { reviewedInventory: 'yes', declaredMissing: 'yes', note: 'Reviewed by the data team' })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/organisations/trafford/audit')
    const page = await admin.get('/organisations/trafford/audit')
    expect(page.body).toContain('Trafford Metropolitan Borough Council has signed off the 2030 data audit')
    const shown = text(page.body)
    expect(shown).toContain('Signed off by Tess Trafford')
    expect(shown).toMatch(/Signed off on \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}\s?(am|pm)/)
    expect(shown).toContain('Note Reviewed by the data team')
    expect(page.body).not.toContain('Sign off the 2030 audit')
    expect(page.body).toContain('Withdraw the sign-off')

    // A second sign-off, posted from a stale copy of the form, is refused with a message.
    const stale = await admin.post('/organisations/trafford/audit', { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!, reviewedInventory: 'yes', declaredMissing: 'yes' })
    expect(stale.statusCode).toBe(409)
    expect(errorSummary(stale.body)).toContain('Trafford Metropolitan Borough Council has already signed off the 2030 audit (Tess Trafford)')
    expect(await ctx().db.kysely.selectFrom('audit_signoffs').select('signed_off_by_name').execute()).toEqual([{ signed_off_by_name: 'Tess Trafford' }])

    // Others cannot withdraw it.
    expect((await (await as('manchesterAdmin')).submit('/account', '/organisations/trafford/audit/withdraw', {})).statusCode).toBe(403)
    expect((await (await as('traffordEditor')).submit('/account', '/organisations/trafford/audit/withdraw', {})).statusCode).toBe(403)
    expect(await ctx().db.kysely.selectFrom('audit_signoffs').select('id').execute()).toHaveLength(1)

    const withdrawn = await admin.submit('/organisations/trafford/audit', '/organisations/trafford/audit/withdraw', {})
    expect(withdrawn.statusCode).toBe(303)
    expect((await admin.get('/organisations/trafford/audit')).body).toContain('Sign off the 2030 audit')
    expect(await ctx().db.kysely.selectFrom('audit_signoffs').select('id').execute()).toEqual([])

    const again = await admin.submit('/organisations/trafford/audit', '/organisations/trafford/audit', { reviewedInventory: 'yes', declaredMissing: 'yes' })
    expect(again.statusCode).toBe(303)
  })

  // ---- the dashboard ----

  it('shows the round’s progress and each body’s figures, with totals', async () => {
    const page = await (await as('anonymous')).get('/datasets/audit')
    expect(page.statusCode).toBe(200)
    const summary = text(page.body)
    expect(summary).toContain('Year 2030')
    expect(summary).toContain('Deadline for signing off 31 March 2099')
    expect(summary).toContain('Bodies signed off 1 of 3')
    expect(page.body).toContain('<caption class="govuk-table__caption govuk-table__caption--s">')
    expect(tableRows(page.body)).toEqual([
      ['Leeds City Council', 'Not signed off', '0', '–', '0', '–'],
      ['Manchester City Council', 'Not signed off', '1', '100%', '0', '66.7% (2 of 3)'],
      ['Trafford Metropolitan Borough Council', expect.stringMatching(/^Signed off \d{1,2} [A-Z][a-z]+ \d{4} by Tess Trafford$/), '3', '66.7%', '1', '–'],
    ])
    const totals = /<tfoot>([\s\S]*?)<\/tfoot>/.exec(page.body)![1]!
    expect([...totals.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!))).toEqual(['All 3 bodies', '1 signed off', '4', '75%', '1', '66.7% (2 of 3)'])
    expect(page.body).not.toContain('Open or close audit rounds')
    expect((await (await as('platformAdmin')).get('/datasets/audit')).body).toContain('Open or close audit rounds')
  })

  it('sorts by any column from links in the header, marking the sorted column for screen readers', async () => {
    const client = await as('anonymous')
    const first = headers((await client.get('/datasets/audit')).body)
    expect(first.map((h) => [h.text, h.ariaSort])).toEqual([
      ['Body', 'ascending'],
      ['Signed off', null],
      ['Datasets declared', null],
      ['Open', null],
      ['Releases overdue', null],
      ['Requests answered on time', null],
    ])
    // The sorted column's link turns the order round; the others start largest first.
    expect(first[0]!.href).toBe('/datasets/audit?sort=body&direction=desc')
    expect(first[2]!.href).toBe('/datasets/audit?sort=declared&direction=desc')

    const byDeclared = await client.get(first[2]!.href)
    expect(tableRows(byDeclared.body).map((r) => r[0])).toEqual([T, M, L])
    const declaredHeads = headers(byDeclared.body)
    expect(declaredHeads[2]).toMatchObject({ ariaSort: 'descending', href: '/datasets/audit?sort=declared&direction=asc' })
    expect(declaredHeads[0]!.ariaSort).toBeNull()
    expect(tableRows((await client.get(declaredHeads[2]!.href)).body).map((r) => r[0])).toEqual([L, M, T])

    expect(tableRows((await client.get('/datasets/audit?sort=shareOpen&direction=desc')).body).map((r) => r[0])).toEqual([M, T, L])
    expect(tableRows((await client.get('/datasets/audit?sort=body&direction=desc')).body).map((r) => r[0])).toEqual([T, M, L])
    // Filters are kept in the sort links.
    const filtered = await client.get('/datasets/audit?type=MD&nation=England')
    expect(headers(filtered.body)[4]!.href).toBe('/datasets/audit?nation=England&type=MD&sort=overdue&direction=desc')
    expect(text((await client.get('/datasets/audit?nation=Wales')).body)).toContain('No bodies match')
  })

  it('downloads the same table as CSV, with the published header row and plain numbers', async () => {
    const client = await as('anonymous')
    const page = await client.get('/datasets/audit?sort=declared')
    expect(page.body).toContain('href="/datasets/audit.csv?sort=declared&amp;direction=desc"')
    for (const c of AUDIT_CSV_COLUMNS) expect(page.body).toContain(`<code>${c.name}</code>`)

    const csv = await client.get('/datasets/audit.csv?sort=declared&direction=desc')
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.headers['content-disposition']).toBe('attachment; filename="data-audit-2030.csv"')
    const records = parse(csv.body, { columns: false }) as string[][]
    expect(records[0]).toEqual([
      'body',
      'slug',
      'type',
      'nation',
      'region',
      'signed_off',
      'signed_off_by',
      'signed_off_at',
      'datasets_declared',
      'datasets_open',
      'datasets_restricted',
      'datasets_non_public',
      'share_open_percent',
      'releases_overdue',
      'requests_due',
      'requests_answered_on_time',
      'share_answered_on_time_percent',
    ])
    const rows = records.slice(1).map((r) => Object.fromEntries(records[0]!.map((name, i) => [name, r[i]])))
    expect(rows.map((r) => [r.body, r.signed_off, r.signed_off_by, r.datasets_declared, r.datasets_open, r.share_open_percent, r.releases_overdue, r.requests_due, r.requests_answered_on_time, r.share_answered_on_time_percent])).toEqual([
      [T, 'yes', 'Tess Trafford', '3', '2', '66.7', '1', '0', '0', ''],
      [M, 'no', '', '1', '1', '100', '0', '3', '2', '66.7'],
      [L, 'no', '', '0', '0', '', '0', '0', '0', ''],
    ])
    expect(rows[0]!.signed_off_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(rows[0]!.type).toBe('Metropolitan district')

    // Row for row, the page and the file agree.
    const onPage = tableRows(page.body)
    expect(onPage.map((r) => r[0])).toEqual(rows.map((r) => r.body))
    expect(onPage.map((r) => [r[2], r[3]!.replace('%', '').replace('–', ''), r[4]])).toEqual(rows.map((r) => [r.datasets_declared, r.share_open_percent, r.releases_overdue]))
  })

  it('quotes CSV cells that need it and defuses spreadsheet formulas', () => {
    expect(csvCell('Bath, and “NE” Somerset')).toBe('"Bath, and “NE” Somerset"')
    expect(csvCell('Say "hi"')).toBe('"Say ""hi"""')
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell(66.7)).toBe('66.7')
    expect(csvCell(null)).toBe('')
  })

  it('answers the dashboard as JSON for machines', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/datasets/audit?sort=declared' })
    expect(response.statusCode).toBe(200)
    const body = response.json() as { round: { year: number }; rows: { slug: string; declared: number }[]; totals: { declared: number; signedOff: number } }
    expect(body.round.year).toBe(2030)
    expect(body.rows.map((r) => [r.slug, r.declared])).toEqual([
      ['trafford', 3],
      ['manchester', 1],
      ['leeds', 0],
    ])
    expect(body.totals).toMatchObject({ declared: 4, signedOff: 1 })
    const bad = await app.inject({ method: 'GET', url: '/api/v1/datasets/audit?sort=nonsense' })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  // ---- closing ----

  it('closes the round from the rounds page; the body can then no longer sign off or withdraw', async () => {
    const round = (await ctx().services.auditRounds.current())!
    expect((await (await as('traffordAdmin')).submit('/account', `/datasets/audit/rounds/${round.id}/close`, {})).statusCode).toBe(403)
    expect((await ctx().services.auditRounds.get(round.id)).isOpen).toBe(true)

    const admin = await as('platformAdmin')
    const response = await admin.submit('/datasets/audit/rounds', `/datasets/audit/rounds/${round.id}/close`, {})
    expect(response.statusCode).toBe(303)
    expect((await admin.get('/datasets/audit/rounds')).body).toContain('Data audit 2030 is closed')
    expect((await ctx().services.auditRounds.get(round.id)).isOpen).toBe(false)

    const manchester = await (await as('manchesterAdmin')).get('/organisations/manchester/audit')
    expect(manchester.body).toContain('Manchester City Council did not sign this round off')
    expect(manchester.body).not.toContain('Sign off the 2030 audit')
    const trafford = await (await as('traffordAdmin')).get('/organisations/trafford/audit')
    expect(trafford.body).not.toContain('Withdraw the sign-off')
    const late = await (await as('manchesterAdmin')).submit('/account', '/organisations/manchester/audit', { reviewedInventory: 'yes', declaredMissing: 'yes' })
    expect(late.statusCode).toBe(409)
    expect(errorSummary(late.body)).toContain('There is no audit round open')
    expect(await ctx().db.kysely.selectFrom('audit_signoffs').select('organisation_id').execute()).toEqual([{ organisation_id: councils.trafford!.id }])
  })
})
