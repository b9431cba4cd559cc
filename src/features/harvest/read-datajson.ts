import { SourceError } from './fetch-source.js'
import { emptyRecord, type FieldNames, type SourceDistribution, type SourceRecord } from './record.js'
import { isObject, objects, str, strings, type JsonObject } from './read-json.js'

/*
 * Project Open Data (data.json, DCAT-US) v1.1 catalogues, and the 1.0 files still about: a
 * bare array of datasets, keywords as one string, the contact as a name with `mbox`, media
 * types in `format`, and access addresses on the dataset rather than in distributions.
 */

export const DATAJSON_FIELDS: FieldNames = {
  key: 'identifier',
  title: 'title',
  description: 'description',
  keywords: 'keyword',
  themes: 'theme',
  accessLevel: 'accessLevel',
  rights: 'rights',
  licence: 'license',
  frequency: 'accrualPeriodicity',
  temporal: 'temporal',
  spatial: 'spatial',
  contact: 'contactPoint',
  distributions: 'distribution',
}

/** The records of a data.json document. */
export function readDataJson(document: unknown): SourceRecord[] {
  const datasets = Array.isArray(document) ? document : isObject(document) && Array.isArray(document.dataset) ? document.dataset : undefined
  if (!datasets) throw new SourceError('This is not a data.json catalogue: it has no “dataset” list')
  return datasets.map((item, index) => {
    const record = emptyRecord(index + 1)
    if (!isObject(item)) {
      record.problems.push({ field: '', reason: 'The record is not a JSON object' })
      return record
    }
    return datasetRecord(item, record)
  })
}

function datasetRecord(d: JsonObject, record: SourceRecord): SourceRecord {
  record.key = str(d.identifier) ?? null
  record.title = str(d.title)
  record.description = str(d.description)
  record.keywords = strings(d.keyword)
  record.themes = strings(d.theme)
  record.accessLevel = str(d.accessLevel)
  record.rights = str(d.rights)
  record.licence = str(d.license)
  record.frequency = str(d.accrualPeriodicity)
  record.temporal = str(d.temporal)
  record.spatial = strings(d.spatial)
  const contact = d.contactPoint
  if (isObject(contact)) {
    record.contactName = str(contact.fn)
    record.contactEmail = str(contact.hasEmail)
  } else {
    record.contactName = str(contact)
    record.contactEmail = str(d.mbox)
  }
  record.distributions = objects(d.distribution).map(
    (x): SourceDistribution => ({
      title: str(x.title),
      accessUrl: str(x.accessURL),
      downloadUrl: str(x.downloadURL),
      format: str(x.format),
      mediaType: str(x.mediaType),
      byteSize: str(x.byteSize),
    }),
  )
  if (d.distribution !== undefined && !Array.isArray(d.distribution)) record.warnings.push({ field: 'distribution', reason: 'The distributions are not a list: read as one' })
  // 1.0 put the addresses on the dataset itself.
  if (record.distributions.length === 0) {
    const download = str(d.downloadURL)
    const access = str(d.accessURL) ?? str(d.webService)
    if (download || access) record.distributions.push({ downloadUrl: download, accessUrl: access, format: str(d.format) })
  }
  return record
}
