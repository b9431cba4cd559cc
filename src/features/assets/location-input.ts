import type { FieldErrors } from '../../platform/errors.js'
import { fromBng, fromWgs84, inBng, inUkWgs84, type Location } from './coordinates.js'
import { parseDecimal, textOf } from './parse-values.js'
import type { AssetInput } from './validation.js'
import { COORDINATE_SYSTEMS, findTerm } from './vocabularies.js'

/**
 * The location from whichever pair was given. When both are (a form shows both), `sourceCrs`
 * says which one to keep; the other is worked out from it.
 */
export function readLocation(input: AssetInput, errors: FieldErrors): Location | null {
  const number = (name: 'lat' | 'lon' | 'easting' | 'northing', label: string) => {
    const parsed = parseDecimal(input[name])
    if ('problem' in parsed) errors.add(name, `${label} must be a number`)
    return 'value' in parsed ? parsed.value : null
  }
  const [lat, lon] = [number('lat', 'Latitude'), number('lon', 'Longitude')]
  const [easting, northing] = [number('easting', 'Easting'), number('northing', 'Northing')]
  const saidText = textOf(input.sourceCrs)
  const said = saidText ? findTerm(COORDINATE_SYSTEMS, saidText)?.code : undefined
  if (saidText && !said) errors.add('sourceCrs', 'Coordinate system must be EPSG:4326 (WGS84) or EPSG:27700 (British National Grid)')
  const wgsGiven = lat !== null || lon !== null
  const bngGiven = easting !== null || northing !== null
  const useWgs = said ? said === 'EPSG:4326' : wgsGiven && !bngGiven
  const useBng = said ? said === 'EPSG:27700' : bngGiven && !wgsGiven
  if (!said && wgsGiven && bngGiven) {
    errors.add('sourceCrs', 'Say which coordinates to keep, latitude and longitude or easting and northing: the other pair is worked out from it')
    return null
  }
  if (useWgs && wgsGiven) {
    if (lat === null) errors.add('lat', 'Enter the latitude as well as the longitude')
    else if (lon === null) errors.add('lon', 'Enter the longitude as well as the latitude')
    else if (!inUkWgs84(lat, lon)) errors.add('lat', `Latitude ${lat}, longitude ${lon} is not in the UK: latitude is between 49 and 61, longitude between -9 and 2`)
    else return fromWgs84(lat, lon)
  }
  if (useBng && bngGiven) {
    if (easting === null) errors.add('easting', 'Enter the easting as well as the northing')
    else if (northing === null) errors.add('northing', 'Enter the northing as well as the easting')
    else if (!inBng(easting, northing)) errors.add('easting', `Easting ${easting}, northing ${northing} is not on the British National Grid: easting is 0 to 700,000 metres, northing 0 to 1,300,000`)
    else return fromBng(easting, northing)
  }
  return null
}
