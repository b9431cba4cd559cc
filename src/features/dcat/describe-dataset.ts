import type { CatalogueEntry } from '../datasets/catalogue.js'
import type { Dataset, Distribution, Release } from '../datasets/model.js'
import type { Organisation } from '../organisations/service.js'
import { ACCESS_LEVELS, ACCESS_RIGHT_URI, FREQUENCIES, FREQUENCY_URI, LICENCES, THEMES, THEME_URI } from '../datasets/vocabularies.js'
import { DATA_THEME_SCHEME, fileTypeIri, mediaTypeIri, publisherType, statisticalGeographyIri } from './code-lists.js'
import { DCAT, DCT, FOAF, RDFS, SKOS, VCARD, lgdsNamespace } from './namespaces.js'
import { a, english, iri, nested, plain, typed, type RdfDocument, type Statement } from './rdf-document.js'

/*
 * One inventory entry as a DCAT-AP 3.0.1 dcat:Dataset. Every IRI a property points at is typed
 * with the class DCAT-AP's range shapes expect (a theme is a skos:Concept with a label, a
 * licence a dct:LicenseDocument…), so a document validates without the EU vocabularies loaded.
 * A dataset that is not open is described all the same, with its access rights and no
 * distributions: the inventory lists what is held, not only what is published.
 */

/** The page that presents a dataset to people. */
export function landingPageOf(datasetId: string, baseUrl: string): string {
  return `${baseUrl}/datasets/${datasetId}`
}

/** The dataset's IRI is its identifier; one that is not an IRI (a harvested code) falls back to its page. */
export function datasetIri(dataset: Dataset, baseUrl: string): string {
  return /^(https?:\/\/|urn:)\S+$/i.test(dataset.identifier) ? dataset.identifier : landingPageOf(dataset.id, baseUrl)
}

export function publisherIri(publisher: Organisation, baseUrl: string): string {
  return `${baseUrl}/organisations/${publisher.slug}`
}

/** Adds the dataset and everything it points at to the document; returns the dataset's IRI. */
export function describeDataset(doc: RdfDocument, entry: CatalogueEntry, baseUrl: string): string {
  const { dataset, publisher, distributions, nextRelease } = entry
  const subject = datasetIri(dataset, baseUrl)
  const landingPage = landingPageOf(dataset.id, baseUrl)
  // Added first so that the dataset is written before the shared resources it points at.
  doc.add(subject, a(`${DCAT}Dataset`))
  const statements: Statement[] = [
    [`${DCT}identifier`, plain(dataset.identifier)],
    [`${DCT}title`, english(dataset.title)],
    [`${DCT}description`, english(dataset.description)],
  ]
  for (const keyword of dataset.keywords) statements.push([`${DCAT}keyword`, english(keyword)])
  for (const code of dataset.themes) {
    const theme = THEMES.find((t) => t.code === code)
    if (!theme) continue
    const themeIri = `${THEME_URI}${code}`
    statements.push([`${DCAT}theme`, iri(themeIri)])
    doc.describeOnce(themeIri, () => [a(`${SKOS}Concept`), [`${SKOS}prefLabel`, english(theme.label)], [`${SKOS}inScheme`, iri(DATA_THEME_SCHEME)]])
  }

  const access = ACCESS_LEVELS.find((l) => l.code === dataset.accessLevel)
  if (access) statements.push([`${DCT}accessRights`, iri(describeOnceTyped(doc, `${ACCESS_RIGHT_URI}${access.euCode}`, `${DCT}RightsStatement`))])
  const frequency = FREQUENCIES.find((f) => f.code === dataset.frequency)
  if (frequency) statements.push([`${DCT}accrualPeriodicity`, iri(describeOnceTyped(doc, `${FREQUENCY_URI}${frequency.euCode}`, `${DCT}Frequency`))])

  statements.push([`${DCT}publisher`, iri(describePublisher(doc, publisher, baseUrl))])
  const contact = contactPoint(dataset, publisher)
  if (contact) statements.push([`${DCAT}contactPoint`, contact])
  if (dataset.spatial) statements.push([`${DCT}spatial`, iri(describeOnceTyped(doc, statisticalGeographyIri(dataset.spatial), `${DCT}Location`))])
  if (dataset.temporalStart || dataset.temporalEnd) {
    const period: Statement[] = [a(`${DCT}PeriodOfTime`)]
    if (dataset.temporalStart) period.push([`${DCAT}startDate`, typed(dataset.temporalStart, 'date')])
    if (dataset.temporalEnd) period.push([`${DCAT}endDate`, typed(dataset.temporalEnd, 'date')])
    statements.push([`${DCT}temporal`, nested(...period)])
  }
  if (dataset.publishedAt) statements.push([`${DCT}issued`, typed(dataset.publishedAt, 'dateTime')])
  statements.push([`${DCT}modified`, typed(dataset.updatedAt, 'dateTime')])
  statements.push([`${DCAT}landingPage`, iri(landingPage)])
  if (dataset.accessLevel === 'open') {
    for (const distribution of distributions) statements.push([`${DCAT}distribution`, iri(describeDistribution(doc, dataset, distribution, baseUrl))])
  }
  if (nextRelease) statements.push([`${lgdsNamespace(baseUrl)}plannedRelease`, plannedRelease(nextRelease, baseUrl)])

  doc.add(subject, ...statements)
  // With the default identifier the dataset's IRI *is* its page, so the type is added, not set once.
  doc.add(landingPage, a(`${FOAF}Document`))
  return subject
}

function describeOnceTyped(doc: RdfDocument, subject: string, classIri: string): string {
  doc.describeOnce(subject, () => [a(classIri)])
  return subject
}

function describePublisher(doc: RdfDocument, publisher: Organisation, baseUrl: string): string {
  const subject = publisherIri(publisher, baseUrl)
  doc.describeOnce(subject, () => [
    a(`${FOAF}Agent`),
    [`${FOAF}name`, english(publisher.name)],
    // The body's own identifier (a GSS code for a council); its page here when it has none.
    [`${DCT}identifier`, plain(publisher.identifier ?? subject)],
    [`${DCT}type`, iri(describeConcept(doc, publisherType(publisher.type)))],
  ])
  return subject
}

/** A concept from a scheme the document does not carry, labelled so it validates on its own. */
export function describeConcept(doc: RdfDocument, concept: { iri: string; label: string }): string {
  doc.describeOnce(concept.iri, () => [a(`${SKOS}Concept`), [`${SKOS}prefLabel`, english(concept.label)]])
  return concept.iri
}

function contactPoint(dataset: Dataset, publisher: Organisation) {
  if (!dataset.contactEmail && !dataset.contactName) return null
  const card: Statement[] = [a(`${VCARD}Kind`), [`${VCARD}fn`, plain(dataset.contactName ?? publisher.name)]]
  if (dataset.contactEmail) card.push([`${VCARD}hasEmail`, iri(`mailto:${dataset.contactEmail}`)])
  return nested(...card)
}

function describeDistribution(doc: RdfDocument, dataset: Dataset, distribution: Distribution, baseUrl: string): string {
  const subject = `${landingPageOf(dataset.id, baseUrl)}#distribution-${distribution.id}`
  // DCAT-AP requires an access URL: a direct download is one; failing both, the dataset's page.
  const accessUrl = distribution.accessUrl ?? distribution.downloadUrl ?? landingPageOf(dataset.id, baseUrl)
  const statements: Statement[] = [a(`${DCAT}Distribution`), [`${DCT}title`, english(distribution.title)], [`${DCAT}accessURL`, iri(accessUrl)]]
  if (distribution.downloadUrl) statements.push([`${DCAT}downloadURL`, iri(distribution.downloadUrl)])
  if (distribution.format) {
    const fileType = fileTypeIri(distribution.format)
    statements.push([
      `${DCT}format`,
      fileType ? iri(describeOnceTyped(doc, fileType, `${DCT}MediaTypeOrExtent`)) : nested(a(`${DCT}MediaTypeOrExtent`), [`${RDFS}label`, plain(distribution.format)]),
    ])
  }
  const mediaType = distribution.mediaType ? mediaTypeIri(distribution.mediaType) : null
  if (mediaType) statements.push([`${DCAT}mediaType`, iri(describeOnceTyped(doc, mediaType, `${DCT}MediaType`))])
  if (distribution.byteSize !== null) statements.push([`${DCAT}byteSize`, typed(String(distribution.byteSize), 'nonNegativeInteger')])
  const licence = LICENCES.find((l) => l.code === dataset.licence)
  if (licence) {
    doc.describeOnce(licence.url, () => [a(`${DCT}LicenseDocument`), [`${DCT}title`, english(licence.label)]])
    statements.push([`${DCT}license`, iri(licence.url)])
  }
  doc.add(subject, ...statements)
  return subject
}

/** The extension property documented at /ns: no DCAT term says when a dataset is due. */
function plannedRelease(release: Release, baseUrl: string) {
  const lgds = lgdsNamespace(baseUrl)
  return nested(
    a(`${lgds}PlannedRelease`),
    [`${lgds}plannedDate`, typed(release.plannedDate, 'date')],
    [`${lgds}datePrecision`, plain(release.precision)],
    [`${lgds}releaseState`, plain(release.state)],
    [`${RDFS}label`, english(release.label)],
  )
}
