/**
 * A least-recently-used cache bounded by the total weight of what it holds (for arrays of
 * positions, their length), so a few huge entries cannot take all the memory.
 */
export class WeightedCache<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>()
  private weight = 0

  constructor(private readonly maxWeight: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    // Re-inserting keeps the most used entries at the young end of the map.
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.value
  }

  set(key: string, value: V, weight: number): void {
    if (weight > this.maxWeight) return
    const existing = this.entries.get(key)
    if (existing) {
      this.weight -= existing.weight
      this.entries.delete(key)
    }
    this.entries.set(key, { value, weight })
    this.weight += weight
    for (const [oldest, entry] of this.entries) {
      if (this.weight <= this.maxWeight) break
      this.entries.delete(oldest)
      this.weight -= entry.weight
    }
  }
}
