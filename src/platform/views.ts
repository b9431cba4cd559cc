import path from 'node:path'
import nunjucks from 'nunjucks'
import { projectRoot, sourceRoot } from '../paths.js'
import type { FieldError } from './errors.js'

export const govukFrontendDist = path.join(projectRoot, 'node_modules', 'govuk-frontend', 'dist')

/**
 * One Nunjucks environment for every page. Feature templates are named from `src/features`
 * (`organisations/templates/list.njk`), platform ones from `src/platform/templates`.
 */
export function createViewEnvironment(options: { reloadTemplates?: boolean } = {}): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader(
    [govukFrontendDist, path.join(sourceRoot, 'platform', 'templates'), path.join(sourceRoot, 'features')],
    { noCache: options.reloadTemplates ?? false },
  )
  const env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false })
  env.addFilter('date', formatDate)
  env.addFilter('dateTime', formatDateTime)
  env.addFilter('number', (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-GB') : n))
  env.addFilter('json', (value: unknown) => JSON.stringify(value, null, 2))
  return env
}

export function formatDate(value: unknown): string {
  if (!value) return ''
  const d = new Date(String(value))
  if (Number.isNaN(d.getTime())) return String(value)
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' })
}

export function formatDateTime(value: unknown): string {
  if (!value) return ''
  const d = new Date(String(value))
  if (Number.isNaN(d.getTime())) return String(value)
  return d.toLocaleString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    hour12: true,
    timeZone: 'Europe/London',
  })
}

/**
 * What a form template needs to show errors the GOV.UK way: the summary at the top linking to
 * each field, and the message beside the field.
 */
export function formErrors(fields: FieldError[]) {
  return {
    summary: fields.map((f) => ({ text: f.message, href: `#${f.name}` })),
    byField: Object.fromEntries(fields.map((f) => [f.name, { text: f.message }])),
  }
}
