import type { CatalogueEntry } from '../datasets/catalogue.js'
import { COUNTRY_UK, DATA_THEME_SCHEME, LANGUAGE_ENGLISH, publisherType } from './code-lists.js'
import { describeConcept, describeDataset } from './describe-dataset.js'
import { DCAT, DCT, FOAF, HYDRA, SKOS } from './namespaces.js'
import { a, english, iri, typed, RdfDocument, type Statement } from './rdf-document.js'

/*
 * One page of the inventory as a dcat:Catalog. The catalogue is the collection and each page a
 * hydra:PartialCollectionView of it; the view is also typed hydra:PagedCollection (the older
 * Hydra term), because that is what CKAN's DCAT harvester follows to find the next page.
 */

export const CATALOG_PAGE_SIZE = 100

export interface CatalogPage {
  /** 1-based. */
  number: number
  /** How many datasets match the filter in all (possibly a few seconds old). */
  totalItems: number
  /** Whether rows were read beyond this page: decides `hydra:next` whatever the count says. */
  hasMore: boolean
  /** The address of this page without `page`, e.g. `…/catalog.ttl?modified_since=…`. */
  pageUrl: (page: number) => string
}

export function catalogIri(baseUrl: string): string {
  return `${baseUrl}/catalog`
}

export function lastPageOf(totalItems: number): number {
  return Math.max(1, Math.ceil(totalItems / CATALOG_PAGE_SIZE))
}

export function describeCatalogPage(entries: CatalogueEntry[], page: CatalogPage, baseUrl: string): RdfDocument {
  const doc = new RdfDocument()
  const catalog = catalogIri(baseUrl)
  const platform = `${baseUrl}/#platform`
  const homepage = `${baseUrl}/datasets`
  const view = page.pageUrl(page.number)
  doc.add(
    catalog,
    a(`${DCAT}Catalog`),
    [`${DCT}title`, english('Local Government Digital Service: dataset inventory')],
    [
      `${DCT}description`,
      english(
        'Every dataset the public bodies on the platform have declared, published or not, with its access rights, ' +
          'how often it is updated and when its next release is planned.',
      ),
    ],
    [`${DCT}publisher`, iri(platform)],
    [`${FOAF}homepage`, iri(homepage)],
    [`${DCT}language`, iri(LANGUAGE_ENGLISH)],
    [`${DCT}spatial`, iri(COUNTRY_UK)],
    [`${DCAT}themeTaxonomy`, iri(DATA_THEME_SCHEME)],
    [`${HYDRA}view`, iri(view)],
  )
  doc.add(platform, a(`${FOAF}Agent`), [`${FOAF}name`, english('Local Government Digital Service')], [`${DCT}type`, iri(describeConcept(doc, publisherType('other')))])
  doc.add(homepage, a(`${FOAF}Document`))
  doc.add(LANGUAGE_ENGLISH, a(`${DCT}LinguisticSystem`))
  doc.add(COUNTRY_UK, a(`${DCT}Location`))
  doc.add(DATA_THEME_SCHEME, a(`${SKOS}ConceptScheme`), [`${DCT}title`, english('Data theme')])

  const last = Math.max(lastPageOf(page.totalItems), page.hasMore ? page.number + 1 : 1)
  const paging: Statement[] = [
    a(`${HYDRA}PartialCollectionView`),
    a(`${HYDRA}PagedCollection`),
    [`${HYDRA}totalItems`, typed(String(page.totalItems), 'integer')],
    [`${HYDRA}itemsPerPage`, typed(String(CATALOG_PAGE_SIZE), 'integer')],
    [`${HYDRA}first`, iri(page.pageUrl(1))],
  ]
  if (page.number > 1) paging.push([`${HYDRA}previous`, iri(page.pageUrl(Math.min(page.number - 1, last)))])
  if (page.hasMore) paging.push([`${HYDRA}next`, iri(page.pageUrl(page.number + 1))])
  paging.push([`${HYDRA}last`, iri(page.pageUrl(last))])
  doc.add(view, ...paging)

  for (const entry of entries) doc.add(catalog, [`${DCAT}dataset`, iri(describeDataset(doc, entry, baseUrl))])
  return doc
}

/** A single dataset's document: the dataset and what it points at, without the catalogue. */
export function describeSingleDataset(entry: CatalogueEntry, baseUrl: string): RdfDocument {
  const doc = new RdfDocument()
  describeDataset(doc, entry, baseUrl)
  return doc
}
