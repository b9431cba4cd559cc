import type { Db } from '../../../db/connection.js'
import { formatPence } from '../money.js'
import type { AssetIndex } from '../search/asset-index.js'
import { parseBbox, type Bbox } from '../search/filters.js'
import { withQuery } from '../search/query.js'
import { UK_BBOX } from '../search/routes.js'
import { CLASS_TERMS, STATUS_TERMS } from '../search/vocabulary.js'
import { NO_REGION, NO_REGION_LABEL, regionsOf } from './regions.js'
import { DEFAULT_THRESHOLD, type CleanUnderusedFilters, type UnderusedReport, type UnderusedTotals } from './underused.js'
import { pageOfPositions } from './underused-order.js'

/*
 * What the underused-capital page shows, worked out from the report: links that keep the
 * filters, the form's choices, money as people read it, and a page of the assets themselves.
 */

export const money = (pence: number) => formatPence(Math.round(pence), { wholePounds: true })

/** The filters as query parameters, leaving out the defaults so addresses stay short. */
export function underusedParams(filters: CleanUnderusedFilters): Record<string, string | undefined> {
  return {
    threshold: filters.threshold === DEFAULT_THRESHOLD ? undefined : String(filters.threshold),
    body: filters.body ?? undefined,
    class: filters.class ?? undefined,
    region: filters.region ?? undefined,
  }
}

export function totalsCells(row: UnderusedTotals) {
  return { count: row.count, bookValue: money(row.bookValuePence), unvalued: row.unvalued }
}

/** The choices of the form's selects: bodies with assets, every class, every region. */
export function filterOptions(index: AssetIndex, everything: UnderusedReport, filters: CleanUnderusedFilters) {
  const option = (value: string, text: string, chosen: string | null) => ({ value, text, selected: value === chosen })
  const bodies = index.organisations
    .map((org, o) => ({ org, o }))
    .filter(({ org, o }) => everything.scope.assets[o]! > 0 || org.slug === filters.body)
    .map(({ org }) => option(org.slug, org.name, filters.body))
    .sort((a, b) => a.text.localeCompare(b.text))
  const regions = regionsOf(index).names
  return {
    bodies: [{ value: '', text: 'All bodies' }, ...bodies],
    classes: [{ value: '', text: 'All classes' }, ...CLASS_TERMS.map((t) => option(t.code, t.label, filters.class))],
    regions: [{ value: '', text: 'All regions' }, ...regions.map((r) => option(r, r, filters.region)), option(NO_REGION, NO_REGION_LABEL, filters.region)],
  }
}

/** The map's first view: the box asked for, else around the underused assets, else the UK. */
export function mapBbox(asked: string | undefined, extent: Bbox | null): string {
  const parsed = asked ? parseBbox(asked) : undefined
  if (Array.isArray(parsed)) return parsed.join(',')
  if (!extent) return UK_BBOX.join(',')
  const [minLon, minLat, maxLon, maxLat] = extent
  const padLon = Math.max(0.02, (maxLon - minLon) * 0.1)
  const padLat = Math.max(0.01, (maxLat - minLat) * 0.1)
  return [minLon - padLon, Math.max(-85, minLat - padLat), maxLon + padLon, Math.min(85, maxLat + padLat)].map((n) => n.toFixed(5)).join(',')
}

export interface UnderusedAssetRow {
  id: number
  name: string
  owner: { slug: string; name: string }
  classLabel: string
  statusLabel: string
  utilisation: string
  bookValue: string
}

/** A page of the underused assets by book value, their names read for just these. */
export async function assetRows(db: Db, index: AssetIndex, report: UnderusedReport, page: number, pageSize: number): Promise<UnderusedAssetRow[]> {
  const positions = pageOfPositions(index, report, page, pageSize)
  if (positions.length === 0) return []
  const ids = Array.from(positions, (p) => index.ids[p]!)
  const names = new Map((await db.kysely.selectFrom('assets').select(['id', 'name']).where('id', 'in', ids).execute()).map((r) => [Number(r.id), r.name]))
  return Array.from(positions, (p) => {
    const org = index.organisations[index.organisation[p]!]!
    const utilisation = index.utilisation[p]!
    const book = index.bookValue[p]!
    return {
      id: index.ids[p]!,
      name: names.get(index.ids[p]!) ?? '',
      owner: { slug: org.slug, name: org.name },
      classLabel: CLASS_TERMS[index.assetClass[p]!]?.label ?? '',
      statusLabel: STATUS_TERMS[index.status[p]!]?.label ?? '',
      utilisation: Number.isNaN(utilisation) ? 'Not measured' : `${Math.round(utilisation * 10) / 10}%`,
      bookValue: Number.isNaN(book) ? 'Not valued' : money(book),
    }
  })
}

/** Links from each table's rows to the report narrowed to that row. */
export function narrowedHref(filters: CleanUnderusedFilters, change: Partial<Record<'body' | 'class' | 'region', string>>): string {
  return withQuery('/assets/underused', { ...underusedParams(filters), ...change })
}
