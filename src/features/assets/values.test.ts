import { describe, expect, it } from 'vitest'
import { fromBng, fromWgs84, readCoordinates } from './coordinates.js'
import { cpvDivision, cpvLabel, parseCpv, searchCpv } from './cpv.js'
import { formatPence, parsePounds, penceInput } from './money.js'
import { parseDate, parseDecimal, parseEnergyRating, parsePercent, parsePostcode, parseUprn, SQUARE_METRES } from './parse-values.js'

describe('amounts in pounds', () => {
  it('reads what people write, exactly, in pence', () => {
    expect(parsePounds('1250')).toEqual({ pence: 125_000 })
    expect(parsePounds('1,250.00')).toEqual({ pence: 125_000 })
    expect(parsePounds('£1250')).toEqual({ pence: 125_000 })
    expect(parsePounds('£ 1,250.5')).toEqual({ pence: 125_050 })
    expect(parsePounds('0.07')).toEqual({ pence: 7 })
    expect(parsePounds('1250 GBP')).toEqual({ pence: 125_000 })
    expect(parsePounds('£1.2m')).toEqual({ pence: 120_000_000 })
    expect(parsePounds('250k')).toEqual({ pence: 25_000_000 })
    expect(parsePounds('')).toEqual({ pence: null })
    expect(parsePounds('-')).toEqual({ pence: null })
  })
  it('refuses what is not an amount of pounds and pence', () => {
    expect(parsePounds('twelve')).toHaveProperty('problem')
    expect(parsePounds('1,25')).toHaveProperty('problem')
    expect(parsePounds('12.345')).toEqual({ problem: expect.stringMatching(/more than two decimal places/) })
    expect(parsePounds('-5')).toEqual({ problem: 'must not be negative' })
    expect(parsePounds('(1,250.00)')).toEqual({ problem: 'must not be negative' })
    expect(parsePounds('99999999999')).toEqual({ problem: expect.stringMatching(/too large/) })
  })
  it('writes pence as pounds', () => {
    expect(formatPence(125_050)).toBe('£1,250.50')
    expect(formatPence(125_000, { wholePounds: true })).toBe('£1,250')
    expect(formatPence(7)).toBe('£0.07')
    expect(formatPence(null)).toBe('')
    expect(penceInput(125_005)).toBe('1250.05')
  })
})

describe('values from registers', () => {
  it('reads ISO and UK dates, refusing impossible ones', () => {
    expect(parseDate('2024-04-01')).toEqual({ value: '2024-04-01' })
    expect(parseDate('1/4/2024')).toEqual({ value: '2024-04-01' })
    expect(parseDate('01.04.2024')).toEqual({ value: '2024-04-01' })
    expect(parseDate('2023-09-29T00:00:00')).toEqual({ value: '2023-09-29' })
    expect(parseDate('2024-02-30')).toHaveProperty('problem')
    expect(parseDate('04/31/2024')).toHaveProperty('problem')
    expect(parseDate('next week')).toHaveProperty('problem')
  })
  it('keeps UPRNs as text with their leading zeros, and spots spreadsheet damage', () => {
    expect(parseUprn('010012345678')).toEqual({ value: '010012345678' })
    expect(parseUprn(' 100012797623 ')).toEqual({ value: '100012797623' })
    expect(parseUprn('100012797623.0')).toEqual({ value: '100012797623' })
    expect(parseUprn('1.00012E+11')).toEqual({ problem: expect.stringMatching(/spreadsheet/) })
    expect(parseUprn('1234567890123')).toHaveProperty('problem')
    expect(parseUprn('')).toEqual({ value: null })
  })
  it('reads postcodes whole or in part, keeping others as written but flagged', () => {
    expect(parsePostcode('m320th')).toEqual({ value: 'M32 0TH', valid: true })
    expect(parsePostcode('WA14  1PF')).toEqual({ value: 'WA14 1PF', valid: true })
    expect(parsePostcode('M31')).toEqual({ value: 'M31', valid: true })
    expect(parsePostcode('WA14 1')).toEqual({ value: 'WA14 1', valid: true })
    expect(parsePostcode('M32 OXZ')).toEqual({ value: 'M32 OXZ', valid: false })
  })
  it('reads numbers with separators and units, and percentages without guessing at fractions', () => {
    expect(parseDecimal('1,047.5')).toEqual({ value: 1047.5 })
    expect(parseDecimal('1,047 m2', SQUARE_METRES)).toEqual({ value: 1047 })
    expect(parseDecimal('415 m²', SQUARE_METRES)).toEqual({ value: 415 })
    expect(parseDecimal('12 acres', SQUARE_METRES)).toHaveProperty('problem')
    expect(parsePercent('85%')).toEqual({ value: 85 })
    expect(parsePercent('0.85')).toEqual({ problem: expect.stringMatching(/fraction/) })
    expect(parsePercent('0.5%')).toEqual({ value: 0.5 })
    expect(parsePercent('120')).toHaveProperty('problem')
  })
  it('reads energy ratings', () => {
    expect(parseEnergyRating('d (96)')).toEqual({ value: 'D' })
    expect(parseEnergyRating('A+')).toEqual({ value: 'A+' })
    expect(parseEnergyRating('DEC')).toHaveProperty('problem')
  })
})

describe('CPV 2008', () => {
  it('accepts a code with or without its check digit, and checks both against the list', () => {
    expect(parseCpv('30200000')).toEqual({ code: '30200000' })
    expect(parseCpv('30200000-1')).toEqual({ code: '30200000' })
    expect(parseCpv(' 30200000-1 Computer equipment and supplies')).toEqual({ code: '30200000' })
    expect(parseCpv('30200000-7')).toEqual({ problem: expect.stringMatching(/check digit of 30200000 is 1/) })
    expect(parseCpv('99999999')).toEqual({ problem: expect.stringMatching(/not in the CPV 2008 list/) })
    expect(parseCpv('302')).toHaveProperty('problem')
  })
  it('shows codes with their labels and divisions', () => {
    expect(cpvLabel('30200000')).toBe('Computer equipment and supplies')
    expect(cpvDivision('30213100')).toEqual({ code: '30', label: 'Office and computing machinery, equipment and supplies except furniture and software packages' })
  })
  it('finds codes by prefix: 302 and 30200000 both find computer equipment and what is under it', () => {
    for (const q of ['302', '30200000', '30200000-1']) {
      const found = searchCpv(q, 500)
      expect(found.items[0]).toMatchObject({ code: '30200000', label: 'Computer equipment and supplies' })
      expect(found.items.every((e) => e.code.startsWith('302'))).toBe(true)
      expect(found.items.map((e) => e.code)).toContain('30213100')
    }
    // A division's code stands for the whole division, not every code starting with its first digit.
    expect(searchCpv('30000000', 2000).items.every((e) => e.code.startsWith('30'))).toBe(true)
  })
  it('finds codes by words, broader codes first', () => {
    const found = searchCpv('computer equipment')
    expect(found.items[0]!.code).toBe('30200000')
    expect(found.items.every((e) => /computer/i.test(e.label) && /equipment/i.test(e.label))).toBe(true)
    expect(searchCpv('zzzz')).toEqual({ total: 0, items: [] })
  })
})

describe('coordinates', () => {
  it('converts WGS84 to British National Grid and back with the EPSG:27700 definition', () => {
    // Altrincham Town Hall.
    const town = fromWgs84(53.3879587, -2.3520922)
    expect(town.easting).toBeCloseTo(376680, -1)
    expect(town.northing).toBeCloseTo(387960, -1)
    const back = fromBng(town.easting, town.northing)
    expect(back.lat).toBeCloseTo(53.3879587, 6)
    expect(back.lon).toBeCloseTo(-2.3520922, 6)
    expect(back.sourceCrs).toBe('EPSG:27700')
  })
  it('tells the system from the numbers when the register does not say, or says wrong', () => {
    expect(readCoordinates(-2.35, 53.38, undefined)).toMatchObject({ location: { sourceCrs: 'EPSG:4326', lat: 53.38, lon: -2.35 } })
    expect(readCoordinates(376680, 387960, undefined)).toMatchObject({ location: { sourceCrs: 'EPSG:27700', easting: 376680 } })
    expect(readCoordinates(376680, 387960, 'EPSG:4326')).toMatchObject({ location: { sourceCrs: 'EPSG:27700' }, note: expect.stringMatching(/British National Grid metres although/) })
    expect(readCoordinates(53.457484, -2.365856, 'EPSG:4326')).toMatchObject({ location: { lat: 53.457484, lon: -2.365856 }, note: expect.stringMatching(/wrong way round/) })
    expect(readCoordinates(0, 0, undefined)).toMatchObject({ location: null, note: expect.stringMatching(/not known/) })
    expect(readCoordinates(-74, 40.7, undefined)).toHaveProperty('problem')
    expect(readCoordinates(900000, 100, undefined)).toHaveProperty('problem')
  })
})
