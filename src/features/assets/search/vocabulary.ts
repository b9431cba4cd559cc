import { cpvLabel } from '../cpv.js'
import { ASSET_CLASSES, ASSET_STATUSES, CONDITIONS, VALUE_BANDS, type Term } from '../vocabularies.js'

/*
 * The values each facet of the register's search can take, as the in-memory index numbers
 * them. A facet's last number is "not recorded" (`none`), so an asset missing a class or a CPV
 * code can be found and counted: that is what the £1,000 rule is about.
 */

export const NONE = 'none'

export interface FacetTerm {
  code: string
  label: string
}

function withNone(terms: Term[], noneLabel: string): FacetTerm[] {
  return [...terms.map(({ code, label }) => ({ code, label })), { code: NONE, label: noneLabel }]
}

export const CLASS_TERMS = withNone(ASSET_CLASSES, 'Not classified')
export const STATUS_TERMS = withNone(ASSET_STATUSES, 'Status not recorded')
export const CONDITION_TERMS = withNone(CONDITIONS, 'Condition not recorded')
export const AVAILABLE_TERMS: FacetTerm[] = [
  { code: 'yes', label: 'Available to share' },
  { code: 'no', label: 'Not offered for sharing' },
]
export const VALUE_TERMS: FacetTerm[] = [...VALUE_BANDS.map(({ code, label }) => ({ code, label })), { code: 'unknown', label: 'Not valued' }]

/** The CPV 2008 divisions (the first two digits), with their labels, and "no CPV code". */
export const CPV_DIVISION_TERMS: FacetTerm[] = (() => {
  const divisions: FacetTerm[] = []
  for (let d = 0; d < 100; d++) {
    const code = String(d).padStart(2, '0')
    const label = cpvLabel(`${code}000000`)
    if (label) divisions.push({ code, label: `${code} ${label}` })
  }
  return [...divisions, { code: NONE, label: 'No CPV code' }]
})()

/** Code → number within a facet. */
export function numbering(terms: FacetTerm[]): Map<string, number> {
  return new Map(terms.map((t, i) => [t.code, i]))
}

export const CLASS_NUMBER = numbering(CLASS_TERMS)
export const STATUS_NUMBER = numbering(STATUS_TERMS)
export const CONDITION_NUMBER = numbering(CONDITION_TERMS)
export const CPV_DIVISION_NUMBER = numbering(CPV_DIVISION_TERMS)
export const VALUE_NUMBER = numbering(VALUE_TERMS)

/** The value band of an amount in pence (the last band for "not valued"). */
export function valueBand(pence: number | null): number {
  if (pence === null || Number.isNaN(pence)) return VALUE_BANDS.length
  for (let i = 0; i < VALUE_BANDS.length; i++) {
    const band = VALUE_BANDS[i]!
    if (pence >= band.min && (band.max === null || pence < band.max)) return i
  }
  return VALUE_BANDS.length
}

/** A stored code's number, or the facet's "none". */
export function numberOf(table: Map<string, number>, code: string | null): number {
  return (code === null ? undefined : table.get(code)) ?? table.get(NONE)!
}
