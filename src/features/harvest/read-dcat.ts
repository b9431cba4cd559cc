import type jsonld from 'jsonld'
import { DataFactory, Parser, Store, type Quad_Object, type Quad_Subject, type Term } from 'n3'
import { SourceError } from './fetch-source.js'
import { emptyRecord, type FieldNames, type SourceDistribution, type SourceRecord } from './record.js'

/*
 * DCAT (DCAT-AP 2 and 3) catalogues in Turtle or JSON-LD, read into RDF with n3 and jsonld's
 * toRDF, so both serialisations are read by the same code. A dataset is keyed by its IRI (a
 * blank-node dataset by its dct:identifier). Paged catalogues link their next page with
 * hydra:next.
 */

export const DCAT_FIELDS: FieldNames = {
  key: '@id',
  title: 'dct:title',
  description: 'dct:description',
  keywords: 'dcat:keyword',
  themes: 'dcat:theme',
  accessLevel: 'dct:accessRights',
  rights: 'dct:rights',
  licence: 'dct:license',
  frequency: 'dct:accrualPeriodicity',
  temporal: 'dct:temporal',
  spatial: 'dct:spatial',
  contact: 'dcat:contactPoint',
  distributions: 'dcat:distribution',
}

const { namedNode } = DataFactory
const DCAT = 'http://www.w3.org/ns/dcat#'
const DCT = 'http://purl.org/dc/terms/'
const VCARD = 'http://www.w3.org/2006/vcard/ns#'
const HYDRA = 'http://www.w3.org/ns/hydra/core#'
const SCHEMA = ['http://schema.org/', 'https://schema.org/']
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const LABELS = ['http://www.w3.org/2000/01/rdf-schema#label', 'http://www.w3.org/2004/02/skos/core#prefLabel', `${DCT}title`, `${DCT}description`]
const MEDIA_TYPES = /^https?:\/\/www\.iana\.org\/assignments\/media-types\//

/** Gets a JSON-LD context named by address (never from the catalogue's own server unchecked). */
export type ContextLoader = (url: string) => Promise<unknown>

/** Whether a document is JSON-LD rather than Turtle: by its media type, its name, or its first character. */
export function isJsonLd(text: string, contentType = '', name = ''): boolean {
  if (/json/.test(contentType)) return true
  if (/turtle|n3|n-triples/.test(contentType)) return false
  if (/\.(jsonld|json)$/i.test(name)) return true
  if (/\.(ttl|n3|nt)$/i.test(name)) return false
  return /^\s*[[{]/.test(text)
}

/** The quads of a Turtle or JSON-LD document; `base` resolves relative IRIs. */
export async function parseRdf(text: string, base: string | undefined, jsonLd: boolean, where: string, loadContext: ContextLoader): Promise<Store> {
  const store = new Store()
  if (!jsonLd) {
    try {
      store.addQuads(new Parser(base ? { baseIRI: base } : {}).parse(text))
    } catch (error) {
      throw new SourceError(`${where} is not valid Turtle: ${(error as Error).message}`)
    }
    return store
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new SourceError(`${where} is not JSON-LD: ${(error as Error).message}`)
  }
  const documentLoader = async (url: string) => ({ contextUrl: undefined, documentUrl: url, document: await loadContext(url) })
  try {
    // jsonld (and the HTTP client it brings) is loaded only when a JSON-LD catalogue is read.
    const { default: toRdf } = await import('jsonld')
    const nquads = (await toRdf.toRDF(document as jsonld.JsonLdDocument, { format: 'application/n-quads', ...(base ? { base } : {}), documentLoader } as jsonld.Options.ToRdf)) as unknown as string
    store.addQuads(new Parser({ format: 'N-Quads' }).parse(nquads))
  } catch (error) {
    if (error instanceof SourceError) throw error
    const e = error as { message?: string; details?: { cause?: { message?: string } } }
    throw new SourceError(`${where} is not valid JSON-LD: ${e.details?.cause?.message ?? e.message ?? 'unreadable'}`)
  }
  return store
}

/** The next page's address, from hydra:next (or the older hydra:nextPage). */
export function nextPageOf(store: Store): string | undefined {
  for (const predicate of [`${HYDRA}next`, `${HYDRA}nextPage`]) {
    const next = store.getObjects(null, namedNode(predicate), null).find((o) => o.termType === 'NamedNode')
    if (next) return next.value
  }
  return undefined
}

/** The datasets of one page as records, numbered from `first`. */
export function readDcat(store: Store, first: number): SourceRecord[] {
  const graph = new Graph(store)
  // A catalogue may list a dataset described on another page: only those described here are read here.
  const subjects = [...graph.subjectsOfType(`${DCAT}Dataset`), ...graph.all(null, `${DCAT}dataset`).filter((o) => graph.describes(o))]
  const seen = new Set<string>()
  const datasets = subjects.filter((s) => (s.termType === 'NamedNode' || s.termType === 'BlankNode') && !seen.has(s.id) && seen.add(s.id))
  return datasets.map((subject, i) => graph.record(subject as Quad_Subject, first + i))
}

/** Reading values of a store the way DCAT uses them. */
class Graph {
  constructor(private readonly store: Store) {}

  subjectsOfType(type: string): Term[] {
    return this.store.getSubjects(namedNode(RDF_TYPE), namedNode(type), null)
  }

  describes(term: Term): boolean {
    return this.store.countQuads(term as Quad_Subject, null, null, null) > 0
  }

  all(subject: Term | null, predicate: string): Quad_Object[] {
    return this.store.getObjects(subject as Quad_Subject | null, namedNode(predicate), null)
  }

  one(subject: Term, predicate: string): Quad_Object | undefined {
    return this.all(subject, predicate)[0]
  }

  /** The literal to show: English or untagged first. */
  text(subject: Term, predicates: string | string[]): string | undefined {
    for (const predicate of Array.isArray(predicates) ? predicates : [predicates]) {
      const literals = this.all(subject, predicate).filter((o) => o.termType === 'Literal')
      const best = literals.find((l) => !l.language || l.language.startsWith('en')) ?? literals[0]
      if (best) return best.value.trim()
    }
    return undefined
  }

  /** An IRI as itself, a literal as its text, a node by its label. */
  value(term: Term | undefined): string | undefined {
    if (!term) return undefined
    if (term.termType === 'Literal') return term.value.trim()
    if (term.termType === 'NamedNode') return term.value
    return this.text(term, LABELS)
  }

  label(term: Term | undefined): string | undefined {
    if (!term) return undefined
    return term.termType === 'Literal' ? term.value.trim() : this.text(term, LABELS)
  }

  record(subject: Quad_Subject, number: number): SourceRecord {
    const record = emptyRecord(number)
    record.key = subject.termType === 'NamedNode' ? subject.value : (this.text(subject, `${DCT}identifier`) ?? null)
    record.title = this.text(subject, `${DCT}title`)
    record.description = this.text(subject, `${DCT}description`)
    // RDF has no order: sorted, so the same catalogue always gives the same declaration.
    record.keywords = this.all(subject, `${DCAT}keyword`).filter((o) => o.termType === 'Literal' && (!o.language || o.language.startsWith('en'))).map((o) => o.value).sort()
    record.themes = this.all(subject, `${DCAT}theme`).map((o) => o.value).sort()
    const access = this.one(subject, `${DCT}accessRights`)
    record.accessLevel = access?.termType === 'NamedNode' ? access.value : this.label(access)
    record.rights = this.label(this.one(subject, `${DCT}rights`)) ?? (access?.termType === 'BlankNode' ? this.text(access, [`${DCT}description`, 'http://www.w3.org/2000/01/rdf-schema#comment']) : undefined)
    const distributions = this.all(subject, `${DCAT}distribution`)
    record.licence = this.value(this.one(subject, `${DCT}license`)) ?? distributions.map((d) => this.value(this.one(d, `${DCT}license`))).find(Boolean)
    record.frequency = this.value(this.one(subject, `${DCT}accrualPeriodicity`))
    this.readTemporal(subject, record)
    record.spatial = this.all(subject, `${DCT}spatial`).map((o) => o.value)
    const contact = this.one(subject, `${DCAT}contactPoint`)
    if (contact) {
      record.contactName = this.text(contact, [`${VCARD}fn`, `${VCARD}organization-name`])
      record.contactEmail = this.one(contact, `${VCARD}hasEmail`)?.value
    }
    record.distributions = distributions.map((d) => this.distribution(d))
    return record
  }

  private readTemporal(subject: Term, record: SourceRecord): void {
    const temporal = this.one(subject, `${DCT}temporal`)
    if (!temporal) return
    if (temporal.termType === 'Literal') {
      record.temporal = temporal.value
      return
    }
    record.temporalStart = this.text(temporal, [`${DCAT}startDate`, ...SCHEMA.map((s) => `${s}startDate`)])
    record.temporalEnd = this.text(temporal, [`${DCAT}endDate`, ...SCHEMA.map((s) => `${s}endDate`)])
  }

  private distribution(d: Term): SourceDistribution {
    const format = this.one(d, `${DCT}format`)
    const mediaType = this.one(d, `${DCAT}mediaType`)
    return {
      title: this.text(d, `${DCT}title`),
      accessUrl: this.one(d, `${DCAT}accessURL`)?.value,
      downloadUrl: this.one(d, `${DCAT}downloadURL`)?.value,
      // EU file types and IANA media types are IRIs whose last part is the name.
      format: format?.termType === 'NamedNode' ? format.value.replace(/\/+$/, '').split(/[/#]/).pop() : this.label(format),
      mediaType: mediaType?.termType === 'NamedNode' ? mediaType.value.replace(MEDIA_TYPES, '') : this.label(mediaType),
      byteSize: this.one(d, `${DCAT}byteSize`)?.value,
    }
  }
}
