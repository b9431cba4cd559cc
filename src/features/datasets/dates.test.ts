import { todayInUk } from '../../platform/uk-date.js'
import { describe, expect, it } from 'vitest'
import { formatPlannedDate, isOverdue, parsePlannedDate, periodEnd, plannedDateInput } from './dates.js'

describe('planned release dates', () => {
  it('reads a day, a month or a quarter, and refuses impossible dates', () => {
    expect(parsePlannedDate('2027-03-15')).toEqual({ date: '2027-03-15', precision: 'day' })
    expect(parsePlannedDate('2027-03')).toEqual({ date: '2027-03-01', precision: 'month' })
    expect(parsePlannedDate('2027-q2')).toEqual({ date: '2027-04-01', precision: 'quarter' })
    expect(parsePlannedDate('2027Q4')).toEqual({ date: '2027-10-01', precision: 'quarter' })
    for (const bad of ['2027-02-30', '2027-13', '2027-Q5', 'March 2027', '', '27-03-15']) expect(parsePlannedDate(bad)).toBeUndefined()
  })

  it('writes them back for people and for forms', () => {
    expect(formatPlannedDate({ date: '2027-03-15', precision: 'day' })).toBe('15 March 2027')
    expect(formatPlannedDate({ date: '2027-06-01', precision: 'month' })).toBe('June 2027')
    expect(formatPlannedDate({ date: '2027-01-01', precision: 'quarter' })).toBe('January to March 2027')
    expect(plannedDateInput({ date: '2027-10-01', precision: 'quarter' })).toBe('2027-Q4')
    expect(plannedDateInput({ date: '2027-06-01', precision: 'month' })).toBe('2027-06')
  })

  it('is overdue only once the whole period has passed unreleased', () => {
    const march = { date: '2027-03-01', precision: 'month' as const }
    expect(periodEnd(march)).toBe('2027-03-31')
    expect(periodEnd({ date: '2024-01-01', precision: 'month' })).toBe('2024-01-31')
    expect(periodEnd({ date: '2024-01-01', precision: 'quarter' })).toBe('2024-03-31')
    expect(periodEnd({ date: '2024-02-01', precision: 'month' })).toBe('2024-02-29')
    expect(isOverdue(march, 'confirmed', '2027-03-31')).toBe(false)
    expect(isOverdue(march, 'confirmed', '2027-04-01')).toBe(true)
    expect(isOverdue(march, 'provisional', '2027-04-01')).toBe(true)
    expect(isOverdue(march, 'released', '2027-04-01')).toBe(false)
    expect(isOverdue(march, 'cancelled', '2027-04-01')).toBe(false)
  })

  it('measures today in UK time', () => {
    expect(todayInUk(new Date('2027-06-30T23:30:00Z'))).toBe('2027-07-01')
    expect(todayInUk(new Date('2027-12-31T23:30:00Z'))).toBe('2027-12-31')
  })
})
