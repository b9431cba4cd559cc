/*
 * The controlled vocabularies DCAT-AP expects values from, beyond the ones a declaration is
 * made from (those are in ../datasets/vocabularies.ts with their EU codes already).
 */

export const FILE_TYPE_URI = 'http://publications.europa.eu/resource/authority/file-type/'
export const DATA_THEME_SCHEME = 'http://publications.europa.eu/resource/authority/data-theme'
export const PUBLISHER_TYPE_URI = 'http://purl.org/adms/publishertype/'
export const IANA_MEDIA_TYPE_URI = 'https://www.iana.org/assignments/media-types/'
export const STATISTICAL_GEOGRAPHY_URI = 'http://statistics.data.gov.uk/id/statistical-geography/'
export const LANGUAGE_ENGLISH = 'http://publications.europa.eu/resource/authority/language/ENG'
export const COUNTRY_UK = 'http://publications.europa.eu/resource/authority/country/GBR'

/**
 * Formats as publishers write them (upper-cased on the way in) → EU file-type codes. A format
 * not listed is still published, as a described format without an IRI.
 */
const FILE_TYPES: Record<string, string> = {
  CSV: 'CSV',
  TSV: 'TSV',
  JSON: 'JSON',
  GEOJSON: 'GEOJSON',
  'JSON-LD': 'JSON_LD',
  JSONLD: 'JSON_LD',
  XML: 'XML',
  RDF: 'RDF',
  'RDF/XML': 'RDF_XML',
  TTL: 'RDF_TURTLE',
  TURTLE: 'RDF_TURTLE',
  NT: 'RDF_N_TRIPLES',
  XLS: 'XLS',
  XLSX: 'XLSX',
  XLSM: 'XLSM',
  ODS: 'ODS',
  PDF: 'PDF',
  DOC: 'DOC',
  DOCX: 'DOCX',
  ODT: 'ODT',
  RTF: 'RTF',
  HTML: 'HTML',
  TXT: 'TXT',
  ZIP: 'ZIP',
  GZIP: 'GZIP',
  KML: 'KML',
  KMZ: 'KMZ',
  SHP: 'SHP',
  SHAPEFILE: 'SHP',
  GML: 'GML',
  GPKG: 'GPKG',
  GEOPACKAGE: 'GPKG',
  GPX: 'GPX',
  WMS: 'WMS_SRVC',
  WFS: 'WFS_SRVC',
  WMTS: 'WMTS_SRVC',
  PARQUET: 'PARQUET',
  SQL: 'SQL',
  ATOM: 'ATOM',
  RSS: 'RSS',
  ICS: 'ICS',
  GTFS: 'GTFS',
  PNG: 'PNG',
  JPEG: 'JPEG',
  JPG: 'JPEG',
  SVG: 'SVG',
  TIFF: 'TIFF',
  GEOTIFF: 'GEOTIFF',
  YAML: 'YAML',
  MD: 'MARKDOWN',
  MARKDOWN: 'MARKDOWN',
}

/** The EU file-type IRI for a format, or null when the format has none. */
export function fileTypeIri(format: string): string | null {
  const code = FILE_TYPES[format.trim().toUpperCase()]
  return code ? `${FILE_TYPE_URI}${code}` : null
}

/** The IANA registry page of a media type (`text/csv`), without parameters; null if malformed. */
export function mediaTypeIri(mediaType: string): string | null {
  const bare = mediaType.split(';')[0]!.trim().toLowerCase()
  return /^[a-z]+\/[a-z0-9.+-]+$/.test(bare) ? `${IANA_MEDIA_TYPE_URI}${bare}` : null
}

export function statisticalGeographyIri(gssCode: string): string {
  return `${STATISTICAL_GEOGRAPHY_URI}${encodeURIComponent(gssCode.trim().toUpperCase())}`
}

/** ADMS publisher types, from the kinds of body in ../organisations/types.ts. */
const PUBLISHER_TYPES: Record<string, { code: string; label: string }> = {
  local: { code: 'LocalAuthority', label: 'Local Authority' },
  regional: { code: 'RegionalAuthority', label: 'Regional Authority' },
  national: { code: 'NationalAuthority', label: 'National authority' },
  public: { code: 'PublicBody', label: 'Public Body' },
}
const PUBLISHER_KIND: Record<string, keyof typeof PUBLISHER_TYPES> = {
  CTY: 'local', NMD: 'local', MD: 'local', LBO: 'local', UA: 'local', SCO: 'local', WPA: 'local', NID: 'local', CC: 'local', parish: 'local',
  COMB: 'regional', SRA: 'regional',
  'central-department': 'national',
}

export function publisherType(organisationType: string): { iri: string; label: string } {
  const type = PUBLISHER_TYPES[PUBLISHER_KIND[organisationType] ?? 'public']!
  return { iri: `${PUBLISHER_TYPE_URI}${type.code}`, label: type.label }
}
