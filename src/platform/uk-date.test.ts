import { afterEach, describe, expect, it, vi } from 'vitest'
import { todayInUk } from './uk-date.js'

describe('today in the UK', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('is the date in London, not in the server’s zone: British Summer Time starts the day an hour early', () => {
    expect(todayInUk(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01')
    expect(todayInUk(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31')
  })

  it('follows the clock, forwards and back, though it remembers its answer for a second', () => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2027-03-01T12:00:00Z'))
    expect(todayInUk()).toBe('2027-03-01')
    vi.setSystemTime(new Date('2027-03-02T12:00:00Z'))
    expect(todayInUk()).toBe('2027-03-02')
    vi.setSystemTime(new Date('2026-01-05T12:00:00Z'))
    expect(todayInUk()).toBe('2026-01-05')
  })
})
