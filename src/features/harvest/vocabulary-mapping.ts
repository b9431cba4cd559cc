import { ACCESS_RIGHT_URI, FREQUENCIES, FREQUENCY_URI, LICENCES, THEMES, THEME_URI, type AccessLevel } from '../datasets/vocabularies.js'

/*
 * How the words of other catalogues become the platform's lists. The rules, so a publisher can
 * predict them:
 *
 * - Licences: an exact code or address of LICENCES, or one of the aliases below (CKAN ids, Open
 *   Definition and Creative Commons addresses, EU licence IRIs, with or without `www.`, `https`
 *   or a trailing slash). Public-domain marks and dedications become CC0-1.0. Anything else is
 *   unknown: the dataset is declared under the default licence and the report warns.
 * - Frequencies: ISO 8601 repeating durations (data.json), EU frequency IRIs and codes (DCAT),
 *   Dublin Core frequency IRIs, and English words (CKAN extras). A cadence the platform has no
 *   entry for becomes the nearest one by length (hourly → daily, every two years → annually),
 *   with a warning.
 * - Access: data.json `public` / `restricted public` / `non-public` and the EU access-right
 *   PUBLIC / RESTRICTED / NON_PUBLIC. See `accessReasonFor` for the reason.
 * - Themes: EU data-theme IRIs or their codes (ENVI…), or a theme's exact label; other theme
 *   words are not themes the platform knows and are dropped.
 */

const LICENCE_ALIASES: Record<string, string> = {
  'uk-ogl': 'OGL-UK-3.0',
  ogl: 'OGL-UK-3.0',
  'ogl-uk': 'OGL-UK-3.0',
  'ogl-uk-3.0': 'OGL-UK-3.0',
  'ogl3': 'OGL-UK-3.0',
  'nationalarchives.gov.uk/doc/open-government-licence': 'OGL-UK-3.0',
  'nationalarchives.gov.uk/doc/open-government-licence/version/3': 'OGL-UK-3.0',
  'reference.data.gov.uk/id/open-government-licence': 'OGL-UK-3.0',
  'publications.europa.eu/resource/authority/licence/ogl_3_0': 'OGL-UK-3.0',
  'ogl-uk-2.0': 'OGL-UK-2.0',
  'nationalarchives.gov.uk/doc/open-government-licence/version/2': 'OGL-UK-2.0',
  'cc-by': 'CC-BY-4.0',
  'cc-by-4.0': 'CC-BY-4.0',
  'opendefinition.org/licenses/cc-by': 'CC-BY-4.0',
  'creativecommons.org/licenses/by/4.0': 'CC-BY-4.0',
  'publications.europa.eu/resource/authority/licence/cc_by_4_0': 'CC-BY-4.0',
  'cc-by-sa': 'CC-BY-SA-4.0',
  'cc-by-sa-4.0': 'CC-BY-SA-4.0',
  'opendefinition.org/licenses/cc-by-sa': 'CC-BY-SA-4.0',
  'creativecommons.org/licenses/by-sa/4.0': 'CC-BY-SA-4.0',
  'publications.europa.eu/resource/authority/licence/cc_bysa_4_0': 'CC-BY-SA-4.0',
  'cc-zero': 'CC0-1.0',
  cc0: 'CC0-1.0',
  'cc0-1.0': 'CC0-1.0',
  'opendefinition.org/licenses/cc-zero': 'CC0-1.0',
  'creativecommons.org/publicdomain/zero/1.0': 'CC0-1.0',
  'publications.europa.eu/resource/authority/licence/cc0': 'CC0-1.0',
  'other-pd': 'CC0-1.0',
  'odc-pddl': 'CC0-1.0',
  'opendefinition.org/licenses/odc-pddl': 'CC0-1.0',
  'creativecommons.org/publicdomain/mark/1.0': 'CC0-1.0',
  'usa.gov/publicdomain/label/1.0': 'CC0-1.0',
  'odc-by': 'ODC-BY-1.0',
  'opendefinition.org/licenses/odc-by': 'ODC-BY-1.0',
  'opendatacommons.org/licenses/by': 'ODC-BY-1.0',
  'opendatacommons.org/licenses/by/1-0': 'ODC-BY-1.0',
  'opendatacommons.org/licenses/by/1.0': 'ODC-BY-1.0',
  'publications.europa.eu/resource/authority/licence/odc_by': 'ODC-BY-1.0',
  'odc-odbl': 'ODbL-1.0',
  odbl: 'ODbL-1.0',
  'opendefinition.org/licenses/odc-odbl': 'ODbL-1.0',
  'opendatacommons.org/licenses/odbl': 'ODbL-1.0',
  'opendatacommons.org/licenses/odbl/1-0': 'ODbL-1.0',
  'opendatacommons.org/licenses/odbl/1.0': 'ODbL-1.0',
  'publications.europa.eu/resource/authority/licence/odc_odbl': 'ODbL-1.0',
}

/** Values that say "no licence given": treated as absent, so the default applies without a warning. */
const NO_LICENCE = new Set(['', 'notspecified', 'not specified', 'other'])

function licenceKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/(legalcode(\.[a-z-]+)?)?$/, '')
    .replace(/\/$/, '')
}

/** The platform's licence code for a source's licence: `null` when none was given, `undefined` when unknown. */
export function mapLicence(value: string | undefined): string | null | undefined {
  const text = (value ?? '').trim()
  if (NO_LICENCE.has(text.toLowerCase())) return null
  const exact = LICENCES.find((l) => l.code.toLowerCase() === text.toLowerCase() || licenceKey(l.url) === licenceKey(text))
  if (exact) return exact.code
  return LICENCE_ALIASES[licenceKey(text)]
}

const DAY = 1
/** How long each of the platform's frequencies is, in days, to find the nearest. */
const FREQUENCY_DAYS: Record<string, number> = {
  continuous: 1 / 86400,
  daily: DAY,
  weekly: 7,
  fortnightly: 14,
  monthly: 30.44,
  quarterly: 91.31,
  biannual: 182.62,
  annual: 365.25,
}

/** EU frequency codes the platform has no entry of its own for, by their length in days. */
const EU_FREQUENCY_DAYS: Record<string, number> = {
  UPDATE_CONT: 1 / 86400,
  CONT: 1 / 86400,
  '1MIN': 1 / 1440,
  '5MIN': 5 / 1440,
  '10MIN': 10 / 1440,
  '15MIN': 15 / 1440,
  '30MIN': 30 / 1440,
  HOURLY: 1 / 24,
  BIHOURLY: 2 / 24,
  TRIHOURLY: 3 / 24,
  '12HRS': 0.5,
  DAILY_2: 0.5,
  WEEKLY_2: 3.5,
  WEEKLY_3: 7 / 3,
  MONTHLY_2: 15.22,
  MONTHLY_3: 10.15,
  BIMONTHLY: 60.88,
  ANNUAL_3: 121.75,
  BIENNIAL: 730.5,
  TRIENNIAL: 1095.75,
  QUADRENNIAL: 1461,
  QUINQUENNIAL: 1826.25,
  DECENNIAL: 3652.5,
}

const FREQUENCY_WORDS: Record<string, string> = {
  continual: 'continuous',
  continuously: 'continuous',
  'real time': 'continuous',
  realtime: 'continuous',
  day: 'daily',
  week: 'weekly',
  biweekly: 'fortnightly',
  'every two weeks': 'fortnightly',
  month: 'monthly',
  quarter: 'quarterly',
  'every three months': 'quarterly',
  semiannual: 'biannual',
  'semi-annual': 'biannual',
  'semi-annually': 'biannual',
  'twice a year': 'biannual',
  'six monthly': 'biannual',
  annually: 'annual',
  yearly: 'annual',
  year: 'annual',
  'as needed': 'irregular',
  'as required': 'irregular',
  'ad hoc': 'irregular',
  adhoc: 'irregular',
  'one off': 'never',
  'one-off': 'never',
  'not updated': 'never',
}

const ISO_DURATION = /^R\/P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

function isoDays(value: string): number | undefined {
  const m = ISO_DURATION.exec(value)
  if (!m || value === 'R/P' || value.endsWith('T')) return undefined
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((n) => Number(n ?? 0)) as number[]
  const days = y! * 365.25 + mo! * 30.44 + w! * 7 + d! + h! / 24 + mi! / 1440 + s! / 86400
  return days > 0 ? days : undefined
}

function nearestFrequency(days: number): string {
  let best = 'annual'
  let distance = Infinity
  for (const [code, length] of Object.entries(FREQUENCY_DAYS)) {
    const d = Math.abs(Math.log(days / length))
    if (d < distance) [best, distance] = [code, d]
  }
  return best
}

/**
 * The platform's frequency for a source's; `exact` is false when the nearest was taken.
 * Undefined when the value means nothing the platform can read.
 */
export function mapFrequency(value: string | undefined): { code: string; exact: boolean } | undefined {
  const text = (value ?? '').trim()
  if (!text) return undefined
  const lower = text.toLowerCase()
  const own = FREQUENCIES.find((f) => f.code === lower || f.iso?.toLowerCase() === lower || f.label.toLowerCase() === lower)
  if (own) return { code: own.code, exact: true }
  // EU IRIs and codes, and Dublin Core's older http://purl.org/cld/freq/… terms.
  const code = text.replace(FREQUENCY_URI, '').replace(/^https?:\/\/purl\.org\/cld\/freq\//, '').toUpperCase()
  const eu = FREQUENCIES.find((f) => f.euCode === code || f.code.toUpperCase() === code)
  if (eu) return { code: eu.code, exact: true }
  if (code === 'IRREGULAR' || code === 'IRREG' || code === 'UNKNOWN' || code === 'OTHER' || code === 'AS_NEEDED') return { code: 'irregular', exact: code !== 'UNKNOWN' && code !== 'OTHER' }
  if (code === 'NEVER' || code === 'NOT_PLANNED') return { code: 'never', exact: true }
  const word = FREQUENCY_WORDS[lower.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ')] ?? FREQUENCY_WORDS[lower]
  if (word) return { code: word, exact: true }
  const days = EU_FREQUENCY_DAYS[code] ?? isoDays(text.toUpperCase())
  if (days !== undefined) return { code: nearestFrequency(days), exact: false }
  return undefined
}

/** The platform's access level for data.json's accessLevel or an EU access-right IRI or code. */
export function mapAccessLevel(value: string | undefined): AccessLevel | undefined {
  const text = (value ?? '').trim().replace(ACCESS_RIGHT_URI, '').toLowerCase().replace(/[_\s]+/g, '-')
  if (text === 'public' || text === 'open') return 'open'
  if (text === 'restricted-public' || text === 'restricted') return 'restricted'
  if (text === 'non-public' || text === 'nonpublic' || text === 'private') return 'non-public'
  return undefined
}

/**
 * Why a dataset is not open, read from the source's rights statement by the first of these
 * that its words match (checked in this order, so "commercially confidential personal data"
 * is commercial confidentiality). No match gives no reason: the platform does not invent a
 * legal reason, so such a record is rejected with the statement quoted.
 */
const ACCESS_REASON_WORDS: [string, RegExp][] = [
  ['commercial-confidentiality', /commercial|proprietary|trade secret|contract/i],
  ['personal-data', /personal|privacy|private individual|\bPII\b|GDPR|data protection|identif/i],
  ['national-security', /security|safety|law enforcement|terroris|critical infrastructure/i],
  ['third-party-rights', /licen[cs]|copyright|third[- ]part|intellectual property|ordnance survey/i],
  ['disproportionate-cost', /cost|resourc|burden/i],
]

export function accessReasonFor(rights: string | undefined): string | undefined {
  const text = rights ?? ''
  return ACCESS_REASON_WORDS.find(([, words]) => words.test(text))?.[0]
}

/** EU themes among the source's theme values (IRIs, codes or exact labels), in order, without repeats. */
export function mapThemes(values: string[]): string[] {
  const codes: string[] = []
  for (const value of values) {
    const text = value.trim()
    const code = text.replace(THEME_URI, '').replace(/^https?:\/\/publications\.europa\.eu\/resource\/authority\/data-theme\//i, '').toUpperCase()
    const theme = THEMES.find((t) => t.code === code || t.label.toLowerCase() === text.toLowerCase())
    if (theme && !codes.includes(theme.code)) codes.push(theme.code)
  }
  return codes
}
