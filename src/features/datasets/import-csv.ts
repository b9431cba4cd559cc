import { finished } from 'node:stream/promises'
import { parse } from 'csv-parse'
import { csvErrorReason, LineCounter } from '../../platform/csv-input.js'
import { COLUMNS, REQUIRED_COLUMNS, type Column } from './import-template.js'
import type { ImportOptions, ImportReport } from '../../platform/import-report.js'
import { checkRow, type CheckedRow } from './import-rows.js'

// The import and its routes read the decoder through this module.
export { decodeCsv } from '../../platform/csv-input.js'

/** How much of the file is read at a time, and so how often progress is told. */
const CHUNK_BYTES = 64 * 1024

/** The template column a header names: case, spaces and surrounding blanks do not matter. */
function headerColumn(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_')
}

/**
 * Streams the file through csv-parse a chunk at a time, checking each record and handing valid
 * and invalid rows alike to `handle` in order. Lines are counted from the bytes, because a
 * record's line is where it starts and csv-parse only says where it ends.
 */
export async function readRows(
  text: Buffer,
  report: ImportReport,
  onProgress: ImportOptions['onProgress'],
  handle: (rows: CheckedRow[]) => Promise<void>,
): Promise<void> {
  // Records are taken from `on_record` rather than read from the stream: a stream that fails
  // drops the records it had parsed before the failure, and those must still be reported.
  const parsed: { record: string[]; end: number }[] = []
  let failure: unknown
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    on_record: (record: string[], context: { bytes: number }) => {
      parsed.push({ record, end: context.bytes })
      return null
    },
  })
  parser.on('error', (error) => (failure ??= error))
  const lines = new LineCounter(text)
  let header: { columns: (Column | null)[]; present: ReadonlySet<Column>; line: number } | undefined

  const drain = async () => {
    const batch: CheckedRow[] = []
    let end = 0
    for (const record of parsed.splice(0)) {
      const line = lines.startOfNextRecord()
      lines.advanceTo(record.end)
      end = record.end
      if (report.fileRejected) continue
      if (record.record.every((cell) => cell.trim() === '')) continue
      if (!header) {
        header = readHeader(record.record, line, report)
        continue
      }
      report.rows += 1
      batch.push(checkRow(record.record, header.columns, header.present, line))
    }
    if (batch.length > 0 && !report.fileRejected) {
      await handle(batch)
      onProgress?.(end, text.length)
    }
  }

  for (let offset = 0; offset < text.length && !failure && !report.fileRejected; offset += CHUNK_BYTES) {
    parser.write(text.subarray(offset, offset + CHUNK_BYTES))
    await drain()
  }
  if (!failure && !report.fileRejected) {
    parser.end()
    await finished(parser, { readable: false }).catch(() => {})
    await drain()
  }
  parser.destroy()

  if (failure && !report.fileRejected) {
    const code = (failure as { code?: unknown }).code
    if (typeof code !== 'string' || !code.startsWith('CSV_')) throw failure
    report.rejected.push({ line: lines.startOfNextRecord(), column: '', reason: `The file cannot be read from this line on: ${csvErrorReason(code)}` })
    report.fileRejected = true
    return
  }
  if (!header && !report.fileRejected) {
    report.rejected.push({ line: 1, column: '', reason: 'The file is empty: it needs a header row and a row for each dataset' })
    report.fileRejected = true
  }
  onProgress?.(text.length, text.length)
}

function readHeader(record: string[], line: number, report: ImportReport): { columns: (Column | null)[]; present: ReadonlySet<Column>; line: number } {
  const known = new Set<string>(COLUMNS)
  const seen = new Set<string>()
  const columns = record.map((raw) => {
    const name = headerColumn(raw)
    if (!name) return null
    if (!known.has(name)) {
      report.warnings.push({ line, column: raw.trim(), reason: 'This column is not in the template, so it was ignored' })
      return null
    }
    if (seen.has(name)) {
      report.rejected.push({ line, column: name, reason: 'This column appears more than once' })
      report.fileRejected = true
    }
    seen.add(name)
    return name as Column
  })
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) {
      report.rejected.push({ line, column: required, reason: `The file has no ${required} column: start from the template` })
      report.fileRejected = true
    }
  }
  return { columns, present: seen as Set<Column>, line }
}

