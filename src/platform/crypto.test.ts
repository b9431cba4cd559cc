import { describe, expect, it } from 'vitest'
import { newId } from './crypto.js'

describe('record ids', () => {
  it('are UUIDs of version 7: the time they were made, a counter, then random bits', () => {
    const before = Date.now()
    const id = newId()
    const after = Date.now()
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const made = parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
    expect(made).toBeGreaterThanOrEqual(before)
    expect(made).toBeLessThanOrEqual(after)
  })

  it('sort in the order they were made, and never repeat, across refills of the random pool', async () => {
    const first = Array.from({ length: 5000 }, newId)
    await new Promise((resolve) => setTimeout(resolve, 5))
    const later = Array.from({ length: 5000 }, newId)
    expect(new Set([...first, ...later]).size).toBe(10_000)
    // Thousands in a millisecond too: a counter keeps them in the order made.
    const all = [...first, ...later]
    expect([...all].sort()).toEqual(all)
  })
})
