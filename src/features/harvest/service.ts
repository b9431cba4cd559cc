import type { Db } from '../../db/connection.js'
import type { Actor } from '../../platform/actor.js'
import { requireEditFor } from '../../platform/authorisation.js'
import type { OrganisationService } from '../organisations/service.js'
import type { DatasetService } from '../datasets/service.js'
import { DEFAULT_LIMITS, SourceError, type FetchLimits } from './fetch-source.js'
import { HarvestRun } from './harvest-run.js'
import { describeSource, readSource, type HarvestSource, type SourceReading } from './read-source.js'
import { checkRecord } from './record.js'
import { emptyReport, type HarvestFormat, type HarvestOptions, type HarvestReport } from './report.js'

export interface HarvestCallOptions extends HarvestOptions {
  /** Allow addresses on this machine or a private network (the operator's command does). */
  allowPrivateNetworks?: boolean
  /** Packages asked for in each CKAN request (100 unless told). */
  ckanPageSize?: number
}

/**
 * Harvests an existing catalogue (data.json, CKAN or DCAT) into a body's inventory. The whole
 * catalogue is read first, and only then written, in one transaction: all or nothing, like the
 * CSV import, unless a partial harvest is allowed.
 */
export class HarvestService {
  private readonly limits: FetchLimits

  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
    private readonly datasets: DatasetService,
    limits: Partial<FetchLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits }
  }

  async harvest(actor: Actor, organisationSlug: string, source: HarvestSource, format: HarvestFormat, options: HarvestCallOptions = {}): Promise<HarvestReport> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    // Before anything is fetched: someone who may not write here cannot make the server read addresses either.
    requireEditFor(actor, organisation.id)
    const report = emptyReport(describeSource(source), format, options)

    let reading: SourceReading
    try {
      const limits = { ...this.limits, ...(options.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}) }
      reading = await readSource(source, format, { limits, ...(options.ckanPageSize ? { ckanPageSize: options.ckanPageSize } : {}) })
    } catch (error) {
      if (!(error instanceof SourceError)) throw error
      report.sourceRejected = true
      report.rejected.push({ record: 0, identifier: null, title: null, field: '', reason: error.message })
      return report
    }
    report.pages = reading.pages
    report.records = reading.records.length
    report.warnings.push(...reading.warnings)
    const records = reading.records.map((r) => checkRecord(r, reading.names))

    const trx = await this.db.kysely.startTransaction().execute()
    try {
      const run = new HarvestRun(trx, actor, organisation, this.datasets, report, reading.names)
      await run.load()
      for (const record of records) await run.apply(record)
      report.rejectedRecords = new Set(report.rejected.map((p) => p.record)).size
      const keep = !report.dryRun && (report.rejected.length === 0 || report.allowPartial)
      if (keep) await trx.commit().execute()
      else await trx.rollback().execute()
      report.saved = keep
      return report
    } catch (error) {
      await trx.rollback().execute().catch(() => {})
      throw error
    }
  }
}
