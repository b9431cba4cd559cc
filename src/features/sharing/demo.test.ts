import { beforeAll, expect, it } from 'vitest'
import { anonymous } from '../../platform/actor.js'
import { describeEachEngine } from '../../../test/support/engines.js'
import { seedCouncils, system } from '../../../test/support/fixtures.js'
import { seedDemoSharing } from './demo.js'

describeEachEngine('the sharing demonstration', (ctx) => {
  let first: { created: number }

  beforeAll(async () => {
    const { services } = ctx()
    await seedCouncils(services, ['trafford', 'manchester', 'stockport'])
    await services.organisations.create(system, { name: 'Greater Manchester Fire and Rescue Service', type: 'fire', nation: 'England', region: 'North West' })
    first = await seedDemoSharing(services, system)
  })

  it('adds equipment of four Greater Manchester bodies once, however often it runs', async () => {
    expect(first.created).toBe(10)
    expect(await seedDemoSharing(ctx().services, system)).toEqual({ created: 0 })
  })

  it('shows open offers, shares in every state and savings over two years', async () => {
    const { services } = ctx()
    const offers = await services.sharing.listOffers(anonymous, {}, { page: 1, pageSize: 50 })
    expect(offers.items.map((o) => o.asset.name).sort()).toEqual(['Portable generators (4)', 'Wheelchair-accessible minibus (17 seats)'])
    const states = await services.db.kysely.selectFrom('share_requests').select(['state', 'kind']).orderBy('state').orderBy('kind').execute()
    expect(states).toEqual([
      { state: 'declined', kind: 'sale' },
      { state: 'handed-over', kind: 'loan' },
      { state: 'handed-over', kind: 'sale' },
      { state: 'handed-over', kind: 'transfer' },
      { state: 'requested', kind: 'transfer' },
      { state: 'returned', kind: 'loan' },
    ])
    const savings = await services.sharing.savings()
    expect(savings.total).toEqual({ shares: 4, avoidedPence: 900_000 + (1_600_000 - 400_000) + 180_000 + 350_000 })
    expect(savings.byYear.map((l) => l.key)).toEqual([String(new Date().getUTCFullYear()), String(new Date().getUTCFullYear() - 1)])
    const laptops = await services.assets.findByCode((await services.organisations.getBySlug('manchester')).id, 'TRF-IT-0450')
    expect(laptops?.name).toBe('Laptops from Partington library (15)')
    const projectors = await services.assets.findByCode((await services.organisations.getBySlug('manchester')).id, 'MCC-IT-2031')
    expect(projectors?.holderOrganisationId).toBe((await services.organisations.getBySlug('trafford')).id)
  })
})
