import type { Db } from '../../../db/connection.js'
import { typeLabel } from '../../organisations/types.js'
import { assetSearchFor } from '../search/search.js'
import { bodyUnderused } from './peers.js'
import { money } from './underused-view.js'

/** A body's underused capital as its page shows it; null when it has no assets. */
export async function bodyUnderusedView(db: Db, slug: string) {
  const figure = await bodyUnderused(assetSearchFor(db).index, slug)
  if (!figure) return null
  const { peers } = figure
  const kind = typeLabel(figure.type).toLowerCase()
  let comparison: string
  if (figure.sharePercent === null) comparison = 'None of its assets has a book value, so it cannot be compared.'
  else if (peers.count < 2) comparison = `No other body of its type (${kind}) has assets with a book value to compare with.`
  else {
    const median = peers.medianSharePercent!
    const side = figure.sharePercent > median ? 'above' : figure.sharePercent < median ? 'below' : 'at'
    comparison = `The median among the ${peers.count} bodies of its type (${kind}) with assets valued is ${median}%: this body is ${side} it, ${ordinal(peers.rank!)} of ${peers.count} from the largest share.`
  }
  return {
    ...figure,
    bookValue: money(figure.bookValuePence),
    registerBookValue: money(figure.registerBookValuePence),
    comparison,
    href: `/assets/underused?body=${encodeURIComponent(slug)}`,
  }
}

function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${suffix}`
}
