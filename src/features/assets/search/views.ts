import { formatPence } from '../money.js'
import { statusTag } from '../views.js'
import type { CleanFilters, FacetName } from './filters.js'
import { filterParams, hiddenFields, withQuery } from './query.js'
import { ASSET_SORTS, type AssetSearchItem, type AssetSearchResult, type AssetSort, type FacetValue } from './search.js'

/* What the register's search and map pages show: the filter column, the results, the links between them. */

const FACET_LEGENDS: [FacetName, string][] = [
  ['body', 'Owned by'],
  ['class', 'Asset class'],
  ['cpv', 'What it is (CPV division)'],
  ['status', 'Status'],
  ['available', 'Available to share'],
  ['condition', 'Condition'],
  ['value', 'Value'],
]

/** The checkbox groups of the filter column; long ones fold away behind a details element. */
export function facetGroups(result: AssetSearchResult) {
  const item = (v: FacetValue) => ({ value: v.value, text: `${v.label} (${v.count.toLocaleString('en-GB')})`, checked: v.selected })
  return FACET_LEGENDS.filter(([name]) => result.facets[name].length > 0).map(([name, legend]) => ({
    name,
    legend,
    items: result.facets[name].map(item),
    chosen: result.filters[name].length,
  }))
}

export function resultRow(item: AssetSearchItem) {
  return {
    id: item.id,
    name: item.name,
    assetCode: item.assetCode,
    owner: item.owner,
    address: item.address,
    classLabel: item.assetClassLabel,
    cpv: item.cpvCode ? `${item.cpvCode} ${item.cpvLabel ?? ''}`.trim() : null,
    status: statusTag(item.status),
    value: item.valuePence === null ? 'Not valued' : formatPence(item.valuePence, { wholePounds: true }),
    availableToShare: item.availableToShare,
    mapped: item.mapped,
  }
}

/** Every link and hidden field the list and map pages need, keeping the search's state. */
export function searchLinks(filters: CleanFilters, state: { sort?: AssetSort; pageSize?: string }) {
  const params = filterParams(filters)
  const withoutPlace = { ...params, bbox: undefined }
  return {
    listHref: withQuery('/assets', { ...params, sort: state.sort, pageSize: state.pageSize }),
    mapHref: withQuery('/assets/map', params),
    csvHref: withQuery('/assets.csv', params),
    geojsonHref: withQuery('/assets.geojson', params),
    apiHref: withQuery('/api/v1/assets/search', { ...params, sort: state.sort }),
    clearHref: filters.q ? withQuery('/assets', { q: filters.q }) : '/assets',
    placeClearHref: filters.bbox ? withQuery('/assets', { ...withoutPlace, sort: state.sort }) : undefined,
    /** The search form keeps the sort and the place; the facets are its own fields. */
    searchState: hiddenFields({ sort: state.sort === 'relevance' ? undefined : state.sort, pageSize: state.pageSize, bbox: params.bbox }),
    /** The sort form carries everything else. */
    sortState: hiddenFields({ ...params, pageSize: state.pageSize }),
  }
}

export function sortItems(result: AssetSearchResult) {
  return ASSET_SORTS.filter((s) => s.code !== 'relevance' || result.terms.length > 0).map((s) => ({ value: s.code, text: s.label, selected: s.code === result.sort }))
}

/** How many filters are in use, so the page can offer to clear them. */
export function chosenCount(filters: CleanFilters): number {
  return FACET_LEGENDS.reduce((n, [name]) => n + (filters[name].length > 0 ? 1 : 0), filters.bbox ? 1 : 0)
}

/** The box as words, for the page: "within 53.38°N 2.35°W to 53.40°N 2.30°W". */
export function bboxText(bbox: [number, number, number, number] | undefined): string | undefined {
  if (!bbox) return undefined
  const lat = (v: number) => `${Math.abs(v).toFixed(3)}°${v >= 0 ? 'N' : 'S'}`
  const lon = (v: number) => `${Math.abs(v).toFixed(3)}°${v >= 0 ? 'E' : 'W'}`
  return `${lat(bbox[1])} ${lon(bbox[0])} to ${lat(bbox[3])} ${lon(bbox[2])}`
}
