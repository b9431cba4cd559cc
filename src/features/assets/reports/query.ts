import type { FieldError } from '../../../platform/errors.js'
import { ValidationError } from '../../../platform/errors.js'
import { first } from '../search/query.js'
import type { ReplacementFilters } from './joint-procurement.js'
import type { UnderusedFilters } from './underused.js'

/*
 * The reports' pages read their filters from the address leniently: a value that is not one is
 * shown in the error summary and the report is drawn without it, rather than refused.
 */

const NUMBER = /^\d{1,3}(\.\d+)?$/

/** What the page's form was given, as typed, for showing it again. */
export type Typed = Record<string, string>

export function underusedInput(query: Record<string, unknown>): { input: UnderusedFilters; typed: Typed; errors: FieldError[] } {
  const typed: Typed = {}
  for (const name of ['threshold', 'body', 'class', 'region']) typed[name] = (first(query[name]) ?? '').trim()
  const errors: FieldError[] = []
  const input: UnderusedFilters = {}
  if (typed.threshold) {
    const text = typed.threshold.replace(/\s*%$/, '')
    if (NUMBER.test(text)) input.threshold = Number(text)
    else errors.push({ name: 'threshold', message: 'Utilisation threshold must be a number, like 40' })
  }
  if (typed.body) input.body = typed.body
  if (typed.class) input.class = typed.class
  if (typed.region) input.region = typed.region
  return { input, typed, errors }
}

export function replacementInput(query: Record<string, unknown>): { input: ReplacementFilters; typed: Typed; errors: FieldError[] } {
  const typed: Typed = {}
  for (const name of ['years', 'level', 'minBodies']) typed[name] = (first(query[name]) ?? '').trim()
  const errors: FieldError[] = []
  const input: ReplacementFilters = {}
  for (const name of ['years', 'minBodies'] as const) {
    if (!typed[name]) continue
    if (/^\d{1,3}$/.test(typed[name]!)) input[name] = Number(typed[name])
    else errors.push({ name, message: name === 'years' ? 'Choose 1, 2 or 5 years' : 'The least number of bodies must be a whole number' })
  }
  if (typed.level) input.level = typed.level
  return { input, typed, errors }
}

/**
 * Runs the report; when the service refuses some of the filters, runs it again without them
 * and hands back every problem found, for the page's error summary.
 */
export async function leniently<I extends object, R>(input: I, errors: FieldError[], run: (input: I) => Promise<R>): Promise<{ result: R; errors: FieldError[] }> {
  try {
    return { result: await run(input), errors }
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    const refused = new Set(error.fields.map((f) => f.name))
    const kept = Object.fromEntries(Object.entries(input).filter(([name]) => !refused.has(name))) as I
    return { result: await run(kept), errors: [...errors, ...error.fields] }
  }
}
