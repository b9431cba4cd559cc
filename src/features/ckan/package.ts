import type { CatalogueEntry } from '../datasets/catalogue.js'
import type { Distribution } from '../datasets/model.js'
import { ACCESS_LEVELS, ACCESS_RIGHT_URI, FREQUENCIES, FREQUENCY_URI, LICENCES, THEME_URI, THEMES } from '../datasets/vocabularies.js'
import type { Organisation } from '../organisations/service.js'
import { datasetName } from './names.js'
import { ckanDate } from './solr-dates.js'

/*
 * The dictionaries CKAN 2.10 answers with (ckan/lib/dictization/model_dictize.py), built from
 * the inventory. Themes are CKAN groups; what CKAN has no field for goes in `extras`, under the
 * keys ckanext-dcat uses where it has one.
 */

/** Where ONS publishes a GSS code as linked data. */
const GSS_URI = 'http://statistics.data.gov.uk/id/statistical-geography/'
const LICENCE_BY_CODE = new Map(LICENCES.map((l) => [l.code, l]))
const FREQUENCY_BY_CODE = new Map(FREQUENCIES.map((f) => [f.code, f]))
const ACCESS_BY_CODE = new Map(ACCESS_LEVELS.map((a) => [a.code as string, a]))
const THEME_BY_CODE = new Map(THEMES.map((t) => [t.code, t]))

export function organizationDict(organisation: Organisation) {
  return {
    id: organisation.id,
    name: organisation.slug,
    title: organisation.name,
    type: 'organization',
    description: [organisation.typeLabel, organisation.region, organisation.nation].filter(Boolean).join(', '),
    image_url: '',
    created: ckanDate(organisation.createdAt),
    is_organization: true,
    approval_status: 'approved',
    state: 'active',
  }
}

/** The fuller form of organization_list (`all_fields`) and organization_show. */
export function organizationSummary(organisation: Organisation, packageCount: number) {
  return { ...organizationDict(organisation), display_name: organisation.name, image_display_url: '', package_count: packageCount }
}

export function organizationExtras(organisation: Organisation) {
  const extras = [
    { key: 'identifier', value: organisation.identifier },
    { key: 'organisation_type', value: organisation.typeLabel },
    { key: 'website', value: organisation.website },
  ]
  return extras.filter((e): e is { key: string; value: string } => Boolean(e.value))
}

export function groupDict(themeCode: string) {
  const theme = THEME_BY_CODE.get(themeCode)
  const name = themeCode.toLowerCase()
  return {
    id: name,
    name,
    title: theme?.label ?? themeCode,
    display_name: theme?.label ?? themeCode,
    description: '',
    image_display_url: '',
  }
}

export type PackageDict = ReturnType<typeof packageDict>

export function packageDict(entry: CatalogueEntry, baseUrl: string) {
  const { dataset, publisher, distributions } = entry
  const licence = LICENCE_BY_CODE.get(dataset.licence)
  const tags = [...dataset.keywords].sort().map((name) => ({ name, display_name: name, state: 'active', vocabulary_id: null }))
  return {
    id: dataset.id,
    name: datasetName(dataset.id, dataset.title),
    title: dataset.title,
    notes: dataset.description,
    url: `${baseUrl}/datasets/${dataset.id}`,
    state: dataset.status === 'withdrawn' ? 'deleted' : 'active',
    private: false,
    type: 'dataset',
    metadata_created: ckanDate(dataset.createdAt),
    metadata_modified: ckanDate(dataset.updatedAt),
    creator_user_id: null,
    license_id: dataset.licence,
    license_title: licence?.label ?? dataset.licence,
    license_url: licence?.url ?? null,
    // Every licence a dataset can carry is an open one.
    isopen: licence !== undefined,
    author: publisher.name,
    author_email: null,
    maintainer: dataset.contactName,
    maintainer_email: dataset.contactEmail,
    // The inventory's version counts edits for optimistic locking; it is not a release version.
    version: null,
    organization: organizationDict(publisher),
    owner_org: publisher.id,
    tags,
    num_tags: tags.length,
    groups: [...dataset.themes].sort().map(groupDict),
    resources: distributions.map((d, position) => resourceDict(d, position)),
    num_resources: distributions.length,
    extras: extrasOf(entry),
    relationships_as_subject: [],
    relationships_as_object: [],
  }
}

function resourceDict(distribution: Distribution, position: number) {
  return {
    id: distribution.id,
    package_id: distribution.datasetId,
    name: distribution.title,
    description: '',
    url: distribution.downloadUrl ?? distribution.accessUrl ?? '',
    format: distribution.format ?? '',
    mimetype: distribution.mediaType,
    mimetype_inner: null,
    size: distribution.byteSize,
    hash: '',
    created: ckanDate(distribution.createdAt),
    last_modified: null,
    metadata_modified: ckanDate(distribution.createdAt),
    position,
    state: 'active',
    url_type: null,
    resource_type: null,
    cache_url: null,
    cache_last_updated: null,
    // DCAT tells the page to reach the data from (access) and the file itself (download) apart.
    access_url: distribution.accessUrl,
    download_url: distribution.downloadUrl,
  }
}

function extrasOf({ dataset, nextRelease }: CatalogueEntry): { key: string; value: string }[] {
  const access = ACCESS_BY_CODE.get(dataset.accessLevel)
  const frequency = FREQUENCY_BY_CODE.get(dataset.frequency)
  const extras: Record<string, string | null | undefined> = {
    access_level: dataset.accessLevel,
    access_rights: access ? `${ACCESS_RIGHT_URI}${access.euCode}` : null,
    frequency: frequency ? `${FREQUENCY_URI}${frequency.euCode}` : dataset.frequency,
    identifier: dataset.identifier,
    issued: dataset.publishedAt,
    planned_release_date: nextRelease?.plannedDate,
    planned_release_precision: nextRelease?.precision,
    planned_release_state: nextRelease?.state,
    reference: dataset.reference,
    spatial_uri: dataset.spatial ? `${GSS_URI}${dataset.spatial}` : null,
    status: dataset.status,
    temporal_end: dataset.temporalEnd,
    temporal_start: dataset.temporalStart,
    theme: JSON.stringify(dataset.themes.map((code) => `${THEME_URI}${code}`)),
    withdrawn_reason: dataset.withdrawnReason,
  }
  return Object.entries(extras)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
    .map(([key, value]) => ({ key, value }))
}
