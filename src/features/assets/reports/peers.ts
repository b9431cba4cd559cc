import type { AssetIndex } from '../search/asset-index.js'
import { DEFAULT_THRESHOLD, oneDecimal, shareOf, underusedReport, type UnderusedTotals } from './underused.js'

/* A body's underused capital beside that of similar bodies (those of the same type). */

export interface BodyUnderusedFigure extends UnderusedTotals {
  slug: string
  name: string
  type: string
  threshold: number
  registerBookValuePence: number
  sharePercent: number | null
  /** Bodies of the same type whose assets have a book value, this one among them. */
  peers: { count: number; medianSharePercent: number | null; /** 1 for the largest share. */ rank: number | null }
}

/**
 * A body's underused assets across its whole register, with how its share of book value
 * compares with bodies of the same type. Null when it has no assets (none not disposed of).
 */
export async function bodyUnderused(index: AssetIndex, slug: string, threshold = DEFAULT_THRESHOLD): Promise<BodyUnderusedFigure | null> {
  const report = await underusedReport(index, { threshold })
  const at = index.organisationBySlug(slug)
  if (at === undefined) return null
  const { assets, registerBook, underusedBook, underusedCount } = report.scope
  if (!(assets[at]! > 0)) return null
  const org = index.organisations[at]!
  const shares: number[] = []
  for (let o = 0; o < index.organisations.length; o++) {
    if (index.organisations[o]!.type === org.type && registerBook[o]! > 0) shares.push(underusedBook[o]! / registerBook[o]!)
  }
  shares.sort((a, b) => a - b)
  const mine = registerBook[at]! > 0 ? underusedBook[at]! / registerBook[at]! : null
  const middle = shares.length >> 1
  const median = shares.length === 0 ? null : shares.length % 2 === 1 ? shares[middle]! : (shares[middle - 1]! + shares[middle]!) / 2
  const row = report.byBody.find((r) => r.slug === slug)
  return {
    slug,
    name: org.name,
    type: org.type,
    threshold: report.filters.threshold,
    count: underusedCount[at]!,
    bookValuePence: underusedBook[at]!,
    unvalued: row?.unvalued ?? 0,
    registerBookValuePence: registerBook[at]!,
    sharePercent: shareOf(underusedBook[at]!, registerBook[at]!),
    peers: {
      count: shares.length,
      medianSharePercent: median === null ? null : oneDecimal(median * 100),
      rank: mine === null ? null : 1 + shares.filter((s) => s > mine).length,
    },
  }
}
