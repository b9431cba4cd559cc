import type { FieldError } from '../../platform/errors.js'
import { parsePlannedDate, type PlannedDate } from './dates.js'
import type { ImportProblem } from '../../platform/import-report.js'
import type { Column } from './import-template.js'
import type { DatasetRow } from './repository.js'
import { validateDeclaration, validateDistribution, type DeclarationInput, type DeclarationValues, type DistributionInput } from './validation.js'

/*
 * One row of the file: everything that can be checked without the database, and how it compares
 * with what is stored.
 */

/** Where each validation field is found in the file, so a problem names the column people see. */
const DECLARATION_COLUMN: Record<keyof DeclarationInput, Column> = {
  title: 'title',
  description: 'description',
  reference: 'reference',
  keywords: 'keywords',
  themes: 'themes',
  accessLevel: 'access_level',
  accessReason: 'access_reason',
  accessExplanation: 'access_explanation',
  licence: 'licence',
  frequency: 'frequency',
  temporalStart: 'temporal_start',
  temporalEnd: 'temporal_end',
  spatial: 'spatial',
  contactName: 'contact_name',
  contactEmail: 'contact_email',
}
const DISTRIBUTION_COLUMN: Record<string, Column> = {
  title: 'distribution_title',
  accessUrl: 'distribution_url',
  downloadUrl: 'distribution_url',
  format: 'distribution_format',
  mediaType: 'distribution_media_type',
}

/** One row of the file as a declaration, after every check that needs no database. */
export interface CheckedRow {
  line: number
  identifier: string | null
  /** The declaration as the row gives it, and which of the template's columns the file has. */
  input: DeclarationInput
  present: ReadonlySet<Column>
  values?: DeclarationValues
  distribution?: DistributionInput
  nextRelease?: PlannedDate
  problems: ImportProblem[]
}

/** Everything about a row that can be checked without the database. */
export function checkRow(record: string[], columns: (Column | null)[], present: ReadonlySet<Column>, line: number): CheckedRow {
  const cells: Partial<Record<Column, string>> = {}
  const problems: ImportProblem[] = []
  record.forEach((cell, index) => {
    const column = columns[index]
    if (column) cells[column] = cell
    else if (index >= columns.length && cell.trim() !== '' && !problems.length) {
      problems.push({ line, column: '', reason: `This row has ${record.length} values but the header has ${columns.length} columns: check for a missing pair of quotes` })
    }
  })
  const input: DeclarationInput = {
    title: cells.title,
    description: cells.description,
    reference: cells.reference,
    keywords: cells.keywords,
    themes: cells.themes,
    accessLevel: cells.access_level,
    accessReason: cells.access_reason,
    accessExplanation: cells.access_explanation,
    licence: cells.licence,
    frequency: cells.frequency,
    temporalStart: cells.temporal_start,
    temporalEnd: cells.temporal_end,
    spatial: cells.spatial,
    contactName: cells.contact_name,
    contactEmail: cells.contact_email,
  }
  const declaration = validateDeclaration(input)
  for (const error of declaration.errors.list) problems.push({ line, column: declarationColumn(error), reason: error.message })

  let distribution: DistributionInput | undefined
  const distributionCells = [cells.distribution_title, cells.distribution_url, cells.distribution_format, cells.distribution_media_type]
  if (distributionCells.some((cell) => (cell ?? '').trim() !== '')) {
    distribution = {
      title: cells.distribution_title,
      accessUrl: (cells.distribution_url ?? '').trim(),
      format: cells.distribution_format,
      mediaType: cells.distribution_media_type,
    }
    for (const error of validateDistribution(distribution).errors.list) {
      problems.push({ line, column: DISTRIBUTION_COLUMN[error.name] ?? 'distribution_url', reason: error.message })
    }
  }

  let nextRelease: PlannedDate | undefined
  const planned = (cells.next_release ?? '').trim()
  if (planned) {
    nextRelease = parsePlannedDate(planned)
    if (!nextRelease) problems.push({ line, column: 'next_release', reason: `“${planned}” is not a date: give the next release as a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1)` })
  }

  const identifier = (cells.identifier ?? '').trim() || null
  if (identifier && identifier.length > 500) problems.push({ line, column: 'identifier', reason: 'Identifier must be 500 characters or fewer' })

  return { line, identifier, input, present, problems, ...(declaration.values ? { values: declaration.values } : {}), ...(distribution ? { distribution } : {}), ...(nextRelease ? { nextRelease } : {}) }
}

/**
 * What a row says about a dataset already declared. A column the file does not have leaves the
 * stored value as it is (a file of titles and descriptions does not wipe licences), and an empty
 * reference keeps the dataset's reference: references are how rows find datasets, so an import
 * never removes one.
 */
export function mergeWithStored(row: CheckedRow, before: DatasetRow): { values: DeclarationValues } | { problems: ImportProblem[] } {
  const absent = (Object.keys(DECLARATION_COLUMN) as (keyof DeclarationInput)[]).filter((field) => !row.present.has(DECLARATION_COLUMN[field]))
  const keepReference = row.values!.reference === null && before.reference !== null
  if (absent.length === 0 && !keepReference) return { values: row.values! }
  const stored = storedInput(before)
  const input: DeclarationInput = { ...row.input }
  for (const field of absent) (input as Record<string, unknown>)[field] = stored[field]
  if (keepReference) input.reference = before.reference!
  const checked = validateDeclaration(input)
  if (checked.values) return { values: checked.values }
  return { problems: checked.errors.list.map((e) => ({ line: row.line, column: declarationColumn(e), reason: e.message })) }
}

export function storedInput(row: DatasetRow): Required<DeclarationInput> {
  return {
    title: row.title,
    description: row.description,
    reference: row.reference ?? '',
    keywords: JSON.parse(row.keywords) as string[],
    themes: JSON.parse(row.themes) as string[],
    accessLevel: row.access_level,
    accessReason: row.access_reason ?? '',
    accessExplanation: row.access_explanation ?? '',
    licence: row.licence,
    frequency: row.frequency,
    temporalStart: row.temporal_start ?? '',
    temporalEnd: row.temporal_end ?? '',
    spatial: row.spatial ?? '',
    contactName: row.contact_name ?? '',
    contactEmail: row.contact_email ?? '',
  }
}

export function declarationColumn(error: FieldError): string {
  return DECLARATION_COLUMN[error.name as keyof DeclarationInput] ?? error.name
}

export function titleKey(title: string): string {
  return title.trim().toLowerCase().replace(/\s+/g, ' ')
}

/** Whether a stored declaration already says everything the row says. */
export function sameDeclaration(row: DatasetRow, v: DeclarationValues): boolean {
  return (
    row.reference === v.reference &&
    row.title === v.title &&
    row.description === v.description &&
    row.keywords === JSON.stringify(v.keywords) &&
    row.themes === JSON.stringify(v.themes) &&
    row.access_level === v.accessLevel &&
    row.access_reason === v.accessReason &&
    row.access_explanation === v.accessExplanation &&
    row.licence === v.licence &&
    row.frequency === v.frequency &&
    row.temporal_start === v.temporalStart &&
    row.temporal_end === v.temporalEnd &&
    row.spatial === v.spatial &&
    row.contact_name === v.contactName &&
    row.contact_email === v.contactEmail
  )
}

