import { describe, expect, it } from 'vitest'
import { addWorkingDays, bankHolidays, easterSunday, isBankHoliday, isWorkingDay } from './working-days.js'

/** England and Wales, as published at https://www.gov.uk/bank-holidays. */
const GOV_UK: Record<number, string[]> = {
  2020: ['2020-01-01', '2020-04-10', '2020-04-13', '2020-05-08', '2020-05-25', '2020-08-31', '2020-12-25', '2020-12-28'],
  2021: ['2021-01-01', '2021-04-02', '2021-04-05', '2021-05-03', '2021-05-31', '2021-08-30', '2021-12-27', '2021-12-28'],
  2022: ['2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19', '2022-12-26', '2022-12-27'],
  2023: ['2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25', '2023-12-26'],
  2024: ['2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26'],
  2025: ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26'],
  2026: ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'],
  2027: ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'],
}

describe('bank holidays in England and Wales', () => {
  for (const [year, dates] of Object.entries(GOV_UK)) {
    it(`matches GOV.UK for ${year}`, () => {
      expect(bankHolidays(Number(year))).toEqual(dates)
    })
  }

  it('finds Easter Sunday by the algorithm', () => {
    expect(['2024', '2025', '2026', '2027', '2038', '2285'].map((y) => easterSunday(Number(y)))).toEqual([
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
      '2038-04-25',
      '2285-03-22',
    ])
  })

  it('gives substitute days when Christmas and Boxing Day both fall at the weekend', () => {
    // 2032: Christmas on a Saturday, Boxing Day on a Sunday.
    expect(bankHolidays(2032).slice(-2)).toEqual(['2032-12-27', '2032-12-28'])
    // 2033: Christmas on a Sunday, Boxing Day on Monday; Christmas is made up on the Tuesday.
    expect(bankHolidays(2033).slice(-2)).toEqual(['2033-12-26', '2033-12-27'])
  })

  it('knows a working day from a weekend or a holiday', () => {
    expect(isWorkingDay('2026-04-02')).toBe(true) // Maundy Thursday
    expect(isWorkingDay('2026-04-03')).toBe(false) // Good Friday
    expect(isWorkingDay('2026-04-04')).toBe(false) // Saturday
    expect(isWorkingDay('2022-09-19')).toBe(false) // the state funeral
    expect(isBankHoliday('2020-05-04')).toBe(false) // moved to 8 May that year
    expect(isBankHoliday('2026-12-26')).toBe(false) // a Saturday: the holiday is on the Monday
    expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError)
  })
})

describe('addWorkingDays', () => {
  it('skips weekends and Easter', () => {
    // Friday 20 March 2026: without Good Friday and Easter Monday it would be 17 April.
    expect(addWorkingDays('2026-03-20', 20)).toBe('2026-04-21')
  })

  it('skips Christmas, the substitute Boxing Day and New Year across the year end', () => {
    expect(addWorkingDays('2026-12-14', 20)).toBe('2027-01-14')
  })

  it('counts from the next working day when the start is a weekend or holiday', () => {
    expect(addWorkingDays('2026-01-03', 1)).toBe('2026-01-05') // Saturday → Monday
    expect(addWorkingDays('2026-01-01', 1)).toBe('2026-01-02') // New Year's Day → Friday
    expect(addWorkingDays('2026-05-22', 1)).toBe('2026-05-26') // Friday before the spring holiday
  })

  it('returns the same day for zero and refuses nonsense', () => {
    expect(addWorkingDays('2026-01-03', 0)).toBe('2026-01-03')
    expect(() => addWorkingDays('2026-01-05', -1)).toThrow(RangeError)
    expect(() => addWorkingDays('2026-01-05', 1.5)).toThrow(RangeError)
    expect(() => addWorkingDays('5 January', 1)).toThrow(RangeError)
  })
})
