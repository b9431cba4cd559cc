import { decodeText, fetchDocument, parseJson, SourceError, type FetchLimits } from './fetch-source.js'
import { CKAN_FIELDS, CKAN_PAGE_SIZE, packagePage, packageSearchUrl, readPackages } from './read-ckan.js'
import { DATAJSON_FIELDS, readDataJson } from './read-datajson.js'
import { DCAT_FIELDS, isJsonLd, nextPageOf, parseRdf, readDcat } from './read-dcat.js'
import type { FieldNames, SourceRecord } from './record.js'
import type { HarvestFormat, HarvestProblem } from './report.js'

/** Where a catalogue comes from: a web address, or a file already read. */
export type HarvestSource = { url: string } | { fileName: string; bytes: Buffer }

export interface SourceReading {
  records: SourceRecord[]
  /** Documents read. */
  pages: number
  /** About the source rather than a record (a package left out, a page not followed). */
  warnings: HarvestProblem[]
  names: FieldNames
}

export interface ReadOptions {
  limits: FetchLimits
  /** Packages asked for in each CKAN request. */
  ckanPageSize?: number
}

/** A paged catalogue that never ends is refused rather than read for ever. */
const MAX_PAGES = 1000

const FIELD_NAMES: Record<HarvestFormat, FieldNames> = { datajson: DATAJSON_FIELDS, ckan: CKAN_FIELDS, dcat: DCAT_FIELDS }

export function describeSource(source: HarvestSource): string {
  return 'url' in source ? source.url : source.fileName
}

/** Reads every record of the catalogue, following its pages. Throws `SourceError` when it cannot. */
export async function readSource(source: HarvestSource, format: HarvestFormat, options: ReadOptions): Promise<SourceReading> {
  const reading: SourceReading = { records: [], pages: 0, warnings: [], names: FIELD_NAMES[format] }
  if (format === 'datajson') await readDataJsonSource(source, options, reading)
  else if (format === 'ckan') await readCkanSource(source, options, reading)
  else await readDcatSource(source, options, reading)
  return reading
}

async function document(source: HarvestSource, accept: string, limits: FetchLimits): Promise<{ text: string; contentType: string; where: string }> {
  if ('url' in source) {
    const fetched = await fetchDocument(source.url, accept, limits)
    return { text: fetched.text, contentType: fetched.contentType, where: fetched.url }
  }
  return { text: decodeText(source.bytes), contentType: '', where: source.fileName }
}

async function readDataJsonSource(source: HarvestSource, options: ReadOptions, reading: SourceReading): Promise<void> {
  const { text, where } = await document(source, 'application/json', options.limits)
  reading.pages = 1
  reading.records = readDataJson(parseJson(text, where))
}

async function readCkanSource(source: HarvestSource, options: ReadOptions, reading: SourceReading): Promise<void> {
  const skipped = (warning: HarvestProblem) => reading.warnings.push(warning)
  if (!('url' in source)) {
    const text = decodeText(source.bytes)
    reading.pages = 1
    reading.records = readPackages(packagePage(parseJson(text, source.fileName), source.fileName).packages, 1, skipped)
    return
  }
  const rows = options.ckanPageSize ?? CKAN_PAGE_SIZE
  const ids = new Set<string>()
  let start = 0
  let number = 1
  for (;;) {
    if (reading.pages >= MAX_PAGES) throw new SourceError(`${source.url} has more than ${MAX_PAGES} pages of ${rows} datasets: harvest part of it (with fq=…) at a time`)
    let address: string
    try {
      address = packageSearchUrl(source.url, start, rows)
    } catch {
      throw new SourceError(`“${source.url}” is not a web address`)
    }
    const fetched = await fetchDocument(address, 'application/json', options.limits)
    reading.pages += 1
    const { packages, count } = packagePage(parseJson(fetched.text, fetched.url), fetched.url)
    // A dataset added while paging shifts the rest along: one seen on an earlier page is not read twice.
    const fresh = packages.filter((p) => {
      const id = typeof p === 'object' && p !== null ? (p as { id?: unknown }).id : undefined
      if (typeof id !== 'string') return true
      if (ids.has(id)) return false
      ids.add(id)
      return true
    })
    reading.records.push(...readPackages(fresh, number, skipped))
    number += fresh.length
    start += packages.length
    if (packages.length === 0 || count === undefined || start >= count) return
  }
}

async function readDcatSource(source: HarvestSource, options: ReadOptions, reading: SourceReading): Promise<void> {
  const accept = 'text/turtle, application/ld+json;q=0.9, application/json;q=0.5'
  const contexts = new Map<string, unknown>()
  // JSON-LD contexts named by address are fetched under the same limits as the catalogue.
  const loadContext = async (url: string) => {
    if (!contexts.has(url)) contexts.set(url, parseJson((await fetchDocument(url, 'application/ld+json, application/json', options.limits)).text, url))
    return contexts.get(url)
  }
  const visited = new Set<string>()
  let current: HarvestSource | undefined = source
  while (current) {
    if (reading.pages >= MAX_PAGES) throw new SourceError(`${describeSource(source)} has more than ${MAX_PAGES} pages`)
    const { text, contentType, where } = await document(current, accept, options.limits)
    visited.add(where)
    reading.pages += 1
    const name = 'fileName' in current ? current.fileName : ''
    const store = await parseRdf(text, 'url' in current ? where : undefined, isJsonLd(text, contentType, name), where, loadContext)
    reading.records.push(...readDcat(store, reading.records.length + 1))
    const next = nextPageOf(store)
    current = undefined
    if (!next) break
    if (!('url' in source)) {
      reading.warnings.push({ record: 0, identifier: null, title: null, field: 'hydra:next', reason: `The file links to a next page, ${next}: harvest from the catalogue’s address to read every page` })
    } else if (visited.has(next)) {
      reading.warnings.push({ record: 0, identifier: null, title: null, field: 'hydra:next', reason: `Page ${reading.pages} links back to ${next}, already read: paging stopped there` })
    } else {
      current = { url: next }
    }
  }
}
