import { beforeAll, expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { DESKS, MINIBUS, newAsset, sharingOn, sharingWorld, type SharingWorld } from '../../../test/fixtures/sharing/world.js'
import { savingOf } from './model.js'
import { savingsCsv, type Savings, type SavingsLine } from './savings.js'
import type { SharingService } from './service.js'

const sum = (lines: SavingsLine[]) => lines.reduce((t, l) => ({ shares: t.shares + l.shares, avoidedPence: t.avoidedPence + l.avoidedPence }), { shares: 0, avoidedPence: 0 })

it('a sale saves the purchase avoided less the price, never below nothing; a loan or transfer the whole of it', () => {
  expect(savingOf(600_000, 'sale', 100_000)).toBe(500_000)
  expect(savingOf(50_000, 'sale', 200_000)).toBe(0)
  expect(savingOf(30_000, 'loan', null)).toBe(30_000)
  expect(savingOf(4_800_000, 'transfer', 999)).toBe(4_800_000)
  expect(savingOf(null, 'transfer', null)).toBe(0)
})

describeEachEngine('savings from sharing', (ctx) => {
  let w: SharingWorld
  let savings: Savings

  /** Offer (when a kind is given), request, approve and hand over, as `sharing` sees the day. */
  async function share(sharing: SharingService, assetId: number, who: SharingWorld['manchester'], offer: { kind: string; pricePence?: number } | null, request: Record<string, unknown>) {
    if (offer) await sharing.offer(w.trafford.actor, assetId, { ...offer, availableFrom: '2024-01-01', windowWorkingDays: 0 })
    const asked = await sharing.request(who.actor, assetId, { neededFrom: '2024-02-01', purpose: 'Instead of buying', ...request })
    await sharing.step(w.trafford.actor, asked.id, 'approve', { version: 1 })
    return sharing.step(w.trafford.actor, asked.id, 'hand-over', { version: 2 })
  }

  beforeAll(async () => {
    const { services } = ctx()
    w = await sharingWorld(services)
    const in2024 = sharingOn(services, '2024-06-15T10:00:00Z')
    // Manchester takes a minibus over in 2024: it would have paid its £48,000 cost.
    await share(in2024, (await newAsset(services, 'trafford')).id, w.manchester, { kind: 'transfer' }, {})
    // Manchester buys desks worth £6,000 for £1,000: it saved £5,000.
    await share(services.sharing, (await newAsset(services, 'trafford', DESKS)).id, w.manchester, { kind: 'sale', pricePence: 100_000 }, {})
    // Leeds pays £2,000 for software it could have had for £500: it saved nothing.
    const software = await newAsset(services, 'trafford', { name: 'Booking system licence', assetClass: 'intangible', cpvCode: '48000000-8', acquisitionCostPence: '2500', status: 'surplus' })
    await share(services.sharing, software.id, w.leeds, { kind: 'sale', pricePence: 200_000 }, { avoidedCostPence: '£500' })
    // Leeds borrows a minibus instead of hiring one for £300, and gives it back: the saving stays.
    const lent = await share(services.sharing, (await newAsset(services, 'trafford')).id, w.leeds, null, { kind: 'loan', neededUntil: '2024-03-01', avoidedCostPence: 30_000 })
    await services.sharing.step(w.trafford.actor, lent.id, 'return', { version: 3 })
    // Manchester borrows a cheap unclassified trolley instead of buying one for £750.
    const trolley = await newAsset(services, 'trafford', { name: 'Book trolley', acquisitionCostPence: '400', status: 'vacant' })
    await share(services.sharing, trolley.id, w.manchester, null, { kind: 'loan', neededUntil: '2024-03-01', avoidedCostPence: '750' })
    // Requests that came to nothing save nothing.
    const declined = await services.sharing.request(w.leeds.actor, (await newAsset(services, 'trafford', MINIBUS)).id, { kind: 'transfer', neededFrom: '2026-12-01', purpose: 'Trips' })
    await services.sharing.step(w.trafford.actor, declined.id, 'decline', { version: 1, reason: 'Needed after all' })
    await services.sharing.request(w.manchester.actor, (await newAsset(services, 'trafford', MINIBUS)).id, { kind: 'transfer', neededFrom: '2026-12-01', purpose: 'Trips' })
    savings = await services.sharing.savings()
  })

  it('counts each handed-over share once, for the receiving body, in the year of hand-over', () => {
    expect(savings.total).toEqual({ shares: 5, avoidedPence: 4_800_000 + 500_000 + 0 + 30_000 + 75_000 })
    expect(savings.byBody.map((l) => [l.slug, l.shares, l.avoidedPence])).toEqual([
      ['manchester', 3, 5_375_000],
      ['leeds', 2, 30_000],
    ])
    expect(savings.byClass.map((l) => [l.key, l.label, l.shares, l.avoidedPence])).toEqual([
      ['vehicles-plant-equipment', 'Vehicles, plant, furniture and equipment', 3, 5_330_000],
      ['unclassified', 'No asset class recorded', 1, 75_000],
      ['intangible', 'Intangible assets', 1, 0],
    ])
    const thisYear = new Date().getUTCFullYear().toString()
    expect(savings.byYear.map((l) => [l.key, l.shares, l.avoidedPence])).toEqual([
      [thisYear, 4, 605_000],
      ['2024', 1, 4_800_000],
    ])
  })

  it('adds up the same whichever way it is cut', () => {
    expect(sum(savings.byBody)).toEqual(savings.total)
    expect(sum(savings.byClass)).toEqual(savings.total)
    expect(sum(savings.byYear)).toEqual(savings.total)
  })

  it('downloads as CSV with a row per body, class and year, and the total', () => {
    const lines = savingsCsv(savings).trimEnd().split('\r\n')
    expect(lines[0]).toBe('breakdown,key,name,shares,avoided_spend_pence')
    expect(lines).toContain('body,manchester,Manchester City Council,3,5375000')
    expect(lines).toContain('asset_class,intangible,Intangible assets,1,0')
    expect(lines).toContain('year,2024,2024,1,4800000')
    expect(lines.at(-1)).toBe('total,,All public bodies,5,5405000')
    expect(lines).toHaveLength(1 + 2 + 3 + 2 + 1)
  })
})
