/**
 * Kinds of public body. Local authority codes are the register's own (`local-authority-type`);
 * the rest are bodies a platform admin adds by hand.
 */
export const ORGANISATION_TYPES: Record<string, string> = {
  CTY: 'County council',
  NMD: 'Non-metropolitan district',
  MD: 'Metropolitan district',
  LBO: 'London borough',
  UA: 'Unitary authority',
  SCO: 'Scottish unitary authority',
  WPA: 'Welsh unitary authority',
  NID: 'Northern Ireland district',
  CC: 'City corporation',
  COMB: 'Combined authority',
  SRA: 'Strategic regional authority',
  'central-department': 'Central government department',
  agency: 'Executive agency or arm’s-length body',
  nhs: 'NHS body',
  police: 'Police force or commissioner',
  fire: 'Fire and rescue authority',
  parish: 'Parish or town council',
  'supporting-body': 'Supporting body (national association)',
  other: 'Other public body',
}

/** The kinds a platform admin may choose when adding a body by hand. */
export const ADDABLE_TYPES = ['central-department', 'agency', 'nhs', 'police', 'fire', 'parish', 'supporting-body', 'other']

export const NATIONS = ['England', 'Scotland', 'Wales', 'Northern Ireland']

export function typeLabel(code: string): string {
  return ORGANISATION_TYPES[code] ?? code
}
