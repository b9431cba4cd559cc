import { NotFoundError } from '../../platform/errors.js'
import type { Services } from '../../services.js'
import type { DatasetCatalogue } from '../datasets/catalogue.js'
import type { Organisation } from '../organisations/service.js'
import type { FacetCount } from './facets.js'
import { idOfName } from './names.js'
import { organizationExtras, organizationSummary, packageDict } from './package.js'
import { CkanActionError, notFound, Params, searchQueryError, validationError } from './params.js'
import { QuerySyntaxError } from './query-parser.js'
import { CkanSearch, type PackageSearchInput } from './search.js'
import { DEFAULT_SORT } from './sort.js'

/** CKAN 2.10's `ckan.search.rows_max`: larger `rows` are cut to it. */
export const ROWS_MAX = 1000
/** CKAN's `search.facets.limit`. */
const FACET_LIMIT = 50
/** `ckan.group_and_organization_list_max` and `…_all_fields_max`. */
const ORGANIZATION_LIST_MAX = 1000
const ORGANIZATION_LIST_ALL_FIELDS_MAX = 25
/** organization_show's `include_datasets` gives package_search's default page. */
const ORGANIZATION_SHOW_DATASETS = 10

export type Action = (data: Record<string, unknown>) => Promise<unknown>

/** What each action does, for help_show. */
export const ACTION_HELP: Record<string, string> = {
  package_search: 'Searches the public datasets. Parameters: q, fq, fq_list, sort, rows (at most 1000), start, facet, facet.field, facet.limit, facet.mincount, include_deleted.',
  package_show: 'Returns one public dataset. Parameters: id (the id or name of the dataset).',
  package_list: 'Lists the names of the public datasets. Parameters: limit, offset.',
  organization_list: 'Lists the organisations. Parameters: all_fields, sort (name, title or package_count, asc or desc), limit, offset, q, organizations.',
  organization_show: 'Returns one organisation. Parameters: id (the id or name of the organisation), include_datasets.',
  help_show: 'Returns the help text of an action. Parameters: name.',
  status_show: 'Returns what this site is and the version of the CKAN API it answers.',
}

/**
 * The read side of CKAN's Action API over the inventory. Only open datasets are shown, as
 * CKAN shows anonymous callers only public ones; withdrawn datasets are CKAN's deleted ones.
 */
export function ckanActions(services: Services): Record<string, Action> {
  const { config, organisations } = services
  const catalogue: DatasetCatalogue = services.datasetCatalogue
  const search = new CkanSearch(services.db, catalogue)
  const baseUrl = config.baseUrl

  async function runSearch(input: PackageSearchInput) {
    try {
      return await search.search(input)
    } catch (error) {
      if (error instanceof QuerySyntaxError) throw searchQueryError(error.message)
      throw error
    }
  }

  async function organisationById(idOrName: string): Promise<Organisation> {
    const byId = await organisations.findById(idOrName)
    if (byId) return byId
    try {
      return await organisations.getBySlug(idOrName)
    } catch (error) {
      if (error instanceof NotFoundError) throw notFound()
      throw error
    }
  }

  return {
    async package_search(data) {
      const p = new Params(data)
      const rows = p.integer('rows', 10)
      const input: PackageSearchInput = {
        q: p.string('q'),
        fq: [p.string('fq'), ...p.stringList('fq_list')].filter((f) => f.trim() !== ''),
        sort: p.string('sort').trim(),
        rows: Math.min(rows, ROWS_MAX),
        start: p.integer('start', 0),
        facetFields: p.string('facet', 'true').toLowerCase() === 'false' ? [] : p.stringList('facet.field'),
        facetLimit: p.integer('facet.limit', FACET_LIMIT, false),
        facetMincount: p.integer('facet.mincount', 1),
        includeWithdrawn: p.boolean('include_deleted'),
      }
      p.throwIfAny()
      if (input.sort === '' || input.sort === 'rank') input.sort = DEFAULT_SORT
      const result = await runSearch(input)
      return {
        count: result.count,
        facets: Object.fromEntries(Object.entries(result.facets).map(([field, values]) => [field, Object.fromEntries(values.map((v) => [v.name, v.count]))])),
        results: result.entries.map((entry) => packageDict(entry, baseUrl)),
        sort: input.sort,
        search_facets: searchFacets(result.facets),
      }
    },

    async package_show(data) {
      const p = new Params(data)
      const id = p.required('id')
      p.throwIfAny()
      const entry = await catalogue.entry(idOfName(id))
      if (!entry || entry.dataset.accessLevel !== 'open') throw notFound()
      return packageDict(entry, baseUrl)
    },

    async package_list(data) {
      const p = new Params(data)
      const limit = p.integer('limit', 0)
      const offset = p.integer('offset', 0)
      p.throwIfAny()
      return search.names(limit, offset)
    },

    async organization_list(data) {
      const p = new Params(data)
      const allFields = p.boolean('all_fields')
      const max = allFields ? ORGANIZATION_LIST_ALL_FIELDS_MAX : ORGANIZATION_LIST_MAX
      const requested = p.integer('limit', max)
      const offset = p.integer('offset', 0)
      const only = p.stringList('organizations')
      const withCounts = p.boolean('include_dataset_count', true)
      p.throwIfAny()
      const sorts = organisationSort(p.string('sort').trim() || 'title asc')
      const [page, counts] = await Promise.all([organisations.list({ q: p.string('q').trim() || undefined }, { page: 1, pageSize: 1_000_000 }), search.countsByOrganisation()])
      const listed = only.length > 0 ? page.items.filter((o) => only.includes(o.slug) || only.includes(o.id)) : page.items
      const countOf = (o: Organisation) => counts.get(o.id) ?? 0
      listed.sort((a, b) => {
        for (const { field, direction } of sorts) {
          const order = field === 'package_count' ? countOf(a) - countOf(b) : compareText(field === 'name' ? a.slug : a.name, field === 'name' ? b.slug : b.name)
          if (order !== 0) return direction === 'asc' ? order : -order
        }
        return compareText(a.slug, b.slug)
      })
      const chosen = listed.slice(offset, offset + (requested === 0 || requested > max ? max : requested))
      if (!allFields) return chosen.map((o) => o.slug)
      return chosen.map((o) => {
        const summary = organizationSummary(o, countOf(o))
        if (withCounts) return summary
        const { package_count: _, ...rest } = summary
        return rest
      })
    },

    async organization_show(data) {
      const p = new Params(data)
      const id = p.required('id')
      const includeDatasets = p.boolean('include_datasets')
      p.throwIfAny()
      const organisation = await organisationById(id)
      const counts = await search.countsByOrganisation()
      const summary = { ...organizationSummary(organisation, counts.get(organisation.id) ?? 0), extras: organizationExtras(organisation), groups: [], tags: [] }
      if (!includeDatasets) return summary
      const result = await runSearch({ q: '', fq: [`owner_org:"${organisation.id}"`], sort: DEFAULT_SORT, rows: ORGANIZATION_SHOW_DATASETS, start: 0, facetFields: [], facetLimit: 0, facetMincount: 1, includeWithdrawn: false })
      return { ...summary, packages: result.entries.map((entry) => packageDict(entry, baseUrl)) }
    },

    async help_show(data) {
      const p = new Params(data)
      const name = p.required('name')
      p.throwIfAny()
      const help = ACTION_HELP[name]
      if (!help) throw new CkanActionError(404, { __type: 'Not Found Error', message: 'Not found: Action function not found' })
      return help
    },

    async status_show() {
      return {
        site_title: 'LGDS',
        site_description: 'The Local Government Digital Service: the data UK public bodies hold and when they will release it',
        site_url: baseUrl,
        ckan_version: '2.10.0',
        error_emails_to: null,
        locale_default: 'en_GB',
        extensions: [],
      }
    },
  }
}

/** CKAN's `search_facets`: titled items, in reverse order of their display name as CKAN sorts them. */
function searchFacets(facets: Record<string, FacetCount[]>) {
  return Object.fromEntries(
    Object.entries(facets).map(([field, values]) => [
      field,
      {
        title: field,
        items: values.map((v) => ({ name: v.name, display_name: v.displayName, count: v.count })).sort((a, b) => compareText(b.display_name, a.display_name)),
      },
    ]),
  )
}

/** CKAN's `_unpick_search` for organization_list: one field of name, title or package_count. */
function organisationSort(text: string): { field: string; direction: 'asc' | 'desc' }[] {
  const parts = text.split(',').map((part) => part.trim().split(/\s+/))
  if (parts.length > 1) throw validationError({ message: 'Too many sort criteria provided only 1 allowed' })
  return parts.map(([field = '', direction = 'asc']) => {
    if (!['name', 'title', 'package_count'].includes(field)) throw validationError({ message: `Cannot sort by field \`${field}\`` })
    const dir = direction.toLowerCase()
    if (dir !== 'asc' && dir !== 'desc') throw validationError({ message: `Invalid sort direction \`${dir}\`` })
    return { field, direction: dir }
  })
}

function compareText(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0
}

