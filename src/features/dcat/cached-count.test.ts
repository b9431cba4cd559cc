import { describe, expect, it } from 'vitest'
import { CachedCount } from './cached-count.js'

describe('the cached catalogue count', () => {
  it('counts each filter once per period, shares a count in flight and forgets failures', async () => {
    const asked: string[] = []
    let fail = false
    const cache = new CachedCount(async (filter) => {
      asked.push(filter.modifiedSince ?? 'all')
      if (fail) throw new Error('database down')
      return asked.length
    }, 1000)
    const [first, second] = await Promise.all([cache.get({}, 0), cache.get({}, 10)])
    expect([first, second]).toEqual([1, 1])
    expect(await cache.get({ modifiedSince: '2026-01-01T00:00:00.000Z' }, 20)).toBe(2)
    expect(await cache.get({}, 999)).toBe(1)
    expect(await cache.get({}, 1000)).toBe(3)
    expect(asked).toEqual(['all', '2026-01-01T00:00:00.000Z', 'all'])

    fail = true
    await expect(cache.get({ openOnly: true }, 2000)).rejects.toThrow('database down')
    fail = false
    expect(await cache.get({ openOnly: true }, 2001)).toBe(5)
  })
})
