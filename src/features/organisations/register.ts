import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { sourceRoot } from '../../paths.js'
import { slugify } from '../../platform/slug.js'
import type { RegisterEntry } from './service.js'

export const REGISTER_FILE = path.join(sourceRoot, 'features', 'organisations', 'seed', 'uk_local_authorities_current.csv')

/**
 * Reads mySociety's register of UK local authorities (CC BY 4.0), keeping the current ones.
 * The slug is GOV.UK's own where the register has one; newer councils (Cumberland, 2023) have
 * none yet, so theirs is made from the name and kept unique.
 */
export function readLocalAuthorityRegister(file = REGISTER_FILE): RegisterEntry[] {
  const records: Record<string, string>[] = parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true })
  const current = records.filter((r) => r['current-authority'] === 'True')
  const taken = new Set(current.map((r) => r['gov-uk-slug']).filter(Boolean))
  return current.map((r) => {
    let slug = r['gov-uk-slug'] || ''
    if (!slug) {
      slug = slugify(r['nice-name'] ?? r['official-name'] ?? '')
      if (taken.has(slug)) slug = slugify(r['official-name'] ?? '')
      taken.add(slug)
    }
    return {
      slug,
      name: r['official-name']!,
      shortName: r['nice-name'] || r['official-name']!,
      gssCode: r['gss-code']!,
      type: r['local-authority-type']!,
      nation: r['nation']!,
      region: r['region'] || null,
      lat: r['lat'] ? Number(r['lat']) : null,
      lon: r['long'] ? Number(r['long']) : null,
    }
  })
}
