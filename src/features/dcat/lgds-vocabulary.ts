import { DCAT, OWL, RDF, RDFS, XSD, lgdsNamespace } from './namespaces.js'
import { a, english, iri, RdfDocument, type Statement } from './rdf-document.js'

/*
 * The platform's extension terms, served at GET /ns (the namespace `${baseUrl}/ns#`), so that
 * a harvester meeting `lgds:plannedRelease` can look up what it means. DCAT-AP has no property
 * for "when will this be published"; `dct:accrualPeriodicity` says only how often.
 *
 *   <dataset> lgds:plannedRelease [
 *       a lgds:PlannedRelease ;
 *       lgds:plannedDate "2027-06-01"^^xsd:date ;   # first day of the planned period
 *       lgds:datePrecision "month" ;                # day | month | quarter
 *       lgds:releaseState "confirmed" ;             # provisional | confirmed
 *       rdfs:label "June 2027"@en ] .
 */

export function lgdsVocabulary(baseUrl: string): RdfDocument {
  const ns = lgdsNamespace(baseUrl)
  const doc = new RdfDocument()
  const term = (name: string, type: string, label: string, comment: string, more: Statement[] = []) =>
    doc.add(`${ns}${name}`, a(type), [`${RDFS}label`, english(label)], [`${RDFS}comment`, english(comment)], [`${RDFS}isDefinedBy`, iri(`${baseUrl}/ns`)], ...more)

  doc.add(
    `${baseUrl}/ns`,
    a(`${OWL}Ontology`),
    [`${RDFS}label`, english('LGDS extension terms for DCAT-AP')],
    [`${RDFS}comment`, english('Terms the Local Government Digital Service adds to DCAT-AP 3 to publish the planned release of a declared dataset.')],
  )
  term('PlannedRelease', `${RDFS}Class`, 'Planned release', 'The next release of a dataset that its publisher has planned but not yet made.')
  term('plannedRelease', `${OWL}ObjectProperty`, 'planned release', 'The next provisional or confirmed release of the dataset. Absent when none is planned.', [
    [`${RDFS}domain`, iri(`${DCAT}Dataset`)],
    [`${RDFS}range`, iri(`${ns}PlannedRelease`)],
  ])
  term('plannedDate', `${OWL}DatatypeProperty`, 'planned date', 'The first day of the period the release is planned in; read it with lgds:datePrecision.', [
    [`${RDFS}domain`, iri(`${ns}PlannedRelease`)],
    [`${RDFS}range`, iri(`${XSD}date`)],
  ])
  term(
    'datePrecision',
    `${OWL}DatatypeProperty`,
    'date precision',
    'How exactly the date is known: "day" (on that day), "month" (some day in that month) or "quarter" (some day in the three months from that date).',
    [[`${RDFS}domain`, iri(`${ns}PlannedRelease`)], [`${RDFS}range`, iri(`${XSD}string`)]],
  )
  term('releaseState', `${OWL}DatatypeProperty`, 'release state', 'Whether the date is "provisional" (may move) or "confirmed" by the publisher.', [
    [`${RDFS}domain`, iri(`${ns}PlannedRelease`)],
    [`${RDFS}range`, iri(`${XSD}string`)],
  ])
  return doc
}

export function vocabularyPrefixes(baseUrl: string): Record<string, string> {
  return { lgds: lgdsNamespace(baseUrl), rdf: RDF, rdfs: RDFS, owl: OWL, xsd: XSD, dcat: DCAT }
}
