import { ACCESS_LEVELS, ACCESS_REASONS, DEFAULT_LICENCE, FREQUENCIES, LICENCES, THEMES } from './vocabularies.js'

/*
 * The published CSV template for declaring datasets in bulk: its columns, an example and what to
 * put in each, for the download, the upload page and the import itself.
 */

/** The published template's columns, in its order. */
export const COLUMNS = [
  'identifier',
  'reference',
  'title',
  'description',
  'keywords',
  'themes',
  'access_level',
  'access_reason',
  'access_explanation',
  'licence',
  'frequency',
  'temporal_start',
  'temporal_end',
  'spatial',
  'contact_name',
  'contact_email',
  'distribution_title',
  'distribution_url',
  'distribution_format',
  'distribution_media_type',
  'next_release',
] as const
export type Column = (typeof COLUMNS)[number]

/**
 * Without these a file cannot describe a single valid dataset, so a file lacking one is refused
 * whole instead of every row being rejected for the same reason.
 */
export const REQUIRED_COLUMNS: Column[] = ['title', 'description', 'themes', 'frequency']

// ---- the template ----

const EXAMPLE: Record<Column, string> = {
  identifier: '',
  reference: 'PARKS-001',
  title: 'Parks and open spaces',
  description: 'Every park, playground and open space the council looks after, with its size and facilities.',
  keywords: 'parks; playgrounds; green space',
  themes: 'ENVI; REGI',
  access_level: 'open',
  access_reason: '',
  access_explanation: '',
  licence: DEFAULT_LICENCE,
  frequency: 'annual',
  temporal_start: '2024-04-01',
  temporal_end: '2025-03-31',
  spatial: 'E08000009',
  contact_name: 'Open data team',
  contact_email: 'opendata@example.gov.uk',
  distribution_title: 'Parks and open spaces (CSV)',
  distribution_url: 'https://data.example.gov.uk/parks.csv',
  distribution_format: 'CSV',
  distribution_media_type: 'text/csv',
  next_release: '2027-Q1',
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value
}

/** The header row and one example row, with CRLF line ends as RFC 4180 has them. */
export function templateCsv(): string {
  return `${COLUMNS.join(',')}\r\n${COLUMNS.map((c) => csvCell(EXAMPLE[c])).join(',')}\r\n`
}

export interface ColumnGuideEntry {
  column: Column
  required: boolean
  guide: string
}

const codes = (list: { code: string }[]) => list.map((e) => e.code).join(', ')

/** What to put in each column, for the upload page. */
export const columnGuide: ColumnGuideEntry[] = [
  { column: 'identifier', required: false, guide: 'Leave empty for a new dataset. To change a dataset already declared, copy its identifier from its page.' },
  { column: 'reference', required: false, guide: 'Your own reference for the dataset, unique within your body. Rows are matched to datasets already declared by identifier, then reference, then exact title. Left empty, a dataset keeps the reference it has.' },
  { column: 'title', required: true, guide: 'What the data is called, up to 300 characters.' },
  { column: 'description', required: true, guide: 'What the data is and what it covers.' },
  { column: 'keywords', required: false, guide: 'Separated by semicolons, like “parks; playgrounds”.' },
  { column: 'themes', required: true, guide: `One or more of ${codes(THEMES)}, separated by semicolons.` },
  { column: 'access_level', required: false, guide: `${codes(ACCESS_LEVELS)}. Empty means open.` },
  { column: 'access_reason', required: false, guide: `When not open: ${codes(ACCESS_REASONS)}.` },
  { column: 'access_explanation', required: false, guide: 'When not open: why, in a sentence or two.' },
  { column: 'licence', required: false, guide: `${codes(LICENCES)}. Empty means ${DEFAULT_LICENCE}.` },
  { column: 'frequency', required: true, guide: `How often it is updated: ${codes(FREQUENCIES)}.` },
  { column: 'temporal_start', required: false, guide: 'First day the data covers, like 2024-04-01.' },
  { column: 'temporal_end', required: false, guide: 'Last day the data covers, like 2025-03-31.' },
  { column: 'spatial', required: false, guide: 'The GSS code of the area covered, like E08000009.' },
  { column: 'contact_name', required: false, guide: 'Who to ask about the data: a team rather than a person.' },
  { column: 'contact_email', required: false, guide: 'An email address that will still work when people move on.' },
  { column: 'distribution_title', required: false, guide: 'Where the data is already published: the name of the file or page.' },
  { column: 'distribution_url', required: false, guide: 'Its web address, starting https://. Needed when any distribution column is filled in. A new address adds a distribution; none is removed.' },
  { column: 'distribution_format', required: false, guide: 'Like CSV, XLSX or GeoJSON.' },
  { column: 'distribution_media_type', required: false, guide: 'Like text/csv.' },
  { column: 'next_release', required: false, guide: 'When the data will next be published: a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1). A date not already planned adds a provisional release.' },
]

