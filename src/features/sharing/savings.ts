import { todayInUk } from '../../platform/uk-date.js'
import { csvCell } from '../datasets/audit-routes.js'
import { ASSET_CLASSES, labelOf } from '../assets/vocabularies.js'
import { repoOf, type SharingContext } from './context.js'
import { savingOf } from './model.js'

/*
 * What sharing saved: each share handed over counts the purchase it avoided (less the price, for
 * a sale, never below nothing) for the body that received the asset, in the year it was handed
 * over. Totals by body, by asset class and by year each add up to the grand total.
 */

export interface SavingsLine {
  key: string
  label: string
  shares: number
  avoidedPence: number
}

export interface Savings {
  total: { shares: number; avoidedPence: number }
  byBody: (SavingsLine & { slug: string })[]
  byClass: SavingsLine[]
  byYear: SavingsLine[]
}

const UNCLASSIFIED = 'unclassified'

export async function computeSavings(context: SharingContext): Promise<Savings> {
  const rows = await repoOf(context).completedShares()
  const [assets, organisations] = await Promise.all([
    context.assets.findMany(rows.map((r) => r.asset_id)),
    context.organisations.findByIds([...new Set(rows.map((r) => r.requesting_organisation_id))]),
  ])
  const classOf = new Map(assets.map((a) => [a.id, a.assetClass]))
  const bodyOf = new Map(organisations.map((o) => [o.id, o]))
  const total = { shares: 0, avoidedPence: 0 }
  const byBody = new Map<string, SavingsLine & { slug: string }>()
  const byClass = new Map<string, SavingsLine>()
  const byYear = new Map<string, SavingsLine>()
  const add = <L extends SavingsLine>(map: Map<string, L>, key: string, make: () => L, saving: number) => {
    const line = map.get(key) ?? make()
    line.shares++
    line.avoidedPence += saving
    map.set(key, line)
  }
  for (const row of rows) {
    const saving = savingOf(row.avoided_cost_pence, row.kind, row.price_pence)
    total.shares++
    total.avoidedPence += saving
    const body = bodyOf.get(row.requesting_organisation_id)
    add(byBody, row.requesting_organisation_id, () => ({ key: row.requesting_organisation_id, slug: body?.slug ?? '', label: body?.name ?? 'A body no longer registered', shares: 0, avoidedPence: 0 }), saving)
    const assetClass = classOf.get(row.asset_id) ?? null
    const classKey = assetClass ?? UNCLASSIFIED
    add(byClass, classKey, () => ({ key: classKey, label: labelOf(ASSET_CLASSES, assetClass) ?? 'No asset class recorded', shares: 0, avoidedPence: 0 }), saving)
    const year = todayInUk(new Date(row.handed_over_at)).slice(0, 4)
    add(byYear, year, () => ({ key: year, label: year, shares: 0, avoidedPence: 0 }), saving)
  }
  const biggestFirst = (a: SavingsLine, b: SavingsLine) => b.avoidedPence - a.avoidedPence || a.label.localeCompare(b.label)
  return {
    total,
    byBody: [...byBody.values()].sort(biggestFirst),
    byClass: [...byClass.values()].sort(biggestFirst),
    byYear: [...byYear.values()].sort((a, b) => b.key.localeCompare(a.key)),
  }
}

/** The savings as one CSV: a row per body, per class and per year, then the total. */
export function savingsCsv(savings: Savings): string {
  const header = ['breakdown', 'key', 'name', 'shares', 'avoided_spend_pence']
  const line = (breakdown: string, l: SavingsLine) => [breakdown, l.key, l.label, l.shares, l.avoidedPence].map(csvCell).join(',')
  const lines = [
    header.join(','),
    ...savings.byBody.map((l) => line('body', { ...l, key: l.slug })),
    ...savings.byClass.map((l) => line('asset_class', l)),
    ...savings.byYear.map((l) => line('year', l)),
    line('total', { key: '', label: 'All public bodies', ...savings.total }),
  ]
  return `${lines.join('\r\n')}\r\n`
}
