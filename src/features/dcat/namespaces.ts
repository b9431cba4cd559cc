/*
 * The vocabularies a DCAT-AP 3 document of the inventory is written in. The same prefixes name
 * the Turtle `@prefix`es and the JSON-LD `@context`, so both serialisations read alike.
 */

export const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
export const RDFS = 'http://www.w3.org/2000/01/rdf-schema#'
export const XSD = 'http://www.w3.org/2001/XMLSchema#'
export const DCAT = 'http://www.w3.org/ns/dcat#'
export const DCT = 'http://purl.org/dc/terms/'
export const FOAF = 'http://xmlns.com/foaf/0.1/'
export const VCARD = 'http://www.w3.org/2006/vcard/ns#'
export const SKOS = 'http://www.w3.org/2004/02/skos/core#'
export const HYDRA = 'http://www.w3.org/ns/hydra/core#'
export const OWL = 'http://www.w3.org/2002/07/owl#'

export const RDF_TYPE = `${RDF}type`

/** The platform's own terms, for what no standard property says (the planned release). */
export function lgdsNamespace(baseUrl: string): string {
  return `${baseUrl}/ns#`
}

/** Prefix → namespace, for the Turtle writer and the JSON-LD context alike. */
export function prefixesFor(baseUrl: string): Record<string, string> {
  return {
    dcat: DCAT,
    dct: DCT,
    foaf: FOAF,
    vcard: VCARD,
    skos: SKOS,
    xsd: XSD,
    rdfs: RDFS,
    hydra: HYDRA,
    lgds: lgdsNamespace(baseUrl),
  }
}
