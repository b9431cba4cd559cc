import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { describeEachEngine } from '../../../test/support/engines.js'
import { makeUser, seedCouncils } from '../../../test/support/fixtures.js'
import { projectRoot } from '../../paths.js'
import { fileSource } from '../../platform/csv-input.js'
import type { Services } from '../../services.js'
import { TRAFFORD_REGISTER } from './demo.js'
import { templateCsv } from './import-template.js'
import type { Asset } from './model.js'

const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'assets')
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name))

/** Every asset of the body, by its code. */
async function byCode(services: Services, slug: string) {
  const all = new Map<string, Asset>()
  for (let page = 1; ; page++) {
    const found = await services.assets.list({ body: slug }, { page, pageSize: 100 })
    for (const asset of found.items) all.set(asset.assetCode, asset)
    if (found.items.length < 100) return all
  }
}

describeEachEngine('importing asset registers', (ctx) => {
  let auditRows: () => Promise<number>

  it('imports Trafford’s real register: all 608 rows accounted for, with what the file says', async () => {
    const { services, db } = ctx()
    await seedCouncils(services, ['trafford', 'manchester', 'leeds', 'bury', 'wigan', 'stockport'])
    const editor = await makeUser(services, { org: 'trafford' })
    auditRows = async () => Number((await db.kysely.selectFrom('audit_log').where('entity_type', '=', 'asset').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const progress: number[] = []
    const report = await services.assetImport.importCsv(editor.actor, 'trafford', fileSource(TRAFFORD_REGISTER), { onProgress: (done, total) => progress.push(done / total) })
    expect(report).toMatchObject({ rows: 608, created: 608, updated: 0, unchanged: 0, rejectedRows: 0, rejected: [], saved: true, encoding: 'utf-8', format: 'transparency-code' })
    expect(report.created + report.updated + report.unchanged + report.rejectedRows).toBe(608)
    expect(report.warnings.map((w) => [w.line, w.column])).toEqual([
      [343, 'PostCode'],
      [387, 'GeoX'],
    ])
    expect(report.warnings[1]!.reason).toMatch(/wrong way round/)
    expect(progress.at(-1)).toBe(1)

    expect((await services.assets.list({ body: 'trafford' }, { page: 1, pageSize: 1 })).total).toBe(608)
    const stored = await db.kysely.selectFrom('assets').selectAll().where('asset_code', '=', 'TMBC0001/T0000003').executeTakeFirstOrThrow()
    expect(stored).toMatchObject({
      name: 'Altrincham Town Hall',
      uprn: '100012797623',
      street_name: 'Market Street',
      post_town: 'Altrincham',
      postcode: 'WA14 1PF',
      tenure: 'freehold',
      tenure_detail: 'Owner Occupied',
      tenure_other_detail: 'Town Hall',
      holding_type: 'buildings',
      floor_area_m2: 415.05,
      energy_rating: 'E',
      effective_date: '2023-09-29',
      source_crs: 'EPSG:4326',
      lat: 53.3879587,
      lon: -2.3520922,
      asset_class: null,
      cpv_code: null,
      status: null,
      version: 1,
    })
    expect(stored.easting).toBeCloseTo(376680, -1)
    const count = async (where: (q: any) => any) => Number((await where(db.kysely.selectFrom('assets').select((eb: any) => eb.fn.countAll().as('n'))).executeTakeFirstOrThrow()).n)
    expect(await count((q) => q.where('lat', 'is not', null))).toBe(373)
    // The Code's tenure detail "Vacant" is the asset's status; nothing else is inferred.
    expect(await count((q) => q.where('status', '=', 'vacant'))).toBe(187)
    expect(await count((q) => q.where('status', 'is not', null))).toBe(187)
    expect(await count((q) => q.where('uprn', 'is', null))).toBe(336)
    expect(await auditRows()).toBe(608)
    // Each creation is logged without a copy of the row (the row is its first version), and the import as a whole.
    const created = await db.kysely.selectFrom('audit_log').select(['after_json']).where('entity_type', '=', 'asset').where('action', '=', 'asset.create').execute()
    expect(created.every((e) => e.after_json === null)).toBe(true)
    const imports = await db.kysely.selectFrom('audit_log').select(['after_json', 'actor_label']).where('action', '=', 'asset.import').execute()
    expect(imports.map((e) => JSON.parse(e.after_json!))).toEqual([{ format: 'transparency-code', encoding: 'utf-8', rows: 608, created: 608, updated: 0, unchanged: 0, rejected: 0 }])
  })

  it('changes nothing when the same register is imported again: no writes, no audit records', async () => {
    const { services, db } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const before = await db.kysely.selectFrom('assets').select(['id', 'version', 'updated_at']).orderBy('id').execute()
    const report = await services.assetImport.importCsv(editor.actor, 'trafford', fileSource(TRAFFORD_REGISTER))
    expect(report).toMatchObject({ rows: 608, created: 0, updated: 0, unchanged: 608, rejectedRows: 0, saved: true })
    expect(await db.kysely.selectFrom('assets').select(['id', 'version', 'updated_at']).orderBy('id').execute()).toEqual(before)
    expect(await auditRows()).toBe(608)
  })

  it('updates only the changed rows, keeps what the file has no column for, and audits each change', async () => {
    const { services, db } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const townHall = (await byCode(services, 'trafford')).get('TMBC0003')!
    // An editor categorises an asset: the register file has no column for it, so re-importing keeps it.
    // …and puts it in a site that is not in the file.
    const site = await services.assets.create(editor.actor, 'trafford', { assetCode: 'SITE-CLAREMONT', name: 'Claremont estate' })
    await services.assets.update(editor.actor, townHall.id, { assetClass: 'operational-land-buildings', cpvCode: '70000000', parentAssetCode: 'SITE-CLAREMONT' }, townHall.version)
    const text = readFileSync(TRAFFORD_REGISTER, 'utf8')
      .replace('TMBC0003,Claremont Centre,', 'TMBC0003,Claremont Community Centre,')
      .replace('TMBC0002/B0000066,Broomwood Centre,105,Mainwood Road,Altrincham,WA15 7JU,WGS84,-2.306004,53.3914925', 'TMBC0002/B0000066,Broomwood Centre,105,Mainwood Road,Altrincham,WA15 7JU,OSGB36,380000,388000')
    const report = await services.assetImport.importCsv(editor.actor, 'trafford', Buffer.from(text))
    expect(report).toMatchObject({ created: 0, updated: 2, unchanged: 606, rejectedRows: 0, saved: true })
    const assets = await byCode(services, 'trafford')
    expect(assets.get('TMBC0003')).toMatchObject({ name: 'Claremont Community Centre', assetClass: 'operational-land-buildings', cpvCode: '70000000', parentId: site.id, version: 3 })
    expect(assets.get('TMBC0002/B0000066')).toMatchObject({ sourceCrs: 'EPSG:27700', easting: 380000, northing: 388000, version: 2 })
    expect(await auditRows()).toBe(608 + 2 + 2)
    const imports = await db.kysely.selectFrom('audit_log').select('after_json').where('action', '=', 'asset.import').orderBy('id').execute()
    expect(JSON.parse(imports.at(-1)!.after_json!)).toMatchObject({ rows: 608, created: 0, updated: 2, unchanged: 606 })
    const history = await services.audit.history('asset', String(townHall.id), { page: 1, pageSize: 5 })
    expect(history.items[0]).toMatchObject({ action: 'asset.update', actor: expect.any(String), before: { name: 'Claremont Centre' }, after: { name: 'Claremont Community Centre' } })
  })

  it('reads a messy register: CRLF, a quoted line break, renamed and repeated headings, both coordinate systems, swapped and zero coordinates, amounts as people write them', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'manchester' })
    const report = await services.assetImport.importCsv(editor.actor, 'manchester', fixture('messy-register.csv'))
    expect(report).toMatchObject({ rows: 5, created: 5, rejectedRows: 0, saved: true, format: 'generic' })
    expect(report.warnings.map((w) => [w.line, w.column, w.reason.slice(0, 30)])).toEqual([
      [1, 'UPRN', 'This is another UPRN column: a'],
      [1, 'Notes', 'This column is not one the reg'],
      [6, 'X', 'Latitude and longitude are the'],
      [6, '', '1 asset is worth £1,000 or mor'],
      [8, 'X', 'Both coordinates are 0, which '],
    ])
    const assets = await byCode(services, 'manchester')
    expect(assets.get('A-001')).toMatchObject({ name: 'Old Library\r\nand annexe', uprn: '010012345678', postcode: 'M33 7ZZ', sourceCrs: 'EPSG:27700', easting: 376680.05, currentValuePence: 125_000, assetClass: 'operational-land-buildings', cpvCode: '92511000', status: 'in-use' })
    expect(assets.get('A-002')).toMatchObject({ currentValuePence: 125_000, sourceCrs: 'EPSG:4326', lat: 53.4461, lon: -2.3105, assetClass: 'vehicles-plant-equipment', cpvCode: '34144000' })
    expect(assets.get('A-003')).toMatchObject({ lat: 53.4461, lon: -2.3105, acquisitionCostPence: 1_200_000, postcode: 'M32 0TH', status: 'vacant', uprn: null, mustBeCategorised: true, categorised: false })
    expect(assets.get('A-004')).toMatchObject({ uprn: '010012345678', parentId: assets.get('A-001')!.id, mapped: false })
    expect(assets.get('A-005')).toMatchObject({ parentId: assets.get('A-001')!.id, currentValuePence: 75_000, status: 'underused', mapped: false })
  })

  it('reads Windows-1252 files with British National Grid coordinates and units', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'bury' })
    const report = await services.assetImport.importCsv(editor.actor, 'bury', fixture('windows-1252.csv'))
    expect(report).toMatchObject({ rows: 2, created: 2, rejectedRows: 0, encoding: 'windows-1252', format: 'transparency-code', warnings: [] })
    const assets = await byCode(services, 'bury')
    expect(assets.get('W-1')).toMatchObject({ name: 'Café kiosk – Walton’s Park', sourceCrs: 'EPSG:27700', easting: 378950, northing: 391530, floorAreaM2: 1047, status: 'vacant' })
    expect(assets.get('W-2')).toMatchObject({ landAreaHa: 2.5, postcode: 'M33', mapped: false, status: null })
  })

  it('reports every rejected row with its line, column and reason, and saves nothing', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'leeds' })
    const report = await services.assetImport.importCsv(editor.actor, 'leeds', fixture('rejections.csv'))
    expect(report).toMatchObject({ rows: 15, created: 3, rejectedRows: 12, saved: false })
    expect(report.rejected.map((p) => [p.line, p.column])).toEqual([
      [3, 'name'],
      [4, 'acquisition_cost'],
      [5, 'cpv_code'],
      [6, 'cpv_code'],
      [7, 'asset_code'],
      [8, 'uprn'],
      [9, 'longitude'],
      [10, 'longitude'],
      [11, 'parent_asset_code'],
      [12, 'status'],
      [13, ''],
      [15, 'asset_class'],
    ])
    expect(report.rejected[4]!.reason).toBe('The asset code “R-1” is already used on line 2 of this file')
    expect(report.rejected[8]!.reason).toMatch(/No asset has the code “R-99” in the register or on an earlier line/)
    expect((await services.assets.list({ body: 'leeds' }, { page: 1, pageSize: 10 })).total).toBe(0)

    const partial = await services.assetImport.importCsv(editor.actor, 'leeds', fixture('rejections.csv'), { allowPartial: true })
    expect(partial).toMatchObject({ created: 3, rejectedRows: 12, saved: true })
    const assets = await byCode(services, 'leeds')
    expect([...assets.keys()].sort()).toEqual(['R-1', 'R-13', 'R-99'])
    expect(assets.get('R-13')!.parentId).toBe(assets.get('R-1')!.id)
  })

  it('saves nothing on a dry run, but says what importing would do', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'wigan' })
    const report = await services.assetImport.importCsv(editor.actor, 'wigan', fixture('messy-register.csv'), { dryRun: true })
    expect(report).toMatchObject({ created: 5, saved: false, dryRun: true })
    expect((await services.assets.list({ body: 'wigan' }, { page: 1, pageSize: 10 })).total).toBe(0)
  })

  it('refuses files it cannot read as a register, saying where and why', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'wigan' })
    const broken = await services.assetImport.importCsv(editor.actor, 'wigan', fixture('broken-quote.csv'), { allowPartial: true })
    expect(broken).toMatchObject({ fileRejected: true, saved: false })
    expect(broken.rejected).toEqual([{ line: 3, column: '', reason: expect.stringMatching(/cannot be read from this line on: a quoted value is never closed/) }])
    const noName = await services.assetImport.importCsv(editor.actor, 'wigan', Buffer.from('AssetCode,GeoX,GeoY\nX-1,-2.3,53.4\n'))
    expect(noName).toMatchObject({ fileRejected: true, rejected: [{ line: 1, column: 'PropertyName', reason: expect.stringMatching(/no PropertyName column/) }] })
    const empty = await services.assetImport.importCsv(editor.actor, 'wigan', Buffer.from('\r\n\r\n'))
    expect(empty).toMatchObject({ fileRejected: true, rejected: [{ line: 1, reason: expect.stringMatching(/empty/) }] })
    const workbook = await services.assetImport.importCsv(editor.actor, 'wigan', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))
    expect(workbook.rejected[0]!.reason).toMatch(/spreadsheet workbook/)
    expect((await services.assets.list({ body: 'wigan' }, { page: 1, pageSize: 10 })).total).toBe(0)
  })

  it('reads the platform’s template, with parts listed after their site', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'trafford' })
    const file = `${templateCsv()}IT-0043,Chair’s console,,,IT-0042,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n`
    const report = await services.assetImport.importCsv(editor.actor, 'trafford', Buffer.from(file), { format: 'generic' })
    expect(report).toMatchObject({ created: 2, rejectedRows: 0, format: 'generic' })
    const assets = await byCode(services, 'trafford')
    expect(assets.get('IT-0043')!.parentId).toBe(assets.get('IT-0042')!.id)
    expect(assets.get('IT-0042')).toMatchObject({ parentId: null, cpvCode: '30200000', acquisitionCostPence: 2_450_000, depreciationMethod: 'straight-line', condition: 'B', status: 'in-use', utilisationPercent: 40 })
  })

  it('streams a register of thousands of rows in batches, keeping lines and parents right across batches', async () => {
    const { services } = ctx()
    const editor = await makeUser(services, { org: 'stockport' })
    const lines = ['asset_code,name,parent_asset_code,current_value,valuation_date,easting,northing']
    for (let i = 1; i <= 2500; i++) lines.push(`S-${i},Asset ${i},${i > 1 ? 'S-1' : ''},${i * 10},2025-03-31,${380000 + i},${390000 + i}`)
    lines[2400] = 'S-2400,,S-1,,,,'
    const report = await services.assetImport.importCsv(editor.actor, 'stockport', Buffer.from(lines.join('\n')), { allowPartial: true })
    expect(report).toMatchObject({ rows: 2500, created: 2499, rejectedRows: 1, rejected: [{ line: 2401, column: 'name' }] })
    const last = await services.assets.list({ body: 'stockport' }, { page: 1, pageSize: 1 })
    expect(last.total).toBe(2499)
    const site = (await byCode(services, 'stockport')).get('S-1')!
    const child = await services.assets.get(site.id)
    expect(child.childCount).toBe(2498)
    // Re-importing it changes nothing across every batch.
    const again = await services.assetImport.importCsv(editor.actor, 'stockport', Buffer.from(lines.join('\n')), { allowPartial: true })
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2499, rejectedRows: 1 })
    // Making the site a part of one of its own parts is refused.
    const loop = await services.assetImport.importCsv(editor.actor, 'stockport', Buffer.from('asset_code,name,parent_asset_code\nS-1,Asset 1,S-2\n'))
    expect(loop.rejected).toEqual([{ line: 2, column: 'parent_asset_code', reason: 'An asset cannot be part of itself or of one of its own parts' }])
  })
})
