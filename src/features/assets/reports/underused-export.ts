import { todayInUk } from '../../../platform/uk-date.js'
import { Readable } from 'node:stream'
import type { Db } from '../../../db/connection.js'
import { csvCell } from '../../datasets/audit-routes.js'
import { toAsset, type AssetRow } from '../model.js'
import { penceInput } from '../money.js'
import type { AssetIndex } from '../search/asset-index.js'
import { ASSET_STATUSES, labelOf } from '../vocabularies.js'
import { sortedPositions } from './underused-order.js'
import type { UnderusedReport, UnderusedTotals } from './underused.js'

/*
 * The underused-capital report as CSV: the assets themselves (streamed a batch at a time, by
 * book value, so a quarter of a million rows need no more memory than a thousand) and its
 * totals table. Amounts are pounds with their pence (`1250.00`), exactly the stored pence.
 */

const BATCH = 1000

export const UNDERUSED_ASSET_COLUMNS = [
  'asset_id',
  'asset_code',
  'name',
  'owner',
  'owner_slug',
  'region',
  'asset_class',
  'status',
  'utilisation_percent',
  'book_value_gbp',
  'latitude',
  'longitude',
  'address',
  'url',
] as const

type Row = AssetRow & { owner_name: string; owner_slug: string; owner_region: string | null }

const gbp = (pence: number | null) => (pence === null ? null : penceInput(pence))

export function underusedAssetsCsv(db: Db, index: AssetIndex, report: UnderusedReport, baseUrl: string): Readable {
  const order = sortedPositions(index, report)
  const ids = Array.from(order, (p) => index.ids[p]!)
  const today = todayInUk()
  async function* lines() {
    yield `${UNDERUSED_ASSET_COLUMNS.join(',')}\r\n`
    for (let i = 0; i < ids.length; i += BATCH) {
      const wanted = ids.slice(i, i + BATCH)
      const rows = (await db.kysely
        .selectFrom('assets as a')
        .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
        .selectAll('a')
        .select(['o.name as owner_name', 'o.slug as owner_slug', 'o.region as owner_region'])
        .where('a.id', 'in', wanted)
        .execute()) as Row[]
      const byId = new Map(rows.map((r) => [Number(r.id), r]))
      let text = ''
      for (const id of wanted) {
        const row = byId.get(id)
        if (!row) continue
        const asset = toAsset(row, today)
        const cells = [
          asset.id,
          asset.assetCode,
          asset.name,
          row.owner_name,
          row.owner_slug,
          row.owner_region,
          asset.assetClassLabel,
          labelOf(ASSET_STATUSES, asset.status) ?? null,
          asset.utilisationPercent,
          gbp(asset.bookValuePence),
          asset.lat,
          asset.lon,
          asset.address,
          `${baseUrl}/assets/${asset.id}`,
        ]
        text += `${cells.map(csvCell).join(',')}\r\n`
      }
      yield text
    }
  }
  return Readable.from(lines())
}

export const UNDERUSED_TOTAL_COLUMNS = ['table', 'code', 'name', 'assets', 'book_value_gbp', 'not_valued', 'register_book_value_gbp', 'share_percent'] as const

/** Every table of the report, one after another: the total, then by body, class, region and reason. */
export function underusedTotalsCsv(report: UnderusedReport): string {
  const line = (table: string, code: string, name: string, row: UnderusedTotals, register?: { registerBookValuePence: number; sharePercent: number | null }) =>
    [table, code, name, row.count, gbp(row.bookValuePence), row.unvalued, register ? gbp(register.registerBookValuePence) : null, register?.sharePercent ?? null].map(csvCell).join(',')
  const lines = [
    UNDERUSED_TOTAL_COLUMNS.join(','),
    line('total', '', 'All public bodies', report.total, report.total),
    ...report.byBody.map((r) => line('body', r.slug, r.name, r, r)),
    ...report.byClass.map((r) => line('class', r.code, r.label, r)),
    ...report.byRegion.map((r) => line('region', r.value, r.label, r)),
    ...report.byReason.map((r) => line('reason', r.reason, r.label, r)),
  ]
  return `${lines.join('\r\n')}\r\n`
}
