import { describe, expect, it } from 'vitest'
import { emailOf, gssCodeOf, parseInterval } from './source-values.js'
import { accessReasonFor, mapAccessLevel, mapFrequency, mapLicence, mapThemes } from './vocabulary-mapping.js'

describe('mapping other catalogues’ words onto the platform’s lists', () => {
  it('reads licences from codes, CKAN ids and addresses in their many spellings', () => {
    expect(mapLicence('http://www.opendefinition.org/licenses/cc-by')).toBe('CC-BY-4.0')
    expect(mapLicence('https://opendefinition.org/licenses/cc-by/')).toBe('CC-BY-4.0')
    expect(mapLicence('cc-by')).toBe('CC-BY-4.0')
    expect(mapLicence('OGL-UK-3.0')).toBe('OGL-UK-3.0')
    expect(mapLicence('uk-ogl')).toBe('OGL-UK-3.0')
    expect(mapLicence('https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/')).toBe('OGL-UK-3.0')
    expect(mapLicence('http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3')).toBe('OGL-UK-3.0')
    expect(mapLicence('http://www.nationalarchives.gov.uk/doc/open-government-licence/version/2/')).toBe('OGL-UK-2.0')
    expect(mapLicence('https://creativecommons.org/licenses/by/4.0/legalcode')).toBe('CC-BY-4.0')
    expect(mapLicence('http://publications.europa.eu/resource/authority/licence/CC_BY_4_0')).toBe('CC-BY-4.0')
    expect(mapLicence('odc-odbl')).toBe('ODbL-1.0')
    expect(mapLicence('https://creativecommons.org/publicdomain/zero/1.0/')).toBe('CC0-1.0')
    // Public-domain marks are as free as CC0.
    expect(mapLicence('http://www.usa.gov/publicdomain/label/1.0/')).toBe('CC0-1.0')
    // "Not given" is not "unknown": the default applies without a warning.
    expect(mapLicence('notspecified')).toBeNull()
    expect(mapLicence('')).toBeNull()
    expect(mapLicence('https://project-open-data.cio.gov/unknown-license')).toBeUndefined()
    expect(mapLicence('cc-nc')).toBeUndefined()
  })

  it('reads frequencies from ISO 8601, EU IRIs and plain words, taking the nearest when there is no match', () => {
    expect(mapFrequency('R/P1M')).toEqual({ code: 'monthly', exact: true })
    expect(mapFrequency('R/P1Y')).toEqual({ code: 'annual', exact: true })
    expect(mapFrequency('irregular')).toEqual({ code: 'irregular', exact: true })
    expect(mapFrequency('http://publications.europa.eu/resource/authority/frequency/QUARTERLY')).toEqual({ code: 'quarterly', exact: true })
    expect(mapFrequency('http://publications.europa.eu/resource/authority/frequency/BIWEEKLY')).toEqual({ code: 'fortnightly', exact: true })
    expect(mapFrequency('http://purl.org/cld/freq/weekly')).toEqual({ code: 'weekly', exact: true })
    expect(mapFrequency('Annually')).toEqual({ code: 'annual', exact: true })
    expect(mapFrequency('yearly')).toEqual({ code: 'annual', exact: true })
    expect(mapFrequency('weekly')).toEqual({ code: 'weekly', exact: true })
    expect(mapFrequency('http://publications.europa.eu/resource/authority/frequency/HOURLY')).toEqual({ code: 'daily', exact: false })
    expect(mapFrequency('R/P2Y')).toEqual({ code: 'annual', exact: false })
    expect(mapFrequency('R/PT1H')).toEqual({ code: 'daily', exact: false })
    expect(mapFrequency('R/P4M')).toEqual({ code: 'quarterly', exact: false })
    expect(mapFrequency('every full moon')).toBeUndefined()
    expect(mapFrequency('')).toBeUndefined()
  })

  it('reads access levels from data.json and EU access rights', () => {
    expect(mapAccessLevel('public')).toBe('open')
    expect(mapAccessLevel('restricted public')).toBe('restricted')
    expect(mapAccessLevel('non-public')).toBe('non-public')
    expect(mapAccessLevel('http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC')).toBe('non-public')
    expect(mapAccessLevel('http://publications.europa.eu/resource/authority/access-right/RESTRICTED')).toBe('restricted')
    expect(mapAccessLevel('secret squirrel')).toBeUndefined()
  })

  it('takes the reason a dataset is not open from its rights statement, never inventing one', () => {
    expect(accessReasonFor('Contains names and addresses of private individuals (personal data).')).toBe('personal-data')
    expect(accessReasonFor('Commercially confidential: supplier prices.')).toBe('commercial-confidentiality')
    expect(accessReasonFor('Derived from Ordnance Survey data under licence.')).toBe('third-party-rights')
    expect(accessReasonFor('Withheld for reasons of public safety.')).toBe('national-security')
    expect(accessReasonFor('Preparing it for publication would take a disproportionate cost.')).toBe('disproportionate-cost')
    expect(accessReasonFor('Not published.')).toBeUndefined()
    expect(accessReasonFor(undefined)).toBeUndefined()
  })

  it('keeps EU themes only, from IRIs, codes or labels', () => {
    expect(mapThemes(['http://publications.europa.eu/resource/authority/data-theme/TRAN', 'envi', 'Health', 'geospatial', 'TRAN'])).toEqual(['TRAN', 'ENVI', 'HEAL'])
    expect(mapThemes(['Economic Development'])).toEqual([])
  })

  it('reads periods, places and contacts', () => {
    expect(parseInterval('2019-04-01/2020-03-31')).toEqual({ start: '2019-04-01', end: '2020-03-31' })
    expect(parseInterval('2015/2020')).toEqual({ start: '2015-01-01', end: '2020-12-31' })
    expect(parseInterval('2000-01-15T00:45:00Z/2010-01-15T00:06:00Z')).toEqual({ start: '2000-01-15', end: '2010-01-15' })
    expect(parseInterval('2024-02')).toEqual({ start: '2024-02-01', end: '2024-02-29' })
    expect(parseInterval('2019-01-01/P1Y')).toEqual({ start: '2019-01-01', end: null })
    expect(parseInterval('R/2019-01-01/P1M')).toEqual({ start: '2019-01-01', end: null })
    expect(parseInterval('2019-02-30/2020-01-01')).toBeUndefined()
    expect(parseInterval('last year')).toBeUndefined()
    expect(gssCodeOf(['-134.9,21.0,-56.9,52.3'])).toBeUndefined()
    expect(gssCodeOf(['http://statistics.data.gov.uk/id/statistical-geography/E08000009'])).toBe('E08000009')
    expect(emailOf('mailto:Alexis.Graves@ocio.usda.gov')).toBe('Alexis.Graves@ocio.usda.gov')
    expect(emailOf('the data team')).toBeUndefined()
  })
})
