import type { FieldErrors } from '../../platform/errors.js'
import { MAX_PENCE, parsePounds } from '../assets/money.js'
import { parseDate, textOf } from '../assets/parse-values.js'

/* The fields of the sharing forms and API bodies, read the way the asset register reads its own. */

/** An amount: a JSON integer is pence; text is pounds as people write them (`1,250`, `£1250.50`). */
export function moneyField(errors: FieldErrors, name: string, label: string, raw: unknown): number | null {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0 || raw > MAX_PENCE) {
      errors.add(name, `${label} must be a whole number of pence from 0 to 1,000,000,000,000`)
      return null
    }
    return raw
  }
  const parsed = parsePounds(textOf(raw))
  if ('problem' in parsed) {
    errors.add(name, `${label} ${parsed.problem}`)
    return null
  }
  return parsed.pence
}

export function dateField(errors: FieldErrors, name: string, label: string, raw: unknown, requiredMessage?: string): string | null {
  const parsed = parseDate(raw)
  if ('problem' in parsed) {
    errors.add(name, `${label}: ${parsed.problem}`)
    return null
  }
  if (parsed.value === null && requiredMessage) errors.add(name, requiredMessage)
  return parsed.value
}

export function textField(errors: FieldErrors, name: string, label: string, raw: unknown, max: number, requiredMessage?: string): string | null {
  const text = textOf(raw)
  if (!text) {
    if (requiredMessage) errors.add(name, requiredMessage)
    return null
  }
  if (text.length > max) errors.add(name, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
  return text
}

/** A whole number of working days; blank is the default. */
export function workingDaysField(errors: FieldErrors, name: string, raw: unknown, fallback: number): number {
  const text = textOf(raw)
  if (!text) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 250) {
    errors.add(name, 'The window must be a whole number of working days from 0 to 250')
    return fallback
  }
  return n
}
