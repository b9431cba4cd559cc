/*
 * Amounts are integer pence everywhere they are stored or computed, so no sum is ever a
 * fraction of a penny out. People write pounds: `1250`, `1,250.00`, `£1250`, `£1.2m`.
 */

const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/
const SCALED = /^(\d+(?:\.\d+)?)\s*(k|m|bn)$/i
const SCALE: Record<string, number> = { k: 1_000, m: 1_000_000, bn: 1_000_000_000 }

/** The largest amount accepted: £10 billion (well inside exact integers). */
export const MAX_PENCE = 1_000_000_000_000

/** Pounds as people write them, in pence; or why it is not an amount. Blank is `null`. */
export function parsePounds(text: string): { pence: number | null } | { problem: string } {
  const cleaned = text.trim().replace(/^£\s*/, '').replace(/\s*(gbp|£)$/i, '').replace(/^gbp\s*/i, '').trim()
  if (cleaned === '' || cleaned === '-') return { pence: null }
  if (/^[-(]/.test(cleaned)) return { problem: 'must not be negative' }
  let pence: number
  const plain = AMOUNT.exec(cleaned.replace(/\s/g, ''))
  const scaled = SCALED.exec(cleaned)
  if (plain) {
    pence = Number(plain[1]!.replace(/,/g, '')) * 100 + Number((plain[2] ?? '').padEnd(2, '0'))
  } else if (scaled) {
    pence = Math.round(Number(scaled[1]) * SCALE[scaled[2]!.toLowerCase()]! * 100)
  } else if (/^\d[\d,]*\.\d{3,}$/.test(cleaned)) {
    return { problem: 'has more than two decimal places: give pounds and pence, like 1250.00' }
  } else {
    return { problem: 'is not an amount in pounds: write it like 1250, 1,250.00 or £1250' }
  }
  if (!Number.isSafeInteger(pence) || pence > MAX_PENCE) return { problem: 'is too large: the most is £10 billion' }
  return { pence }
}

/** `£1,250.00`, or `£1,250` for whole pounds when `wholePounds` is set. */
export function formatPence(pence: number | null | undefined, options: { wholePounds?: boolean } = {}): string {
  if (pence === null || pence === undefined) return ''
  const pounds = Math.trunc(pence / 100)
  const rest = Math.abs(pence % 100)
  const whole = `£${pounds.toLocaleString('en-GB')}`
  return options.wholePounds && rest === 0 ? whole : `${whole}.${String(rest).padStart(2, '0')}`
}

/** Pence as the form shows it for editing: `1250.00`, no symbol or separators. */
export function penceInput(pence: number | null | undefined): string {
  if (pence === null || pence === undefined) return ''
  return `${Math.trunc(pence / 100)}.${String(pence % 100).padStart(2, '0')}`
}
