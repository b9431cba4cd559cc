/**
 * The first `k` of the indexes `0 … n-1` by `compare`, in order, without sorting the rest: a
 * page of results from a large match set costs one pass, not a sort.
 */
export function best(n: number, k: number, compare: (a: number, b: number) => number): Int32Array {
  const kept: number[] = []
  for (let p = 0; p < n; p++) {
    if (kept.length === k && compare(p, kept[k - 1]!) >= 0) continue
    let lo = 0
    let hi = kept.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (compare(kept[mid]!, p) <= 0) lo = mid + 1
      else hi = mid
    }
    kept.splice(lo, 0, p)
    if (kept.length > k) kept.pop()
  }
  return Int32Array.from(kept)
}
