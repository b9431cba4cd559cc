import { Type } from 'typebox'
import { Asset } from '../schemas.js'
import { FACETS, type AssetFilters, type CleanFilters } from './filters.js'
import { ASSET_SORTS, type AssetSort } from './search.js'
import { AVAILABLE_TERMS, CLASS_TERMS, CONDITION_TERMS, CPV_DIVISION_TERMS, STATUS_TERMS, VALUE_TERMS } from './vocabulary.js'

/*
 * The register's search as a query string: every state of the list, the map and the downloads
 * is an address that can be shared, and the same parameters work on each of them.
 */

/** Query-string values as a list, however many times the parameter was given. */
export function values(value: unknown): string[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map(String).filter((v) => v.trim() !== '')
}

export function first(value: unknown): string | undefined {
  return values(value)[0]
}

/** The filters from a page's query string, read leniently: unknown values are dropped later. */
export function filtersFrom(query: Record<string, unknown>): AssetFilters {
  const bbox = first(query.bbox)
  return {
    q: first(query.q),
    body: values(query.body),
    class: values(query.class),
    cpv: values(query.cpv),
    status: values(query.status),
    condition: values(query.condition),
    available: values(query.available),
    value: values(query.value),
    ...(bbox ? { bbox } : {}),
  }
}

export function sortFrom(value: unknown): AssetSort | undefined {
  const sort = first(value)
  return ASSET_SORTS.find((s) => s.code === sort)?.code
}

/** The filters as query parameters (a bounding box as its four numbers). */
export function filterParams(filters: CleanFilters): Record<string, string | string[] | undefined> {
  const params: Record<string, string | string[] | undefined> = { q: filters.q || undefined }
  for (const facet of FACETS) params[facet] = filters[facet]
  if (filters.bbox) params.bbox = filters.bbox.join(',')
  return params
}

export function queryString(params: Record<string, string | string[] | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : value ? [value] : []) search.append(key, v)
  // A box reads better as the four numbers it is; commas need no escaping in a query.
  return search.toString().replace(/%2C/g, ',')
}

export function withQuery(path: string, params: Record<string, string | string[] | undefined>): string {
  const qs = queryString(params)
  return qs ? `${path}?${qs}` : path
}

/** Name and value pairs for hidden inputs that carry the rest of a page's state. */
export function hiddenFields(state: Record<string, string | string[] | undefined>): { name: string; value: string }[] {
  return Object.entries(state).flatMap(([name, value]) => (Array.isArray(value) ? value : value ? [value] : []).map((v) => ({ name, value: v })))
}

// ---- the API's description of the same parameters ----

const codes = (list: { code: string }[]) => list.map((e) => e.code)
const many = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string) =>
  Type.Optional(Type.Array(item, { maxItems: 50, description: `${description} Repeat the parameter for more than one; any of them matches.` }))

export const assetFilterQuery = {
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words in the name, description, address, postcode, asset code, UPRN or CPV code and label; every word must match, the last may be the start of a word' })),
  body: many(Type.String({ maxLength: 100 }), 'Slug of the owning body, like `trafford`.'),
  class: many(Type.Enum(codes(CLASS_TERMS)), 'Asset class (`none`: not classified).'),
  cpv: many(Type.Enum(codes(CPV_DIVISION_TERMS)), 'CPV division: the code’s first two digits, like `30` (`none`: no CPV code).'),
  status: many(Type.Enum(codes(STATUS_TERMS)), 'Status.'),
  condition: many(Type.Enum(codes(CONDITION_TERMS)), 'Condition grade.'),
  available: many(Type.Enum(codes(AVAILABLE_TERMS)), '`yes`: offered to other public bodies to share.'),
  value: many(Type.Enum(codes(VALUE_TERMS)), 'Value band (current value, else acquisition cost; `unknown`: not valued).'),
}

export const AssetSearchQuery = Type.Object({
  ...assetFilterQuery,
  bbox: Type.Optional(Type.String({ maxLength: 100, description: 'Only assets mapped inside minLon,minLat,maxLon,maxLat (WGS84)' })),
  sort: Type.Optional(Type.Enum(codes(ASSET_SORTS), { description: 'relevance (the default with `q`), name (the default without), value (highest first) or updated (newest first)' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

export const MapQuery = Type.Object({
  ...assetFilterQuery,
  bbox: Type.String({ maxLength: 100, description: 'The map’s view: minLon,minLat,maxLon,maxLat (WGS84)' }),
  zoom: Type.Optional(Type.Integer({ minimum: 0, maximum: 22, description: 'The map’s zoom level; worked out from the box when absent' })),
  limit: Type.Optional(Type.Integer({ minimum: 10, maximum: 1000, default: 300, description: 'The most features to answer with' })),
})

const FacetValueSchema = Type.Object({
  value: Type.String({ description: 'What to send as the filter parameter' }),
  label: Type.String(),
  count: Type.Integer({ description: 'Assets matching everything else chosen, plus this value' }),
  selected: Type.Boolean(),
})
const Facet = Type.Array(FacetValueSchema)

export const AssetSearchPage = Type.Object({
  items: Type.Array(Type.Object({ ...Asset.properties, owner: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }) })),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  sort: Type.String({ description: 'The order applied' }),
  facets: Type.Object(
    {
      body: Type.Array(FacetValueSchema, { description: 'The 20 bodies with most matches, and any chosen' }),
      class: Facet,
      cpv: Facet,
      status: Facet,
      condition: Facet,
      available: Facet,
      value: Facet,
    },
    { description: 'Counts for each filter value. A facet’s counts ignore its own filter, so they show what choosing another value would give' },
  ),
})

const Point = Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[longitude, latitude]' }) })

export const MapFeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  total: Type.Integer({ description: 'Assets matching the filters mapped inside the box: the features’ counts add up to it' }),
  zoom: Type.Integer({ description: 'The zoom the clusters were made for' }),
  features: Type.Array(
    Type.Union([
      Type.Object({
        type: Type.Literal('Feature'),
        id: Type.Integer(),
        geometry: Point,
        properties: Type.Object({ id: Type.Integer(), name: Type.String(), href: Type.String() }),
      }),
      Type.Object({
        type: Type.Literal('Feature'),
        bbox: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'Where the cluster’s assets are' }),
        geometry: Point,
        properties: Type.Object({ cluster: Type.Literal(true), count: Type.Integer() }),
      }),
    ]),
  ),
})
