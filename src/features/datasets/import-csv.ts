import { readCsvRecords } from '../../platform/csv-records.js'
import { COLUMNS, REQUIRED_COLUMNS, type Column } from './import-template.js'
import type { ImportOptions, ImportReport } from '../../platform/import-report.js'
import { checkRow, type CheckedRow } from './import-rows.js'

// The import and its routes read the decoder through this module.
export { decodeCsv } from '../../platform/csv-input.js'

/** How much of the file is parsed at a time. */
const CHUNK_BYTES = 64 * 1024
/** Rows checked and handed on together. */
const BATCH_ROWS = 1000

/** The template column a header names: case, spaces and surrounding blanks do not matter. */
function headerColumn(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_')
}

/** The decoded file, a chunk at a time, as the shared CSV reader takes it. */
async function* chunksOf(text: Buffer): AsyncIterable<Buffer> {
  for (let offset = 0; offset < text.length; offset += CHUNK_BYTES) yield text.subarray(offset, offset + CHUNK_BYTES)
}

/**
 * Reads the file's records ({@link readCsvRecords}), checks each row against the header and
 * hands valid and invalid rows alike to `handle`, in file order. A header that cannot be used,
 * or a file that stops being CSV, is reported and ends the reading.
 */
export async function readRows(
  text: Buffer,
  report: ImportReport,
  onProgress: ImportOptions['onProgress'],
  handle: (rows: CheckedRow[]) => Promise<void>,
): Promise<void> {
  let header: { columns: (Column | null)[]; present: ReadonlySet<Column>; line: number } | undefined
  const { failure } = await readCsvRecords(chunksOf(text), BATCH_ROWS, async (records, bytesRead) => {
    const batch: CheckedRow[] = []
    for (const { line, cells } of records) {
      if (!header) {
        header = readHeader(cells, line, report)
        if (report.fileRejected) return false
        continue
      }
      report.rows += 1
      batch.push(checkRow(cells, header.columns, header.present, line))
    }
    if (batch.length > 0) {
      await handle(batch)
      onProgress?.(bytesRead, text.length)
    }
    return true
  })
  if (failure && !report.fileRejected) {
    report.rejected.push({ line: failure.line, column: '', reason: failure.reason })
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

