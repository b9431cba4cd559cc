import { FieldErrors } from '../../platform/errors.js'
import { isRealDate } from './dates.js'
import { ACCESS_LEVELS, ACCESS_REASONS, DEFAULT_LICENCE, FREQUENCIES, LICENCES, THEMES, type AccessLevel } from './vocabularies.js'

/**
 * A declaration as it arrives from a form, a CSV row or the API: loose strings (lists may be
 * arrays or comma/semicolon-separated text).
 */
export interface DeclarationInput {
  title?: string
  description?: string
  reference?: string
  keywords?: string | string[]
  themes?: string | string[]
  accessLevel?: string
  accessReason?: string
  accessExplanation?: string
  licence?: string
  frequency?: string
  temporalStart?: string
  temporalEnd?: string
  spatial?: string
  contactName?: string
  contactEmail?: string
}

/** A declaration that has passed every check, ready to store. */
export interface DeclarationValues {
  title: string
  description: string
  reference: string | null
  keywords: string[]
  themes: string[]
  accessLevel: AccessLevel
  accessReason: string | null
  accessExplanation: string | null
  licence: string
  frequency: string
  temporalStart: string | null
  temporalEnd: string | null
  spatial: string | null
  contactName: string | null
  contactEmail: string | null
}

const GSS_CODE = /^[EWSNK]\d{8}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function splitList(value: string | string[] | undefined): string[] {
  const items = Array.isArray(value) ? value : (value ?? '').split(/[,;]/)
  return [...new Set(items.map((s) => String(s).trim()).filter(Boolean))]
}

function text(value: string | undefined): string {
  return (value ?? '').trim()
}

/**
 * Checks a declaration, naming every problem at once. Field names are the input's own, so the
 * same messages serve the form (inline errors), the CSV report (column) and the API.
 */
export function validateDeclaration(input: DeclarationInput): { values?: DeclarationValues; errors: FieldErrors } {
  const errors = new FieldErrors()
  const title = text(input.title)
  const description = text(input.description)
  if (!title) errors.add('title', 'Enter a title')
  else if (title.length > 300) errors.add('title', 'Title must be 300 characters or fewer')
  if (!description) errors.add('description', 'Enter a description of what the data is')
  else if (description.length > 10000) errors.add('description', 'Description must be 10,000 characters or fewer')
  const reference = text(input.reference) || null
  if (reference && reference.length > 100) errors.add('reference', 'Your reference must be 100 characters or fewer')

  const keywords = splitList(input.keywords)
  if (keywords.some((k) => k.length > 100)) errors.add('keywords', 'Each keyword must be 100 characters or fewer')
  if (keywords.length > 50) errors.add('keywords', 'Give 50 keywords or fewer')

  const themes = splitList(input.themes).map((t) => t.toUpperCase())
  const unknownThemes = themes.filter((t) => !THEMES.some((theme) => theme.code === t))
  if (themes.length === 0) errors.add('themes', 'Select at least one theme')
  else if (unknownThemes.length > 0) errors.add('themes', `Unknown theme ${unknownThemes.join(', ')}: use ${THEMES.map((t) => t.code).join(', ')}`)

  const accessLevel = (text(input.accessLevel) || 'open').toLowerCase() as AccessLevel
  if (!ACCESS_LEVELS.some((a) => a.code === accessLevel)) errors.add('accessLevel', 'Access level must be open, restricted or non-public')
  let accessReason: string | null = text(input.accessReason).toLowerCase() || null
  let accessExplanation: string | null = text(input.accessExplanation) || null
  if (accessLevel === 'open') {
    accessReason = null
    accessExplanation = null
  } else {
    if (!accessReason) errors.add('accessReason', 'Select why the data is not open')
    else if (!ACCESS_REASONS.some((r) => r.code === accessReason)) {
      errors.add('accessReason', `Unknown reason “${accessReason}”: use ${ACCESS_REASONS.map((r) => r.code).join(', ')}`)
    }
    if (!accessExplanation) errors.add('accessExplanation', 'Explain why the data is not open')
    else if (accessExplanation.length > 2000) errors.add('accessExplanation', 'Explanation must be 2,000 characters or fewer')
  }

  const licenceText = text(input.licence) || DEFAULT_LICENCE
  const licence = LICENCES.find((l) => l.code.toLowerCase() === licenceText.toLowerCase() || l.url === licenceText)?.code
  if (!licence) errors.add('licence', `Unknown licence “${licenceText}”: use ${LICENCES.map((l) => l.code).join(', ')}`)

  const frequency = text(input.frequency).toLowerCase()
  if (!frequency) errors.add('frequency', 'Select how often the data is updated')
  else if (!FREQUENCIES.some((f) => f.code === frequency)) {
    errors.add('frequency', `Unknown frequency “${frequency}”: use ${FREQUENCIES.map((f) => f.code).join(', ')}`)
  }

  const temporalStart = text(input.temporalStart) || null
  const temporalEnd = text(input.temporalEnd) || null
  if (temporalStart && !isRealDate(temporalStart)) errors.add('temporalStart', 'Start of the period covered must be a real date like 2024-04-01')
  if (temporalEnd && !isRealDate(temporalEnd)) errors.add('temporalEnd', 'End of the period covered must be a real date like 2025-03-31')
  if (temporalStart && temporalEnd && !errors.has('temporalStart') && !errors.has('temporalEnd') && temporalEnd < temporalStart) {
    errors.add('temporalEnd', 'End of the period covered must be the same as or after its start')
  }

  const spatial = text(input.spatial).toUpperCase() || null
  if (spatial && !GSS_CODE.test(spatial)) errors.add('spatial', 'Area covered must be a GSS code like E08000009')

  const contactName = text(input.contactName) || null
  const contactEmail = text(input.contactEmail).toLowerCase() || null
  if (contactName && contactName.length > 200) errors.add('contactName', 'Contact name must be 200 characters or fewer')
  if (contactEmail && !EMAIL.test(contactEmail)) errors.add('contactEmail', 'Contact email must be an email address like data@council.gov.uk')

  if (errors.list.length > 0) return { errors }
  return {
    errors,
    values: {
      title,
      description,
      reference,
      keywords,
      themes,
      accessLevel,
      accessReason,
      accessExplanation,
      licence: licence!,
      frequency,
      temporalStart,
      temporalEnd,
      spatial,
      contactName,
      contactEmail,
    },
  }
}

export interface DistributionInput {
  title?: string
  accessUrl?: string
  downloadUrl?: string
  format?: string
  mediaType?: string
  byteSize?: string | number
}

export interface DistributionValues {
  title: string
  accessUrl: string | null
  downloadUrl: string | null
  format: string | null
  mediaType: string | null
  byteSize: number | null
}

export function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** Checks a distribution; `prefix` names the fields (`distribution.` in a form, `distributions/0/` in the API). */
export function validateDistribution(input: DistributionInput, prefix = ''): { values?: DistributionValues; errors: FieldErrors } {
  const errors = new FieldErrors()
  const accessUrl = text(input.accessUrl) || null
  const downloadUrl = text(input.downloadUrl) || null
  const format = text(input.format).toUpperCase() || null
  const mediaType = text(input.mediaType).toLowerCase() || null
  const title = text(input.title) || format || 'Download'
  if (!accessUrl && !downloadUrl) errors.add(`${prefix}accessUrl`, 'Enter the web address where the data can be found or downloaded')
  if (accessUrl && !isWebAddress(accessUrl)) errors.add(`${prefix}accessUrl`, 'Access address must start https:// or http://')
  if (downloadUrl && !isWebAddress(downloadUrl)) errors.add(`${prefix}downloadUrl`, 'Download address must start https:// or http://')
  if (format && format.length > 20) errors.add(`${prefix}format`, 'Format must be 20 characters or fewer, like CSV')
  if (mediaType && !/^[a-z]+\/[a-z0-9.+_-]+$/.test(mediaType)) errors.add(`${prefix}mediaType`, 'Media type must look like text/csv')
  let byteSize: number | null = null
  const rawSize = typeof input.byteSize === 'number' ? String(input.byteSize) : text(input.byteSize)
  if (rawSize) {
    byteSize = Number(rawSize.replace(/,/g, ''))
    if (!Number.isInteger(byteSize) || byteSize < 0) errors.add(`${prefix}byteSize`, 'Size must be a whole number of bytes')
  }
  if (title.length > 300) errors.add(`${prefix}title`, 'Title must be 300 characters or fewer')
  if (errors.list.length > 0) return { errors }
  return { errors, values: { title, accessUrl, downloadUrl, format, mediaType, byteSize } }
}
