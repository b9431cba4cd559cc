/*
 * Project Open Data insists that a `downloadURL` comes with its `mediaType`, but publishers
 * often give only a format ("CSV") or nothing at all. These are the IANA types of the formats
 * councils publish in, so a download can still be offered as one.
 */

const BY_FORMAT: Record<string, string> = {
  CSV: 'text/csv',
  TSV: 'text/tab-separated-values',
  TXT: 'text/plain',
  HTML: 'text/html',
  JSON: 'application/json',
  GEOJSON: 'application/geo+json',
  JSONLD: 'application/ld+json',
  'JSON-LD': 'application/ld+json',
  XML: 'application/xml',
  RDF: 'application/rdf+xml',
  TTL: 'text/turtle',
  TURTLE: 'text/turtle',
  PDF: 'application/pdf',
  ZIP: 'application/zip',
  XLS: 'application/vnd.ms-excel',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ODS: 'application/vnd.oasis.opendocument.spreadsheet',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ODT: 'application/vnd.oasis.opendocument.text',
  KML: 'application/vnd.google-earth.kml+xml',
  KMZ: 'application/vnd.google-earth.kmz',
  GPKG: 'application/geopackage+sqlite3',
  GEOPACKAGE: 'application/geopackage+sqlite3',
  GML: 'application/gml+xml',
  PARQUET: 'application/vnd.apache.parquet',
}

/** The media-type pattern of the POD schema (`distribution.mediaType`). */
const POD_MEDIA_TYPE = /^[-\w]+\/[-\w]+(\.[-\w]+)*([+][-\w]+)?$/

/**
 * The media type to publish: the one the publisher gave when the schema accepts it, else the
 * type of the stated format, else of the file's extension; undefined when none is known.
 */
export function mediaTypeFor(distribution: { mediaType: string | null; format: string | null; downloadUrl: string | null }): string | undefined {
  if (distribution.mediaType && POD_MEDIA_TYPE.test(distribution.mediaType)) return distribution.mediaType
  const byFormat = distribution.format ? BY_FORMAT[distribution.format.toUpperCase()] : undefined
  if (byFormat) return byFormat
  return distribution.downloadUrl ? BY_FORMAT[extensionOf(distribution.downloadUrl)] : undefined
}

function extensionOf(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').pop() ?? ''
    const dot = last.lastIndexOf('.')
    return dot > 0 ? last.slice(dot + 1).toUpperCase() : ''
  } catch {
    return ''
  }
}
