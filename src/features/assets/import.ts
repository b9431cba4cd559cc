import { withImportCache, type Db } from '../../db/connection.js'
import { startOwnTransaction } from '../../db/pg-transaction.js'
import type { Actor } from '../../platform/actor.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { bufferSource, openCsvText, type CsvSource } from '../../platform/csv-input.js'
import { readCsvRecords } from '../../platform/csv-records.js'
import { emptyImportReport, importOutcome, rejectFile, type ImportOptions, type ImportReport } from '../../platform/import-report.js'
import type { OrganisationService } from '../organisations/service.js'
import type { ImportFormat } from './import-columns.js'
import { ImportRun } from './import-run.js'

/** Rows read, checked and written together: one prefetch, a few multi-row inserts and one audit insert per batch. */
const BATCH_ROWS = 1000

export interface AssetImportOptions extends ImportOptions {
  /** How to read the headings; without it, a file with the Transparency Code's headings is read as one. */
  format?: ImportFormat
}

export interface AssetImportReport extends ImportReport {
  /** How the file was read. */
  format: ImportFormat | 'unknown'
}

/** What happened, as the dataset import says it, but naming an asset register rather than the dataset template. */
export function assetImportOutcome(report: AssetImportReport): { heading: string; detail: string } {
  const outcome = importOutcome(report)
  return report.fileRejected ? { ...outcome, detail: 'The file could not be read as an asset register: nothing was saved.' } : outcome
}

/**
 * Imports a body's asset register from CSV: the Transparency Code's land and buildings layout or
 * the platform's template. The file is streamed a batch of rows at a time, so a register of
 * millions of rows is read in flat memory, inside one transaction: it is saved whole or not at
 * all (unless partial imports are allowed). Assets are matched on the body's asset code, so
 * importing the same file again changes nothing.
 */
export class AssetImport {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
  ) {}

  async importCsv(actor: Actor, organisationSlug: string, file: CsvSource | Buffer, options: AssetImportOptions = {}): Promise<AssetImportReport> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireEditFor(actor, organisation.id)
    const source = Buffer.isBuffer(file) ? bufferSource(file) : file
    const report: AssetImportReport = { ...emptyImportReport(options), format: options.format ?? 'unknown' }
    const text = await openCsvText(source)
    if ('problem' in text) {
      rejectFile(report, text.problem)
      return report
    }
    report.encoding = text.encoding

    // SQLite's larger page cache while the import writes (see withImportCache).
    return withImportCache(this.db, async () => {
      // On a connection of its own, so that the writer can COPY into the same transaction.
      const transaction = await startOwnTransaction(this.db)
      const trx = transaction.trx
      try {
        const run = new ImportRun(trx, actor, organisation, report, options.format, this.db)
        const result = await readCsvRecords(text.chunks, BATCH_ROWS, async (records, bytesRead) => {
          const goOn = await run.apply(records)
          options.onProgress?.(Math.min(bytesRead, source.size), source.size)
          return goOn
        })
        if (result.failure) {
          report.rejected.push({ line: result.failure.line, column: '', reason: result.failure.reason })
          report.fileRejected = true
        } else if (!run.started) {
          report.rejected.push({ line: 1, column: '', reason: 'The file is empty: it needs a header row and a row for each asset' })
          report.fileRejected = true
        }
        await run.finish()
        report.rejected.sort((a, b) => a.line - b.line)
        report.warnings.sort((a, b) => a.line - b.line)
        report.rejectedRows = new Set(report.rejected.map((p) => p.line)).size
        const keep = !report.dryRun && !report.fileRejected && (report.rejected.length === 0 || report.allowPartial)
        if (keep) await transaction.commit()
        else {
          const failure = await transaction.rollback()
          if (failure) throw failure
        }
        report.saved = keep
        options.onProgress?.(source.size, source.size)
        return report
      } catch (error) {
        // A write that failed on its way is the cause of whatever failed after it.
        throw (await transaction.rollback()) ?? error
      }
    })
  }
}
