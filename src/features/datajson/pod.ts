import type { CatalogueEntry } from '../datasets/catalogue.js'
import type { Distribution } from '../datasets/model.js'
import { ACCESS_LEVELS, ACCESS_REASONS, FREQUENCIES, LICENCES, THEMES, labelOf } from '../datasets/vocabularies.js'
import { mediaTypeFor } from './media-types.js'

/*
 * Project Open Data v1.1 (DCAT-US) for the inventory: every declaration, open or not, as the
 * enterprise data inventory the standard describes. Only what the schema accepts is written, so
 * harvesters never see an entry they reject.
 */

export const POD_SCHEMA = 'https://project-open-data.cio.gov/v1.1/schema'
const POD_CONTEXT = 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld'
const POD_CATALOG_SCHEMA = 'https://project-open-data.cio.gov/v1.1/schema/catalog.json'
const GSS_URI = 'http://statistics.data.gov.uk/id/statistical-geography/'
/** `rights` is "Text, 255 characters" in the schema. */
const RIGHTS_LENGTH = 255
/** The schema's own e-mail pattern for `hasEmail` (after `mailto:`). */
const POD_EMAIL = /^[\w_~!$&'()*+,;=:.-]+@[\w.-]+\.[\w.-]+?$/

export interface PodDistribution {
  '@type': 'dcat:Distribution'
  title: string
  downloadURL?: string
  accessURL?: string
  mediaType?: string
  format?: string
}

export interface PodDataset {
  '@type': 'dcat:Dataset'
  title: string
  description: string
  keyword: string[]
  modified: string
  issued?: string
  publisher: { '@type': 'org:Organization'; name: string }
  contactPoint: { '@type': 'vcard:Contact'; fn: string; hasEmail?: string }
  identifier: string
  accessLevel: string
  rights?: string
  license?: string
  spatial?: string
  temporal?: string
  accrualPeriodicity?: string
  theme?: string[]
  landingPage: string
  distribution?: PodDistribution[]
}

/** The data.json entry of one dataset. */
export function podDataset({ dataset, publisher, distributions }: CatalogueEntry, baseUrl: string): PodDataset {
  const themeLabels = dataset.themes.map((code) => labelOf(THEMES, code)).filter(Boolean)
  const periodicity = FREQUENCIES.find((f) => f.code === dataset.frequency)?.iso
  const licence = LICENCES.find((l) => l.code === dataset.licence)
  const email = dataset.contactEmail && POD_EMAIL.test(dataset.contactEmail) ? `mailto:${dataset.contactEmail}` : undefined
  // A withdrawn dataset's files are no longer maintained, so they are not offered.
  const published = dataset.status === 'published' ? distributions.map(podDistribution) : []
  return {
    '@type': 'dcat:Dataset',
    title: dataset.title,
    description: dataset.description,
    // The schema wants at least one keyword; themes describe the data when none was given.
    keyword: dataset.keywords.length > 0 ? dataset.keywords : themeLabels.length > 0 ? themeLabels : [publisher.name],
    modified: dataset.updatedAt,
    ...(dataset.publishedAt ? { issued: dataset.publishedAt } : {}),
    publisher: { '@type': 'org:Organization', name: publisher.name },
    // The schema requires a contact: whoever the body named, else the body itself.
    contactPoint: { '@type': 'vcard:Contact', fn: dataset.contactName ?? dataset.contactEmail ?? publisher.name, ...(email ? { hasEmail: email } : {}) },
    identifier: dataset.identifier,
    accessLevel: ACCESS_LEVELS.find((a) => a.code === dataset.accessLevel)?.pod ?? 'non-public',
    ...(dataset.accessLevel !== 'open' ? { rights: rightsOf(dataset.accessReason, dataset.accessExplanation) } : {}),
    ...(licence ? { license: licence.url } : {}),
    ...(dataset.spatial ? { spatial: `${GSS_URI}${dataset.spatial}` } : {}),
    // POD has no open-ended period: a start or an end alone cannot be written.
    ...(dataset.temporalStart && dataset.temporalEnd ? { temporal: `${dataset.temporalStart}/${dataset.temporalEnd}` } : {}),
    ...(periodicity ? { accrualPeriodicity: periodicity } : {}),
    ...(themeLabels.length > 0 ? { theme: themeLabels } : {}),
    landingPage: `${baseUrl}/datasets/${dataset.id}`,
    ...(published.length > 0 ? { distribution: published } : {}),
  }
}

/** Why the data is not public: "Personal data: names of people who…", within 255 characters. */
function rightsOf(reason: string | null, explanation: string | null): string {
  const label = reason ? labelOf(ACCESS_REASONS, reason) : ''
  const text = [label, explanation?.trim()].filter(Boolean).join(': ') || 'Not available to the public'
  const chars = [...text]
  return chars.length <= RIGHTS_LENGTH ? text : `${chars.slice(0, RIGHTS_LENGTH - 1).join('').trimEnd()}…`
}

/**
 * A download needs its media type in POD; without one known, the file's address is given as
 * where to get the data (`accessURL`) rather than leave the distribution out.
 */
function podDistribution(d: Distribution): PodDistribution {
  const mediaType = d.downloadUrl ? mediaTypeFor(d) : undefined
  const accessUrl = d.accessUrl ?? (mediaType ? undefined : d.downloadUrl)
  return {
    '@type': 'dcat:Distribution',
    title: d.title,
    ...(d.downloadUrl && mediaType ? { downloadURL: d.downloadUrl, mediaType } : {}),
    ...(accessUrl ? { accessURL: accessUrl } : {}),
    ...(d.format ? { format: d.format } : {}),
  }
}

/**
 * The catalogue written a piece at a time: the opening, each dataset as it is read, the close.
 * Pieces are gathered to about `chunkSize` characters so the socket is not written a line at a
 * time, and nothing larger than one chunk is ever held.
 */
export async function* dataJsonChunks(entries: AsyncIterable<CatalogueEntry>, baseUrl: string, selfUrl: string, chunkSize = 64 * 1024): AsyncGenerator<string> {
  let chunk = `{"@context":${JSON.stringify(POD_CONTEXT)},"@id":${JSON.stringify(selfUrl)},"@type":"dcat:Catalog","conformsTo":${JSON.stringify(POD_SCHEMA)},"describedBy":${JSON.stringify(POD_CATALOG_SCHEMA)},"dataset":[`
  let first = true
  for await (const entry of entries) {
    chunk += (first ? '\n' : ',\n') + JSON.stringify(podDataset(entry, baseUrl))
    first = false
    if (chunk.length >= chunkSize) {
      yield chunk
      chunk = ''
    }
  }
  yield `${chunk}\n]}\n`
}
