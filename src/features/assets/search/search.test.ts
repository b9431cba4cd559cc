import { beforeAll, expect, it } from 'vitest'
import { LEEDS_ROWS, MANCHESTER_ROWS, TRAFFORD_ROWS } from '../../../../test/fixtures/asset-search/examples.js'
import { importRegister } from '../../../../test/fixtures/asset-search/register.js'
import { describeEachEngine } from '../../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../../test/support/fixtures.js'
import { countFacets } from './facet-counts.js'
import { FACETS, cleanFilters, type AssetFilters } from './filters.js'
import { AssetSearch, type AssetSort, type FacetValue } from './search.js'

const counts = (values: FacetValue[]) => Object.fromEntries(values.map((v) => [v.value, v.count]))
const codesOf = (items: { assetCode: string }[]) => items.map((a) => a.assetCode)

describeEachEngine('searching the asset register', (ctx) => {
  let search: AssetSearch
  const find = (filters: AssetFilters, sort?: AssetSort, page = { page: 1, pageSize: 20 }) => search.search(filters, page, sort)

  beforeAll(async () => {
    const { services, db } = ctx()
    await seedCouncils(services)
    await importRegister(services, 'trafford', TRAFFORD_ROWS)
    await importRegister(services, 'manchester', MANCHESTER_ROWS)
    await importRegister(services, 'leeds', LEEDS_ROWS)
    search = new AssetSearch(db)
  })

  it('finds assets by words in the name, description, address, postcode, code, UPRN and CPV code or label', async () => {
    expect(codesOf((await find({ q: 'library' })).items).sort()).toEqual(['LDS0001', 'MAN0001', 'TRF0001', 'TRF0002', 'TRF0004'])
    expect(codesOf((await find({ q: 'market street' })).items)).toEqual(['TRF0001'])
    expect(codesOf((await find({ q: 'WA14 1PF' })).items)).toEqual(['TRF0001'])
    expect(codesOf((await find({ q: 'wa141pf' })).items)).toEqual(['TRF0001'])
    expect(codesOf((await find({ q: 'TRF0003' })).items)).toEqual(['TRF0003'])
    expect(codesOf((await find({ q: '100012797623' })).items)).toEqual(['TRF0001'])
    // The CPV label of 30213100, which no name or description holds.
    expect(codesOf((await find({ q: 'portable computers' })).items)).toEqual(['TRF0004'])
    expect(codesOf((await find({ q: '30213100' })).items)).toEqual(['TRF0004'])
    // Every word must match; the last may be the start of a word.
    expect(codesOf((await find({ q: 'central libr' })).items).sort()).toEqual(['LDS0001', 'MAN0001'])
    expect((await find({ q: 'library depot' })).total).toBe(0)
    // Operators and punctuation are only separators.
    expect(codesOf((await find({ q: '"refuse" OR (vehicle*)' })).items)).toEqual(['MAN0002'])
  })

  it('ranks assets with the words in their name before those with them elsewhere, then by name', async () => {
    const result = await find({ q: 'laptops' })
    expect(result.sort).toBe('relevance')
    // By name alone Altrincham Library would come first; its laptops are only in its description.
    expect(codesOf(result.items)).toEqual(['TRF0004', 'TRF0001'])
    expect(codesOf((await find({ q: 'laptops' }, 'name')).items)).toEqual(['TRF0001', 'TRF0004'])
  })

  it('counts every facet value, and a chosen facet still counts its other values', async () => {
    const all = await find({})
    expect(all.total).toBe(9)
    expect(all.sort).toBe('name')
    expect(counts(all.facets.body)).toEqual({ trafford: 6, manchester: 2, leeds: 1 })
    expect(counts(all.facets.status)).toEqual({ 'in-use': 5, underused: 1, vacant: 1, surplus: 1, none: 1 })
    expect(counts(all.facets.class)).toEqual({ 'operational-land-buildings': 3, community: 2, 'vehicles-plant-equipment': 2, none: 2 })
    expect(counts(all.facets.cpv)).toEqual({ '70': 5, '30': 1, '34': 1, none: 2 })
    expect(all.facets.cpv.find((v) => v.value === '70')!.label).toBe('70 Real estate services')
    expect(counts(all.facets.condition)).toEqual({ A: 2, B: 1, C: 1, D: 1, none: 4 })
    expect(counts(all.facets.available)).toEqual({ yes: 2, no: 7 })
    expect(counts(all.facets.value)).toEqual({ 'under-1k': 1, '1k-10k': 1, '100k-1m': 3, '1m-10m': 3, unknown: 1 })

    const trafford = await find({ body: ['trafford'] })
    expect(trafford.total).toBe(6)
    expect(counts(trafford.facets.body)).toEqual({ trafford: 6, manchester: 2, leeds: 1 })
    expect(trafford.facets.body.find((v) => v.value === 'trafford')!.selected).toBe(true)
    expect(counts(trafford.facets.status)).toEqual({ 'in-use': 3, underused: 1, surplus: 1, none: 1 })

    const shared = await find({ body: ['trafford'], available: ['yes'] })
    expect(codesOf(shared.items).sort()).toEqual(['TRF0002', 'TRF0003'])
    expect(counts(shared.facets.available)).toEqual({ yes: 2, no: 4 })
    expect(counts(shared.facets.body)).toEqual({ trafford: 2 })
  })

  it('combines values within a facet as alternatives and facets as all required', async () => {
    expect(codesOf((await find({ status: ['surplus', 'vacant'] })).items).sort()).toEqual(['LDS0001', 'TRF0003'])
    expect(codesOf((await find({ available: ['yes'], value: ['1m-10m'] })).items)).toEqual(['TRF0003'])
    expect(codesOf((await find({ class: ['none'] })).items).sort()).toEqual(['TRF0005', 'TRF0006'])
    expect(codesOf((await find({ cpv: ['30'] })).items)).toEqual(['TRF0004'])
    expect(codesOf((await find({ value: ['unknown'] })).items)).toEqual(['TRF0006'])
    expect(codesOf((await find({ q: 'library', condition: ['c', 'D'] })).items)).toEqual(['TRF0002'])
    expect((await find({ available: ['yes', 'no'] })).total).toBe(9)
  })

  it('counts the same whether it reads every asset or only those of the narrowest filter', async () => {
    const combos: AssetFilters[] = [
      { body: ['leeds'] },
      { body: ['leeds', 'manchester'], status: ['in-use'] },
      { available: ['yes'], body: ['trafford'] },
      { status: ['vacant', 'surplus'], class: ['community'] },
      { value: ['1m-10m'], condition: ['A', 'none'], cpv: ['70'] },
      { cpv: ['30'], bbox: '-3,53,-2,54' },
    ]
    for (const filters of combos) {
      const { counted } = await search.find(filters)
      const everyAsset = countFacets(search.index, null, cleanFilters(filters))
      const label = JSON.stringify(filters)
      expect(Array.from(counted.counts.passing).sort(), label).toEqual(Array.from(everyAsset.passing).sort())
      for (const facet of FACETS) expect(Array.from(counted.counts[facet]), `${label} ${facet}`).toEqual(Array.from(everyAsset[facet]))
    }
  })

  it('ignores values no facet holds, so a hand-edited address narrows nothing by accident', async () => {
    const result = await find({ class: ['spaceships'], status: ['lost'], cpv: ['99'], body: ['nowhere'] })
    expect(result.filters).toMatchObject({ class: [], status: [], cpv: [], body: ['nowhere'] })
    expect(result.total).toBe(0)
    expect((await find({ class: ['spaceships'] })).total).toBe(9)
  })

  it('narrows to a place: only assets mapped inside the box', async () => {
    const trafford = await find({ bbox: '-2.40,53.38,-2.28,53.47' })
    expect(codesOf(trafford.items).sort()).toEqual(['TRF0001', 'TRF0002', 'TRF0003'])
    // The place is not a facet: nothing outside it is counted.
    expect(counts(trafford.facets.body)).toEqual({ trafford: 3 })
    expect((await find({ bbox: 'not a box' })).total).toBe(9)
  })

  it('sorts by name, by value (unvalued last) and by change, and pages without overlap', async () => {
    expect(codesOf((await find({}, 'name')).items)).toEqual(['TRF0001', 'MAN0001', 'TRF0005', 'LDS0001', 'TRF0004', 'TRF0003', 'MAN0002', 'TRF0002', 'TRF0006'])
    expect(codesOf((await find({}, 'value')).items)).toEqual(['MAN0001', 'LDS0001', 'TRF0003', 'TRF0001', 'TRF0002', 'MAN0002', 'TRF0004', 'TRF0005', 'TRF0006'])
    const pages = await Promise.all([1, 2, 3].map((page) => find({}, 'value', { page, pageSize: 4 })))
    expect(pages.map((p) => p.items.length)).toEqual([4, 4, 1])
    expect(pages.flatMap((p) => codesOf(p.items))).toEqual(codesOf((await find({}, 'value')).items))
    expect(pages[0]!.total).toBe(9)
    const updated = await find({}, 'updated')
    expect(new Set(codesOf(updated.items)).size).toBe(9)
    // Relevance needs words; without them the list is by name.
    expect((await find({}, 'relevance')).sort).toBe('name')
  })

  it('shows each result with its owner, and catches up with a change made after the index was read', async () => {
    const { services } = ctx()
    const [first] = (await find({ q: 'kettle' })).items
    expect(first).toMatchObject({ assetCode: 'TRF0005', owner: { slug: 'trafford' }, valuePence: 2000 })
    await importRegister(services, 'leeds', [{ asset_code: 'LDS0002', name: 'Kettle for the town hall', acquisition_cost: '30', status: 'vacant' }])
    const again = await find({ q: 'kettle' })
    expect(codesOf(again.items).sort()).toEqual(['LDS0002', 'TRF0005'])
    expect(counts((await find({})).facets.status).vacant).toBe(2)
  })

  it('keeps the words in step with every way the register is written: a new asset, a change, a re-import', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'manchester' })
    const created = await services.assets.create(editor.actor, 'manchester', { assetCode: 'MAN0003', name: 'Gorton bandstand', status: 'in-use' })
    expect(codesOf((await find({ q: 'bandstand' })).items)).toEqual(['MAN0003'])
    await services.assets.update(editor.actor, created.id, { name: 'Gorton pavilion' }, created.version)
    expect((await find({ q: 'bandstand' })).total).toBe(0)
    expect(codesOf((await find({ q: 'pavilion' })).items)).toEqual(['MAN0003'])
    await importRegister(services, 'manchester', [{ asset_code: 'MAN0003', name: 'Gorton pavilion', description: 'Rebuilt after the fire', status: 'in use' }])
    expect(codesOf((await find({ q: 'rebuilt fire' })).items)).toEqual(['MAN0003'])
  })
})
