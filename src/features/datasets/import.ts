import { withImportCache, type Db } from '../../db/connection.js'
import { startOwnTransaction } from '../../db/pg-transaction.js'
import { isUniqueViolation } from '../../db/dialect.js'
import type { Actor } from '../../platform/actor.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { ConflictError } from '../../platform/errors.js'
import { emptyImportReport, recordImport, rejectFile, type ImportOptions, type ImportReport } from '../../platform/import-report.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import type { DatasetService } from './service.js'
import { decodeCsv, readRows } from './import-csv.js'
import { ImportRun } from './import-run.js'

/**
 * Declares and updates a body's datasets from a CSV file in the published template. Every row
 * goes through the same validation and service methods as the form, in one transaction, so the
 * file is imported whole or not at all (unless partial imports are allowed).
 */
export class DatasetImport {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
    private readonly datasets: DatasetService,
  ) {}

  async importCsv(actor: Actor, organisationSlug: string, bytes: Buffer, options: ImportOptions = {}): Promise<ImportReport> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireEditFor(actor, organisation.id)
    const report = emptyImportReport(options)
    const decoded = decodeCsv(bytes)
    if ('problem' in decoded) {
      rejectFile(report, decoded.problem)
      return report
    }
    report.encoding = decoded.encoding

    // SQLite's larger page cache while the import writes (see withImportCache).
    return withImportCache(this.db, async () => {
      // On a connection of its own on PostgreSQL, so that bulk writes go by COPY (see BulkInsert).
      const transaction = await startOwnTransaction(this.db)
      const trx = transaction.trx
      try {
        const run = new ImportRun(trx, actor, organisation, this.datasets, report)
        await run.load()
        await readRows(decoded.text, report, options.onProgress, (rows) => run.applyAll(rows))
        // The import as a whole (an import that is not kept takes its log entry with it).
        if (!report.fileRejected) await recordImport(trx, actor, organisation.id, 'dataset.import', report)
        // Rows declared in bulk are reported after the batch; the report reads in file order.
        report.rejected.sort((a, b) => a.line - b.line)
        report.rejectedRows = new Set(report.rejected.map((p) => p.line)).size
        const keep = !report.dryRun && !report.fileRejected && (report.rejected.length === 0 || report.allowPartial)
        if (keep) await transaction.commit()
        else {
          const failure = await transaction.rollback()
          if (failure) throw conflictOr(failure, organisation)
        }
        report.saved = keep
        return report
      } catch (error) {
        // A write that failed on its way is the cause of whatever failed after it.
        throw conflictOr((await transaction.rollback()) ?? error, organisation)
      }
    })
  }
}

/**
 * What to throw for a failed import. A write refused for a duplicate is another editor having
 * declared, while the file was imported, a dataset with a reference the file declares too: a
 * conflict, to try again. Nothing was saved.
 */
function conflictOr(failure: unknown, organisation: Organisation): unknown {
  if (!isUniqueViolation(failure)) return failure
  return new ConflictError(`A dataset of ${organisation.name} was declared by someone else while this file was imported, with a reference or identifier the file has too. Nothing was imported: import the file again.`)
}
