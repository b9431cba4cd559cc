import proj4 from 'proj4'

/*
 * Where an asset is, kept both ways: WGS84 latitude and longitude (web maps, GeoJSON) and
 * British National Grid easting and northing (what councils' GIS and registers use). The pair
 * given is kept as given; the other is worked out from it.
 */

export type Crs = 'EPSG:4326' | 'EPSG:27700'

/**
 * EPSG:27700 with the 7-parameter Helmert transformation to WGS84: good to 2–3 metres, which is
 * finer than an asset register's points (OSTN15 would be sub-centimetre but needs its grid file).
 */
export const BNG_DEFINITION =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs'

const toBng = proj4('EPSG:4326', BNG_DEFINITION)

export interface Location {
  lat: number
  lon: number
  easting: number
  northing: number
  sourceCrs: Crs
}

/** The UK and its waters, generously: Scilly to Shetland, Lough Erne to Lowestoft. */
export function inUkWgs84(lat: number, lon: number): boolean {
  return lat >= 49 && lat <= 61.5 && lon >= -9 && lon <= 2.5
}

/** The British National Grid's extent, in metres. */
export function inBng(easting: number, northing: number): boolean {
  return easting >= 0 && easting <= 700_000 && northing >= 0 && northing <= 1_300_000
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places

export function fromWgs84(lat: number, lon: number): Location {
  const [easting, northing] = toBng.forward([lon, lat]) as [number, number]
  // Centimetres and seven decimal places (about a centimetre) say more than the transformation knows.
  return { lat, lon, easting: round(easting, 2), northing: round(northing, 2), sourceCrs: 'EPSG:4326' }
}

export function fromBng(easting: number, northing: number): Location {
  const [lon, lat] = toBng.inverse([easting, northing]) as [number, number]
  return { lat: round(lat, 7), lon: round(lon, 7), easting, northing, sourceCrs: 'EPSG:27700' }
}

/** Looks like degrees rather than metres. */
function degrees(x: number, y: number): boolean {
  return Math.abs(x) <= 180 && Math.abs(y) <= 90
}

/**
 * A register's X and Y (GeoX/GeoY, easting/northing or longitude/latitude) as a location. The
 * coordinate system is told by the numbers' range, which registers get right more often than
 * their CRS column: a disagreement, or a latitude and longitude given the wrong way round, is
 * read the way the numbers make sense and explained in `note`.
 */
export function readCoordinates(x: number, y: number, said: Crs | undefined): { location: Location | null; note?: string } | { problem: string } {
  if (x === 0 && y === 0) return { location: null, note: 'Both coordinates are 0, which registers use for “not known”: the asset was imported without a location' }
  const looksWgs84 = degrees(x, y) && inUkWgs84(y, x)
  const looksSwapped = degrees(y, x) && inUkWgs84(x, y)
  const looksBng = !degrees(x, y) && inBng(x, y)
  const saidName = said === 'EPSG:27700' ? 'British National Grid' : 'WGS84'
  const against = ` although the coordinate system column says ${saidName}`
  if (looksWgs84) {
    return { location: fromWgs84(y, x), ...(said === 'EPSG:27700' ? { note: `These are WGS84 longitude and latitude${against}, so they were read as that` } : {}) }
  }
  if (looksBng) {
    return { location: fromBng(x, y), ...(said === 'EPSG:4326' ? { note: `These are British National Grid metres${against}, so they were read as that` } : {}) }
  }
  if (looksSwapped) {
    return { location: fromWgs84(x, y), note: `Latitude and longitude are the wrong way round (${x}, ${y}): they were read as latitude ${x}, longitude ${y}` }
  }
  return { problem: `(${x}, ${y}) is neither a WGS84 longitude and latitude in the UK nor a British National Grid easting and northing` }
}
