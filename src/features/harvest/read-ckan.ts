import { SourceError } from './fetch-source.js'
import { emptyRecord, type FieldNames, type SourceRecord } from './record.js'
import type { HarvestProblem } from './report.js'
import { isObject, objects, str, strings, type JsonObject } from './read-json.js'

/*
 * CKAN's Action API: `package_search` answers, read a page at a time by `rows` and `start`
 * until `count` datasets have come, or a saved answer (or a bare list of packages) from a file.
 * A package is keyed by its `id`, which CKAN never changes (its `name` can be edited).
 * What CKAN core has no field for is read from the extras ckanext-dcat and data.gov.uk use.
 */

export const CKAN_FIELDS: FieldNames = {
  key: 'id',
  title: 'title',
  description: 'notes',
  keywords: 'tags',
  themes: 'groups',
  accessLevel: 'extras.access_level',
  rights: 'extras.rights',
  licence: 'license_id',
  frequency: 'extras.frequency',
  temporal: 'extras.temporal_start',
  spatial: 'extras.spatial_uri',
  contact: 'maintainer_email',
  distributions: 'resources',
}

export const CKAN_PAGE_SIZE = 100

/** The package_search address for a page, from a portal's address or its API's. */
export function packageSearchUrl(address: string, start: number, rows: number): string {
  const url = new URL(address)
  if (!/\/package_search\/?$/.test(url.pathname)) url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/3/action/package_search`
  url.searchParams.set('rows', String(rows))
  url.searchParams.set('start', String(start))
  return url.href
}

/** The packages of one package_search answer, and how many there are in all. */
export function packagePage(document: unknown, where: string): { packages: unknown[]; count: number | undefined } {
  if (Array.isArray(document)) return { packages: document, count: document.length }
  if (!isObject(document)) throw new SourceError(`${where} is not a CKAN package_search answer`)
  if (document.success === false) {
    const error = isObject(document.error) ? (str(document.error.message) ?? str(document.error.__type)) : undefined
    throw new SourceError(`${where} answered that the search failed${error ? `: ${error}` : ''}`)
  }
  const result = isObject(document.result) ? document.result : document
  if (!Array.isArray(result.results)) throw new SourceError(`${where} is not a CKAN package_search answer: it has no “results” list`)
  return { packages: result.results, count: typeof result.count === 'number' ? result.count : undefined }
}

function extrasOf(pkg: JsonObject): Map<string, string> {
  const extras = new Map<string, string>()
  for (const extra of objects(pkg.extras)) {
    const key = str(extra.key)
    const value = str(extra.value)
    if (key && value) extras.set(key.toLowerCase(), value)
  }
  return extras
}

/** ckanext-dcat keeps lists in extras as JSON arrays. */
function listExtra(value: string | undefined): string[] {
  if (!value) return []
  if (value.startsWith('[')) {
    try {
      return strings(JSON.parse(value))
    } catch {
      return [value]
    }
  }
  return [value]
}

/** Package records, numbered from `first`; private and deleted packages are left out. */
export function readPackages(packages: unknown[], first: number, skipped: (warning: HarvestProblem) => void): SourceRecord[] {
  const records: SourceRecord[] = []
  packages.forEach((pkg, i) => {
    const record = emptyRecord(first + i)
    if (!isObject(pkg)) {
      record.problems.push({ field: '', reason: 'The package is not a JSON object' })
      records.push(record)
      return
    }
    if (pkg.private === true || (str(pkg.state) && str(pkg.state) !== 'active')) {
      const why = pkg.private === true ? 'private' : str(pkg.state)
      skipped({ record: first + i, identifier: str(pkg.id) ?? null, title: str(pkg.title) ?? str(pkg.name) ?? null, field: '', reason: `The package is ${why} on the portal, so it was not harvested` })
      return
    }
    records.push(packageRecord(pkg, record))
  })
  return records
}

function packageRecord(pkg: JsonObject, record: SourceRecord): SourceRecord {
  const extras = extrasOf(pkg)
  const extra = (...keys: string[]) => keys.map((k) => extras.get(k)).find((v) => v !== undefined)
  record.key = str(pkg.id) ?? null
  record.title = str(pkg.title) ?? str(pkg.name)
  record.description = str(pkg.notes)
  record.keywords = objects(pkg.tags).map((t) => str(t.display_name) ?? str(t.name)).filter((t): t is string => t !== undefined)
  record.themes = [...objects(pkg.groups).flatMap((g) => [str(g.name), str(g.title)]).filter((g): g is string => g !== undefined), ...listExtra(extra('theme'))]
  record.accessLevel = extra('access_level', 'accesslevel', 'public_access_level', 'access_rights')
  record.rights = extra('rights', 'access_constraints')
  record.licence = str(pkg.license_id) ?? str(pkg.license_url)
  record.frequency = extra('frequency', 'accrual_periodicity', 'accrualperiodicity', 'update_frequency')
  record.temporalStart = extra('temporal_start', 'temporal_coverage-from', 'temporal_coverage_from')
  record.temporalEnd = extra('temporal_end', 'temporal_coverage-to', 'temporal_coverage_to')
  record.spatial = [extra('spatial_uri'), extra('spatial')].filter((s): s is string => s !== undefined)
  record.contactName = str(pkg.maintainer) ?? str(pkg.author) ?? extra('contact_name')
  record.contactEmail = str(pkg.maintainer_email) ?? str(pkg.author_email) ?? extra('contact_email')
  record.distributions = objects(pkg.resources)
    .filter((r) => !str(r.state) || str(r.state) === 'active')
    .map((r) => ({ title: str(r.name), accessUrl: str(r.url), downloadUrl: str(r.download_url), format: str(r.format), mediaType: str(r.mimetype), byteSize: str(r.size) }))
  return record
}
