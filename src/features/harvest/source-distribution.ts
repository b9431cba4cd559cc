import { isWebAddress, validateDistribution, type DistributionInput } from '../datasets/validation.js'
import type { FieldNames, FieldProblem, SourceDistribution } from './record.js'

/* A distribution as the platform can store it, from whatever the source says about it. */

const text = (value: string | undefined) => (value ?? '').trim()
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/

/** A distribution the platform can store, or undefined (with a warning) when it has no web address. */
export function distributionOf(d: SourceDistribution, index: number, names: FieldNames, warnings: FieldProblem[]): DistributionInput | undefined {
  const label = `Distribution ${index + 1}`
  const warn = (reason: string) => warnings.push({ field: names.distributions, reason: `${label}: ${reason}` })
  const address = (value: string | undefined) => {
    const url = text(value)
    if (url && !isWebAddress(url)) warn(`“${url}” is not a web address, so it was left out`)
    return url && isWebAddress(url) ? url : undefined
  }
  const accessUrl = address(d.accessUrl)
  const downloadUrl = address(d.downloadUrl)
  if (!accessUrl && !downloadUrl) {
    if (!text(d.accessUrl) && !text(d.downloadUrl)) warn('it has no web address, so it was left out')
    return undefined
  }
  let format = text(d.format)
  let mediaType = text(d.mediaType).toLowerCase().replace(/;.*$/, '').trim()
  // data.json 1.0 put the media type in `format`.
  if (format.includes('/') && !mediaType) [mediaType, format] = [format.toLowerCase(), '']
  if (format.length > 20) {
    warn(`the format “${format}” is longer than 20 characters, so it was left out`)
    format = ''
  }
  if (mediaType && !MEDIA_TYPE.test(mediaType)) {
    warn(`“${mediaType}” is not a media type, so it was left out`)
    mediaType = ''
  }
  let byteSize: number | undefined
  if (d.byteSize !== undefined && String(d.byteSize).trim() !== '') {
    const size = Number(String(d.byteSize).trim())
    if (Number.isInteger(size) && size >= 0) byteSize = size
    else warn(`the size “${d.byteSize}” is not a whole number of bytes, so it was left out`)
  }
  const distribution: DistributionInput = {
    ...(text(d.title) ? { title: text(d.title).slice(0, 300) } : {}),
    ...(accessUrl ? { accessUrl } : {}),
    ...(downloadUrl ? { downloadUrl } : {}),
    ...(format ? { format } : {}),
    ...(mediaType ? { mediaType } : {}),
    ...(byteSize !== undefined ? { byteSize } : {}),
  }
  const invalid = validateDistribution(distribution).errors.list[0]
  if (invalid) {
    warn(`${invalid.message}, so it was left out`)
    return undefined
  }
  return distribution
}
