import { todayInUk } from '../../../platform/uk-date.js'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MINIBUS, seedCheckWorld, type CheckWorld } from '../../../../test/fixtures/check-before-you-buy.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { makeUser, PASSWORD, seedCouncils, system } from '../../../../test/support/fixtures.js'
import { buildTestApp, csrfOf, errorSummary, WebClient } from '../../../../test/support/web.js'

const PAGE = '/assets/check-before-you-buy'

/** The names of the assets found, in the order the page lists them. */
const namesOn = (html: string) => [...html.matchAll(/<h3 class="govuk-heading-m[^"]*"><a class="govuk-link" href="\/assets\/\d+">([^<]+)<\/a><\/h3>/g)].map((m) => m[1])

describeEachEngine('check before you buy pages', (ctx) => {
  let app: FastifyInstance
  let world: CheckWorld
  const clients: Record<'trafford' | 'manchester' | 'both' | 'visitor', WebClient> = {} as never

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    world = await seedCheckWorld(services, db)
    app = await buildTestApp(ctx())
    const trafford = await makeUser(services, { org: 'trafford' })
    const manchester = await makeUser(services, { org: 'manchester' })
    const both = await makeUser(services, { org: 'trafford' })
    await services.accounts.addMember(system, 'manchester', { email: both.email, role: 'editor' })
    for (const [key, person] of [['trafford', trafford], ['manchester', manchester], ['both', both]] as const) {
      clients[key] = new WebClient(app)
      await clients[key].signIn(person.email, PASSWORD)
    }
    clients.visitor = new WebClient(app)
  })
  afterAll(async () => app?.close())

  it('shows the form alone on a first visit, without JavaScript or a session', async () => {
    const page = await clients.visitor.get(PAGE)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<form method="get" action="/assets/check-before-you-buy"')
    expect(page.body).toContain('Leave the latitude and longitude blank to search anywhere')
    expect(page.body).not.toContain('could meet this need')
  })

  it('lists what fits for a visitor, best first, with no way to request and nothing recorded', async () => {
    const page = await clients.visitor.get(`${PAGE}?cpv=${MINIBUS}&lat=53.4189961458&lon=-2.3553498241`)
    expect(page.statusCode).toBe(200)
    expect(namesOn(page.body)).toEqual(world.expectedForTrafford.filter((n) => n !== 'Trafford offered minibus'))
    expect(page.body).toContain('6 assets could meet this need')
    expect(page.body).toContain('Manchester City Council')
    expect(page.body).toContain('Not offered yet: ask the owner. Surplus')
    expect(page.body).toContain('Offered to transfer, from')
    expect(page.body).not.toContain('Request this asset')
    expect(page.body).toContain('as a member of a public body to ask for these assets')
    expect(page.body).not.toContain('Nothing fits: we are buying')
  })

  it('lets a body’s member request straight from the results and record that nothing fits', async () => {
    const client = clients.trafford
    const url = `${PAGE}?q=minibus&kind=loan`
    const page = await client.get(url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Searching for <strong>Trafford Metropolitan Borough Council</strong>')
    expect(namesOn(page.body)).toEqual(['Minibus near', 'Trafford offered minibus', 'Minibus mid', 'Passenger car', 'Motor vehicle', 'Vehicle body'])
    expect(page.body).toContain('within 25 km of Trafford Metropolitan Borough Council')
    const search = await ctx().db.kysely.selectFrom('purchase_searches').selectAll().where('words', '=', 'minibus').where('kind', '=', 'loan').executeTakeFirstOrThrow()
    const links = [...page.body.matchAll(/href="(\/assets\/(\d+)\/share-requests\/new\?[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))
    expect(links).toHaveLength(6)
    expect(links[1]).toBe(`/assets/${world.ids['Trafford offered minibus']}/share-requests/new?search=${search.id}&kind=loan&from=${todayInUk()}`)

    const action = `${PAGE}/searches/${search.id}/purchased`
    expect((await client.post(action, { estimatedCost: '100' })).statusCode).toBe(403)
    const bad = await client.post(action, { _csrf: csrfOf(page.body), back: url, estimatedCost: 'lots' })
    expect(bad.statusCode).toBe(400)
    expect(errorSummary(bad.body)).toContain('href="#estimatedCost"')
    const done = await client.post(action, { _csrf: csrfOf(bad.body), back: url, estimatedCost: '12,500' })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe(url)
    const after = await client.get(url)
    expect(after.body).toContain('You have recorded that nothing fitted and the purchase goes ahead')
    expect(after.body).toContain('at an estimated £12,500')
    const row = await ctx().db.kysely.selectFrom('purchase_searches').selectAll().where('id', '=', search.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ outcome: 'purchased' })
    expect(Number(row.estimated_cost_pence)).toBe(1_250_000)
  })

  it('refuses another body’s member the outcome of a search', async () => {
    await clients.trafford.get(`${PAGE}?cpv=34200000`)
    const search = await ctx().db.kysely.selectFrom('purchase_searches').selectAll().where('cpv_code', '=', '34200000').executeTakeFirstOrThrow()
    const own = await clients.manchester.get(`${PAGE}?cpv=${MINIBUS}`)
    const refused = await clients.manchester.post(`${PAGE}/searches/${search.id}/purchased`, { _csrf: csrfOf(own.body), estimatedCost: '1' })
    expect(refused.statusCode).toBe(403)
    expect((await clients.manchester.get(`${PAGE}/searches/${search.id}/purchased`)).statusCode).toBe(403)
    expect((await clients.visitor.get(`${PAGE}/searches/${search.id}/purchased`)).statusCode).toBe(401)
    const form = await clients.trafford.get(`${PAGE}/searches/${search.id}/purchased`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('34200000 Vehicle bodies')
    const row = await ctx().db.kysely.selectFrom('purchase_searches').select('outcome').where('id', '=', search.id).executeTakeFirstOrThrow()
    expect(row.outcome).toBeNull()
  })

  it('shows every problem with the need in the error summary, keeping what was typed', async () => {
    const page = await clients.trafford.get(`${PAGE}?cpv=99999999&lat=53.4&radiusKm=900`)
    expect(page.statusCode).toBe(400)
    const summary = errorSummary(page.body)
    for (const field of ['cpv', 'lon', 'radiusKm']) expect(summary).toContain(`href="#${field}"`)
    expect(page.body).toContain('value="900"')
    expect(page.body).toMatch(/<title>Error: /)
  })

  it('offers the other codes matching the words, and pages through results keeping the need', async () => {
    const page = await clients.trafford.get(`${PAGE}?q=car%20park&pageSize=2`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Other CPV codes matching your words')
    const paged = await clients.trafford.get(`${PAGE}?cpv=${MINIBUS}&pageSize=2`)
    expect(namesOn(paged.body)).toEqual(world.expectedForTrafford.slice(0, 2))
    const next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/.exec(paged.body)?.[1]?.replace(/&amp;/g, '&')
    expect(next).toBe(`${PAGE}?cpv=${MINIBUS}&radiusKm=25&from=${todayInUk()}&pageSize=2&page=2`)
    expect(namesOn((await clients.trafford.get(next!)).body)).toEqual(world.expectedForTrafford.slice(2, 4))
  })

  it('lets someone in several bodies choose which one searches', async () => {
    const page = await clients.both.get(`${PAGE}?cpv=${MINIBUS}&body=trafford`)
    expect(page.body).toMatch(/<select class="govuk-select" id="body" name="body">/)
    expect(page.body).toContain('within 25 km of Trafford Metropolitan Borough Council')
    const manchester = await clients.both.get(`${PAGE}?cpv=${MINIBUS}&body=manchester`)
    expect(manchester.body).toContain('within 25 km of Manchester City Council')
    expect((await clients.both.get(`${PAGE}?cpv=${MINIBUS}&body=leeds`)).statusCode).toBe(400)
  })

  it('shows where demand goes unmet to everyone, a body’s own searches to its members, and the CSV', async () => {
    const visitor = await clients.visitor.get(`${PAGE}/searches`)
    expect(visitor.statusCode).toBe(200)
    expect(visitor.body).toContain('34114400 Minibuses')
    expect(visitor.body).toContain('North West')
    expect(visitor.body).toContain('£12,500')
    expect(visitor.body).not.toContain('Recent searches by')
    const member = await clients.trafford.get(`${PAGE}/searches`)
    expect(member.body).toContain('Recent searches by Trafford Metropolitan Borough Council')
    expect(member.body).toContain('“minibus” (34114400 Minibuses)')
    expect(member.body).toContain('Nothing fitted: bought')
    const csv = await clients.visitor.get(`${PAGE}/searches.csv`)
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.body.split('\r\n')).toEqual([
      'cpv_code,cpv_label,asset_class,region,searches_ending_in_purchase,bodies,estimated_spend_pence,searches_with_estimate',
      '34114400,Minibuses,,North West,1,1,1250000,1',
      '',
    ])
  })
})
