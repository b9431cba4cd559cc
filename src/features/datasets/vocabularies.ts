/*
 * The fixed lists a declaration is made from. Each entry carries the identifiers the open
 * standards use for it (EU vocabularies for DCAT-AP, ISO 8601 for data.json), so the
 * standards interfaces translate without tables of their own.
 */

export interface Theme {
  code: string
  label: string
}

/** The EU data-theme vocabulary (http://publications.europa.eu/resource/authority/data-theme). */
export const THEMES: Theme[] = [
  { code: 'AGRI', label: 'Agriculture, fisheries, forestry and food' },
  { code: 'ECON', label: 'Economy and finance' },
  { code: 'EDUC', label: 'Education, culture and sport' },
  { code: 'ENER', label: 'Energy' },
  { code: 'ENVI', label: 'Environment' },
  { code: 'GOVE', label: 'Government and public sector' },
  { code: 'HEAL', label: 'Health' },
  { code: 'INTR', label: 'International issues' },
  { code: 'JUST', label: 'Justice, legal system and public safety' },
  { code: 'REGI', label: 'Regions and cities' },
  { code: 'SOCI', label: 'Population and society' },
  { code: 'TECH', label: 'Science and technology' },
  { code: 'TRAN', label: 'Transport' },
]
export const THEME_URI = 'http://publications.europa.eu/resource/authority/data-theme/'

export type AccessLevel = 'open' | 'restricted' | 'non-public'
export const ACCESS_LEVELS: { code: AccessLevel; label: string; euCode: string; pod: string }[] = [
  { code: 'open', label: 'Open', euCode: 'PUBLIC', pod: 'public' },
  { code: 'restricted', label: 'Restricted', euCode: 'RESTRICTED', pod: 'restricted public' },
  { code: 'non-public', label: 'Not public', euCode: 'NON_PUBLIC', pod: 'non-public' },
]
export const ACCESS_RIGHT_URI = 'http://publications.europa.eu/resource/authority/access-right/'

/** Why a dataset is not open. */
export const ACCESS_REASONS: { code: string; label: string }[] = [
  { code: 'personal-data', label: 'Personal data' },
  { code: 'commercial-confidentiality', label: 'Commercial confidentiality' },
  { code: 'third-party-rights', label: 'Third-party rights or licence' },
  { code: 'national-security', label: 'National security or public safety' },
  { code: 'disproportionate-cost', label: 'Disproportionate cost' },
]

export const LICENCES: { code: string; label: string; url: string }[] = [
  { code: 'OGL-UK-3.0', label: 'Open Government Licence v3.0', url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/' },
  { code: 'CC-BY-4.0', label: 'Creative Commons Attribution 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' },
  { code: 'CC-BY-SA-4.0', label: 'Creative Commons Attribution-ShareAlike 4.0', url: 'https://creativecommons.org/licenses/by-sa/4.0/' },
  { code: 'CC0-1.0', label: 'Creative Commons Zero 1.0 (public domain)', url: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  { code: 'ODC-BY-1.0', label: 'Open Data Commons Attribution 1.0', url: 'https://opendatacommons.org/licenses/by/1-0/' },
  { code: 'ODbL-1.0', label: 'Open Database Licence 1.0', url: 'https://opendatacommons.org/licenses/odbl/1-0/' },
  { code: 'OGL-UK-2.0', label: 'Open Government Licence v2.0', url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/2/' },
]
export const DEFAULT_LICENCE = 'OGL-UK-3.0'

/** Dublin Core / EU frequency terms, with ISO 8601 for data.json (`never` has none). */
export const FREQUENCIES: { code: string; label: string; euCode: string; iso: string | null }[] = [
  { code: 'continuous', label: 'Continuously updated', euCode: 'UPDATE_CONT', iso: 'R/PT1S' },
  { code: 'daily', label: 'Daily', euCode: 'DAILY', iso: 'R/P1D' },
  { code: 'weekly', label: 'Weekly', euCode: 'WEEKLY', iso: 'R/P1W' },
  { code: 'fortnightly', label: 'Every two weeks', euCode: 'BIWEEKLY', iso: 'R/P2W' },
  { code: 'monthly', label: 'Monthly', euCode: 'MONTHLY', iso: 'R/P1M' },
  { code: 'quarterly', label: 'Quarterly', euCode: 'QUARTERLY', iso: 'R/P3M' },
  { code: 'biannual', label: 'Twice a year', euCode: 'ANNUAL_2', iso: 'R/P6M' },
  { code: 'annual', label: 'Annually', euCode: 'ANNUAL', iso: 'R/P1Y' },
  { code: 'irregular', label: 'Irregularly', euCode: 'IRREG', iso: 'irregular' },
  { code: 'never', label: 'Never (a one-off)', euCode: 'NEVER', iso: null },
]
export const FREQUENCY_URI = 'http://publications.europa.eu/resource/authority/frequency/'

export type DatasetStatus = 'declared' | 'scheduled' | 'published' | 'withdrawn'
export const DATASET_STATUSES: { code: DatasetStatus; label: string }[] = [
  { code: 'declared', label: 'Declared' },
  { code: 'scheduled', label: 'Scheduled' },
  { code: 'published', label: 'Published' },
  { code: 'withdrawn', label: 'Withdrawn' },
]

export type ReleaseState = 'provisional' | 'confirmed' | 'cancelled' | 'released'
export const RELEASE_STATES: { code: ReleaseState; label: string }[] = [
  { code: 'provisional', label: 'Provisional' },
  { code: 'confirmed', label: 'Confirmed' },
  { code: 'cancelled', label: 'Cancelled' },
  { code: 'released', label: 'Released' },
]

export type DatePrecision = 'day' | 'month' | 'quarter'
export const DATE_PRECISIONS: DatePrecision[] = ['day', 'month', 'quarter']

/** "Release due within" choices of the search page. */
export type DueWithin = 'month' | 'quarter' | 'year'
export const DUE_WITHIN: { code: DueWithin; label: string; months: number }[] = [
  { code: 'month', label: 'Next month', months: 1 },
  { code: 'quarter', label: 'Next 3 months', months: 3 },
  { code: 'year', label: 'Next 12 months', months: 12 },
]

export function labelOf(list: { code: string; label: string }[], code: string | null | undefined): string {
  return list.find((e) => e.code === code)?.label ?? code ?? ''
}
