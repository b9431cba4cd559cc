import type { FieldError } from '../../platform/errors.js'
import { validateDeclaration, type DeclarationInput, type DistributionInput } from '../datasets/validation.js'
import { DEFAULT_LICENCE, type AccessLevel } from '../datasets/vocabularies.js'
import { distributionOf } from './source-distribution.js'
import { emailOf, gssCodeOf, parseInterval, periodEnd } from './source-values.js'
import { accessReasonFor, mapAccessLevel, mapFrequency, mapLicence, mapThemes } from './vocabulary-mapping.js'

/** A problem with one field of a record, named as the source names it. */
export interface FieldProblem {
  field: string
  reason: string
}

export interface SourceDistribution {
  title?: string
  accessUrl?: string
  downloadUrl?: string
  format?: string
  mediaType?: string
  byteSize?: string | number
}

/** A dataset as a catalogue describes it, in the source's own words, before any mapping. */
export interface SourceRecord {
  /** Its position in the source, from 1 across all pages. */
  number: number
  /** The source's key: data.json identifier, CKAN id, DCAT dataset IRI. */
  key: string | null
  title?: string
  description?: string
  keywords: string[]
  themes: string[]
  accessLevel?: string
  rights?: string
  licence?: string
  frequency?: string
  /** An ISO 8601 interval (data.json), or its two ends (DCAT, CKAN). */
  temporal?: string
  temporalStart?: string
  temporalEnd?: string
  spatial: string[]
  contactName?: string
  contactEmail?: string
  distributions: SourceDistribution[]
  /** What the reader already found wrong, or left out. */
  problems: FieldProblem[]
  warnings: FieldProblem[]
}

export function emptyRecord(number: number): SourceRecord {
  return { number, key: null, keywords: [], themes: [], spatial: [], distributions: [], problems: [], warnings: [] }
}

/** How each format names the fields of a record, so the report speaks the source's language. */
export interface FieldNames {
  key: string
  title: string
  description: string
  keywords: string
  themes: string
  accessLevel: string
  rights: string
  licence: string
  frequency: string
  temporal: string
  spatial: string
  contact: string
  distributions: string
}

/** A record mapped onto a declaration, with everything that can be checked without the database. */
export interface CheckedRecord {
  number: number
  key: string | null
  /** A URI key is kept as the dataset's identifier; any other key as its reference. */
  keyIsUri: boolean
  title: string | null
  /** What the source says. Updating a dataset replaces these fields and keeps the others. */
  given: DeclarationInput
  /** What a new dataset gets where the source says nothing. */
  defaults: DeclarationInput
  defaulted: { themes: boolean; frequency: boolean; licence: boolean }
  distributions: DistributionInput[]
  problems: FieldProblem[]
  warnings: FieldProblem[]
}

const MAX_KEYWORDS = 50
const URI = /^(https?:\/\/\S+|urn:[a-z0-9][a-z0-9-]{0,31}:\S+)$/i

/** The source field a validation problem is about. */
export function sourceField(error: FieldError, names: FieldNames): string {
  const byInput: Record<string, string> = {
    title: names.title,
    description: names.description,
    reference: names.key,
    keywords: names.keywords,
    themes: names.themes,
    accessLevel: names.accessLevel,
    accessReason: names.rights,
    accessExplanation: names.rights,
    licence: names.licence,
    frequency: names.frequency,
    temporalStart: names.temporal,
    temporalEnd: names.temporal,
    spatial: names.spatial,
    contactName: names.contact,
    contactEmail: names.contact,
  }
  return byInput[error.name] ?? error.name
}

const text = (value: string | undefined) => (value ?? '').trim()

/** Maps a record onto the platform's declaration and checks it, naming every problem at once. */
export function checkRecord(record: SourceRecord, names: FieldNames): CheckedRecord {
  const problems = [...record.problems]
  const warnings = [...record.warnings]
  const given: DeclarationInput = {}
  const defaults: DeclarationInput = {}
  const defaulted = { themes: false, frequency: false, licence: false }

  const key = text(record.key ?? undefined) || null
  const keyIsUri = key !== null && URI.test(key)
  if (key === null) problems.push({ field: names.key, reason: 'The record has no identifier, so a later harvest could not find it again' })
  else if (keyIsUri && key.length > 500) problems.push({ field: names.key, reason: 'The identifier is longer than 500 characters' })
  else if (!keyIsUri && key.length > 100) problems.push({ field: names.key, reason: 'The identifier is not a web address and is longer than 100 characters, the most a reference can be' })
  if (key !== null && !keyIsUri) given.reference = key

  const title = text(record.title)
  if (!title) problems.push({ field: names.title, reason: 'The record has no title' })
  given.title = title
  const description = text(record.description)
  if (!description) problems.push({ field: names.description, reason: 'The record has no description' })
  given.description = description

  given.keywords = keywordsOf(record.keywords, names, warnings)

  const themes = mapThemes(record.themes)
  if (themes.length > 0) given.themes = themes
  else {
    defaults.themes = ['GOVE']
    defaulted.themes = true
  }

  const licenceText = text(record.licence)
  const licence = mapLicence(licenceText)
  if (licence) given.licence = licence
  else {
    defaults.licence = DEFAULT_LICENCE
    if (licence === undefined) warnings.push({ field: names.licence, reason: `“${licenceText}” is not a licence the platform knows, so it was not taken: a new dataset is declared under ${DEFAULT_LICENCE}, the default, and an existing one keeps its licence` })
    else defaulted.licence = true
  }

  const frequencyText = text(record.frequency)
  const frequency = mapFrequency(frequencyText)
  if (frequency) {
    given.frequency = frequency.code
    if (!frequency.exact) warnings.push({ field: names.frequency, reason: `“${frequencyText}” is not a frequency the platform has: recorded as ${frequency.code}, the nearest` })
  } else {
    defaults.frequency = 'irregular'
    if (frequencyText) warnings.push({ field: names.frequency, reason: `“${frequencyText}” is not a frequency the platform can read: a new dataset is declared as irregular` })
    else defaulted.frequency = true
  }

  const levelText = text(record.accessLevel)
  if (levelText) {
    const level = mapAccessLevel(levelText)
    if (!level) problems.push({ field: names.accessLevel, reason: `“${levelText}” is not an access level: use public, restricted public or non-public (or an EU access-right)` })
    else setAccess(given, level, levelText, text(record.rights), names, problems)
  }

  readTemporal(record, given, names, problems)

  const spatial = gssCodeOf(record.spatial)
  if (spatial) given.spatial = spatial

  const contactName = text(record.contactName)
  if (contactName) given.contactName = contactName
  const emailText = text(record.contactEmail)
  const email = emailOf(emailText)
  if (email) given.contactEmail = email
  else if (emailText) warnings.push({ field: names.contact, reason: `“${emailText}” is not an email address, so it was left out` })

  // The same address twice is one distribution (a later harvest could not tell them apart).
  const addresses = new Set<string>()
  const distributions: DistributionInput[] = []
  record.distributions.forEach((d, i) => {
    const distribution = distributionOf(d, i, names, warnings)
    const address = distribution?.downloadUrl ?? distribution?.accessUrl ?? ''
    if (!distribution || addresses.has(address)) return
    addresses.add(address)
    distributions.push(distribution)
  })

  // Everything else the form would refuse, except what is already reported.
  const { errors } = validateDeclaration({ ...defaults, ...given })
  for (const error of errors.list) {
    const field = sourceField(error, names)
    if (!problems.some((p) => p.field === field)) problems.push({ field, reason: error.message })
  }

  return { number: record.number, key, keyIsUri, title: title || null, given, defaults, defaulted, distributions, problems, warnings }
}

function keywordsOf(values: string[], names: FieldNames, warnings: FieldProblem[]): string[] {
  const keywords = [...new Set(values.map((k) => k.trim()).filter(Boolean))]
  const long = keywords.filter((k) => k.length > 100)
  if (long.length > 0) warnings.push({ field: names.keywords, reason: `${long.length === 1 ? 'A keyword is' : `${long.length} keywords are`} longer than 100 characters and ${long.length === 1 ? 'was' : 'were'} left out` })
  const kept = keywords.filter((k) => k.length <= 100)
  if (kept.length > MAX_KEYWORDS) warnings.push({ field: names.keywords, reason: `The record has ${kept.length} keywords: the first ${MAX_KEYWORDS} were kept` })
  return kept.slice(0, MAX_KEYWORDS)
}

/**
 * A dataset that is not open must say why: the reason is read from the rights statement (see
 * `accessReasonFor`), which becomes the explanation word for word.
 */
function setAccess(given: DeclarationInput, level: AccessLevel, levelText: string, rights: string, names: FieldNames, problems: FieldProblem[]): void {
  given.accessLevel = level
  if (level === 'open') return
  const reason = accessReasonFor(rights)
  if (!rights) problems.push({ field: names.rights, reason: `The record is “${levelText}” but has no rights statement saying why the data is not open` })
  else if (!reason) {
    problems.push({
      field: names.rights,
      reason: `The rights statement “${rights.length > 200 ? `${rights.slice(0, 200)}…` : rights}” does not say why the data is not open in terms the platform recognises: personal data, commercial confidentiality, third-party rights or licence, national security or public safety, or disproportionate cost`,
    })
  } else {
    given.accessReason = reason
    given.accessExplanation = rights
  }
}

function readTemporal(record: SourceRecord, given: DeclarationInput, names: FieldNames, problems: FieldProblem[]): void {
  const interval = text(record.temporal)
  if (interval) {
    const period = parseInterval(interval)
    if (!period) problems.push({ field: names.temporal, reason: `“${interval}” is not a period of dates like 2019-04-01/2020-03-31` })
    else {
      given.temporalStart = period.start ?? ''
      given.temporalEnd = period.end ?? ''
    }
    return
  }
  for (const [end, value] of [['start', text(record.temporalStart)], ['end', text(record.temporalEnd)]] as const) {
    if (!value) continue
    const day = periodEnd(value, end)
    if (!day) problems.push({ field: names.temporal, reason: `The ${end} of the period covered, “${value}”, is not a date` })
    else if (end === 'start') given.temporalStart = day
    else given.temporalEnd = day
  }
}
