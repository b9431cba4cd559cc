import type { CatalogueFilter } from '../datasets/catalogue.js'

/**
 * How many datasets match a catalogue filter, remembered for a few seconds. Counting 200,000
 * rows costs PostgreSQL tens of milliseconds on every page, more than the rest of the page;
 * `hydra:totalItems` may lag that long behind, while whether there is a next page is always
 * decided from the rows read (see describe-catalog.ts), so a harvester never stops early.
 */
export class CachedCount {
  private readonly entries = new Map<string, { value: Promise<number>; expires: number }>()

  constructor(
    private readonly count: (filter: CatalogueFilter) => Promise<number>,
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 500,
  ) {}

  get(filter: CatalogueFilter, now = Date.now()): Promise<number> {
    const key = JSON.stringify([filter.organisationId ?? null, filter.modifiedSince ?? null, filter.openOnly ?? false])
    const cached = this.entries.get(key)
    if (cached && cached.expires > now) return cached.value
    if (this.entries.size >= this.maxEntries) this.evictExpired(now)
    // The promise is kept, so requests arriving together share one count.
    const value = this.count(filter)
    this.entries.set(key, { value, expires: now + this.ttlMs })
    value.catch(() => this.entries.delete(key))
    return value
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key)
    // Still full of live counts (many different modified_since values): start again.
    if (this.entries.size >= this.maxEntries) this.entries.clear()
  }
}
