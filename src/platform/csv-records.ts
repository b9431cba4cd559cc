import { finished } from 'node:stream/promises'
import { parse } from 'csv-parse'
import { csvErrorReason, LineCounter } from './csv-input.js'

/** One record of a CSV file and the physical line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number
  cells: string[]
}

export interface CsvReadResult {
  /** Where and why the file stopped being readable as CSV, if it did. */
  failure?: { line: number; reason: string }
}

/**
 * Streams CSV text through csv-parse and hands its records to `handle` in batches, in file
 * order, with the line each starts on. Only one batch is in memory at a time, so a file of
 * millions of rows is read in flat memory. Blank records are skipped. `handle` returns `false`
 * to stop reading (a header it cannot use). Records a broken file had before the break are
 * still handed over, then the break is returned.
 */
export async function readCsvRecords(
  chunks: AsyncIterable<Buffer>,
  batchSize: number,
  handle: (records: CsvRecord[], bytesRead: number) => Promise<boolean | void>,
): Promise<CsvReadResult> {
  // Records are taken from `on_record` rather than read from the stream: a stream that fails
  // drops the records it had parsed before the failure, and those must still be reported.
  const parsed: { cells: string[]; end: number }[] = []
  let failure: unknown
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // Files pasted together from several sources mix line endings; csv-parse would otherwise
    // take the first one it meets as the only one.
    record_delimiter: ['\r\n', '\n', '\r'],
    on_record: (cells: string[], context: { bytes: number }) => {
      parsed.push({ cells, end: context.bytes })
      return null
    },
  })
  parser.on('error', (error) => (failure ??= error))
  const lines = new LineCounter()
  let batch: CsvRecord[] = []
  let bytesRead = 0
  let stopped = false

  const flush = async () => {
    if (batch.length === 0 || stopped) return
    const records = batch
    batch = []
    if ((await handle(records, bytesRead)) === false) stopped = true
  }
  const take = async () => {
    for (const { cells, end } of parsed.splice(0)) {
      const line = lines.startOfNextRecord()
      lines.advanceTo(end)
      if (stopped || cells.every((cell) => cell.trim() === '')) continue
      batch.push({ line, cells })
      if (batch.length >= batchSize) await flush()
    }
  }

  for await (const chunk of chunks) {
    if (failure || stopped) break
    lines.push(chunk)
    bytesRead += chunk.length
    parser.write(chunk)
    await take()
  }
  if (!failure && !stopped) {
    parser.end()
    await finished(parser, { readable: false }).catch(() => {})
  }
  await take()
  await flush()
  parser.destroy()

  if (failure && !stopped) {
    const code = (failure as { code?: unknown }).code
    if (typeof code !== 'string' || !code.startsWith('CSV_')) throw failure
    return { failure: { line: lines.startOfNextRecord(), reason: `The file cannot be read from this line on: ${csvErrorReason(code)}` } }
  }
  return {}
}
