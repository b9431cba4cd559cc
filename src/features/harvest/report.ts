import { DEFAULT_LICENCE } from '../datasets/vocabularies.js'

/*
 * What a harvest found and did, and how that is told on the page and by the command. It follows
 * the CSV import's report (`datasets/import-report.ts`) field for field where the idea is the
 * same; a catalogue has records and fields rather than lines and columns, so problems name the
 * record (its number, identifier and title) and the source's own field.
 */

export type HarvestFormat = 'datajson' | 'ckan' | 'dcat'

export const HARVEST_FORMATS: { code: HarvestFormat; label: string; hint: string }[] = [
  { code: 'datajson', label: 'data.json (Project Open Data)', hint: 'A catalogue file in the US Project Open Data schema, version 1.1 or 1.0' },
  { code: 'ckan', label: 'CKAN', hint: 'A CKAN portal’s address or its package_search API, read 100 datasets at a time; or a saved package_search answer' },
  { code: 'dcat', label: 'DCAT-AP (Turtle or JSON-LD)', hint: 'A DCAT catalogue in Turtle or JSON-LD; hydra:next links to further pages are followed' },
]

export function isHarvestFormat(value: unknown): value is HarvestFormat {
  return HARVEST_FORMATS.some((f) => f.code === value)
}

export interface HarvestOptions {
  /** Read the source and report what would happen, saving nothing. */
  dryRun?: boolean
  /** Save the readable records even when others are rejected. */
  allowPartial?: boolean
}

/** A problem with a record: its place in the source, how it names itself, and the field at fault. */
export interface HarvestProblem {
  /** The record's position in the source, from 1 across all pages; 0 for the source as a whole. */
  record: number
  identifier: string | null
  title: string | null
  /** The source's field (`license`, `dct:temporal`, `resources`…), or '' for the whole record. */
  field: string
  reason: string
}

/** A dataset the harvest declared or changed (or, in a dry run, would have). */
export interface HarvestChange {
  record: number
  identifier: string
  title: string
  action: 'created' | 'updated'
}

/**
 * What a harvest did. When nothing was saved (a dry run, or rejected records without
 * `allowPartial`), the counts say what harvesting would have done.
 */
export interface HarvestReport {
  /** The address or file name harvested. */
  source: string
  format: HarvestFormat
  /** Documents read: pages of a paged API or catalogue, 1 for a file. */
  pages: number
  records: number
  created: number
  updated: number
  unchanged: number
  rejectedRecords: number
  /** Every problem of every rejected record, in source order. */
  rejected: HarvestProblem[]
  /** What was left out or mapped approximately, without rejecting a record. */
  warnings: HarvestProblem[]
  /** Records declared with a default because the source gave no value. */
  defaults: { themes: number; frequency: number; licence: number }
  changes: HarvestChange[]
  /** The source itself could not be read (unreachable, not JSON, not Turtle…). */
  sourceRejected: boolean
  dryRun: boolean
  allowPartial: boolean
  saved: boolean
}

export function emptyReport(source: string, format: HarvestFormat, options: HarvestOptions): HarvestReport {
  return {
    source,
    format,
    pages: 0,
    records: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejectedRecords: 0,
    rejected: [],
    warnings: [],
    defaults: { themes: 0, frequency: 0, licence: 0 },
    changes: [],
    sourceRejected: false,
    dryRun: Boolean(options.dryRun),
    allowPartial: Boolean(options.allowPartial),
    saved: false,
  }
}

/** What happened, in a heading and a sentence, for the page and the command. */
export function harvestOutcome(report: HarvestReport): { heading: string; detail: string } {
  const records = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'record was' : 'records were'}`
  if (report.sourceRejected) return { heading: 'The catalogue could not be read', detail: 'Nothing was saved.' }
  if (report.dryRun) {
    return report.rejected.length > 0
      ? { heading: 'Dry run: records would be rejected', detail: `Nothing was saved. ${records(report.rejectedRecords)} rejected.` }
      : { heading: 'Dry run: the catalogue can be harvested', detail: 'Nothing was saved. This is what harvesting it would do.' }
  }
  if (!report.saved) return { heading: 'Nothing was harvested', detail: `${records(report.rejectedRecords)} rejected, so nothing was saved. Correct them at the source and harvest again, or allow a partial harvest to keep the readable records.` }
  if (report.rejected.length > 0) return { heading: 'Harvest finished with rejected records', detail: `The readable records were saved. ${records(report.rejectedRecords)} rejected.` }
  return { heading: 'Harvest complete', detail: 'Every record was harvested.' }
}

/** `record 2 “Roundtables” (OPM-0001), field description`: how a problem is named. */
export function problemName(p: Pick<HarvestProblem, 'record' | 'identifier' | 'title' | 'field'>): string {
  if (p.record === 0) return 'source'
  const who = [`record ${p.record}`, p.title ? `“${p.title}”` : '', p.identifier ? `(${p.identifier})` : ''].filter(Boolean).join(' ')
  return p.field ? `${who}, field ${p.field}` : who
}

/** The report as lines of text, for the `lgds harvest` command. */
export function harvestReportText(report: HarvestReport): string[] {
  const { heading, detail } = harvestOutcome(report)
  const lines = [`${heading}. ${detail}`]
  if (!report.sourceRejected) {
    const pages = report.pages === 1 ? '1 page' : `${report.pages} pages`
    lines.push(`Records read: ${report.records} (${pages}). Added: ${report.created}, updated: ${report.updated}, unchanged: ${report.unchanged}, rejected: ${report.rejectedRecords}.`)
    if (report.defaults.themes > 0) lines.push(`${report.defaults.themes} new ${report.defaults.themes === 1 ? 'dataset has' : 'datasets have'} no EU data theme at the source: declared under GOVE (Government and public sector).`)
    if (report.defaults.frequency > 0) lines.push(`${report.defaults.frequency} new ${report.defaults.frequency === 1 ? 'dataset has' : 'datasets have'} no update frequency at the source: declared as irregular.`)
    if (report.defaults.licence > 0) lines.push(`${report.defaults.licence} new ${report.defaults.licence === 1 ? 'dataset has' : 'datasets have'} no licence at the source: declared under ${DEFAULT_LICENCE}.`)
    const would = report.saved ? '' : 'Would be '
    for (const c of report.changes) lines.push(`${would}${would ? c.action : c.action[0]!.toUpperCase() + c.action.slice(1)}: ${problemName({ ...c, field: '' })}`)
  }
  for (const p of report.warnings) lines.push(`Warning: ${problemName(p)}: ${p.reason}`)
  for (const p of report.rejected) lines.push(`${problemName(p)}: ${p.reason}`)
  return lines
}
