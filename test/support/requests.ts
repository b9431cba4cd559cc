import { expect } from 'vitest'
import { ValidationError } from '../../src/platform/errors.js'

/* Helpers for the data request service tests. */

/** A request for new data, to Trafford: what most tests ask. */
export const POTHOLES = { kind: 'new', title: 'Potholes reported and repaired', description: 'Every pothole reported, where, and when it was repaired.', reason: 'To see which roads wait longest.', organisation: 'trafford' }

/** When the tests ask: Friday 20 March 2026, so the 20 working days run over Easter. */
export const ASKED = new Date('2026-03-20T10:00:00Z')

export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  )
}

export function fieldsOf(error: unknown): string[] {
  expect(error).toBeInstanceOf(ValidationError)
  return (error as ValidationError).fields.map((f) => f.name).sort()
}
