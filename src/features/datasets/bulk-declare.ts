import type { Kysely } from 'kysely'
import { BulkInsert } from '../../db/bulk-insert.js'
import type { Db } from '../../db/connection.js'
import { ownConnection } from '../../db/pg-transaction.js'
import { isUniqueViolation, nowIso } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import { actorLabel, type Actor } from '../../platform/actor.js'
import { recordAudits } from '../../platform/audit.js'
import { newId } from '../../platform/crypto.js'
import { ConflictError, ValidationError } from '../../platform/errors.js'
import type { Organisation } from '../organisations/service.js'
import type { PlannedDate } from './dates.js'
import type { DatasetRow, DistributionRow, ReleaseRow } from './repository.js'
import { newReleaseRow, releaseChange } from './releases.js'
import { columnsOf, distributionRow } from './rows.js'
import { indexNewDatasets, indexNewDatasetsAlongside, nextSearchRowids } from './search-index.js'
import type { DeclarationValues, DistributionInput } from './validation.js'

/** A dataset to declare in bulk: its declaration, distributions already published, and next release. */
export interface NewDeclaration {
  values: DeclarationValues
  distributions: DistributionInput[]
  planned?: PlannedDate
}

export interface BulkOptions {
  /**
   * On a transaction of its own on PostgreSQL ({@link startOwnTransaction}), the writes are held
   * back, to be sent by the caller ({@link OwnConnection.flush}); a write refused by the database
   * fails the transaction, which says so when it commits. Until the caller sends them, a fault
   * found in the batch undoes it by discarding them ({@link OwnConnection.discard}).
   */
  holdBack?: boolean
  /** The caller has made sure the body has no dataset with these references yet (the import knows them all). */
  referencesChecked?: boolean
}

/** References looked up in one statement (well inside both engines' parameter limits). */
const BATCH = 200

/**
 * Declares many datasets inside the caller's transaction, storing what `insertDeclaration`
 * (and `insertRelease` for a planned date) would, but in a few statements for the whole batch:
 * the CSV import declares tens of thousands at once.
 */
export async function declareInBulk(db: Db, baseUrl: string, trx: Kysely<Database>, actor: Actor, organisation: Organisation, items: NewDeclaration[], options: BulkOptions = {}): Promise<DatasetRow[]> {
  if (items.length === 0) return []
  const references = options.referencesChecked ? [] : items.map((i) => i.values.reference).filter((r): r is string => r !== null)
  for (let i = 0; i < references.length; i += BATCH) {
    const taken = await trx.selectFrom('datasets').select('reference').where('organisation_id', '=', organisation.id).where('reference', 'in', references.slice(i, i + BATCH)).executeTakeFirst()
    if (taken) throw new ValidationError([{ name: 'reference', message: `${organisation.shortName} already has a dataset with the reference “${taken.reference}”` }])
  }
  const now = nowIso()
  const datasets: DatasetRow[] = []
  const distributions: DistributionRow[] = []
  const releases: ReleaseRow[] = []
  const searchRowids = await nextSearchRowids(db, trx, items.length)
  for (const [index, { values, distributions: inputs, planned }] of items.entries()) {
    const id = newId()
    // The status and next release follow from the facts as `refreshDerived` has them.
    datasets.push({
      id,
      organisation_id: organisation.id,
      identifier: `${baseUrl}/datasets/${id}`,
      ...columnsOf(values),
      status: inputs.length > 0 ? 'published' : planned ? 'scheduled' : 'declared',
      withdrawn_reason: null,
      next_release_date: planned?.date ?? null,
      version: 1,
      created_at: now,
      updated_at: now,
      published_at: inputs.length > 0 ? now : null,
      search_rowid: searchRowids[index]!,
    })
    for (const input of inputs) distributions.push(distributionRow(id, input, null, now))
    if (planned) releases.push(newReleaseRow(id, planned, 'provisional', null, now))
  }
  const label = actorLabel(actor)
  const connection = options.holdBack ? ownConnection(trx) : undefined
  const bulk = new BulkInsert(db, trx, { holdBack: connection !== undefined })
  try {
    await bulk.rows('datasets', datasets)
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError('A dataset with that identifier or reference already exists')
    throw error
  }
  await bulk.rows('distributions', distributions)
  await bulk.rows('releases', releases)
  await bulk.rows(
    'release_changes',
    releases.map((r) => releaseChange(null, r, label, now, null)),
  )
  const publisher = `${organisation.name} ${organisation.shortName}`
  const documents = datasets.map((row) => ({ datasetId: row.id, searchRowid: row.search_rowid, title: row.title, description: row.description, keywords: JSON.parse(row.keywords) as string[], publisher }))
  if (connection) await indexNewDatasetsAlongside(db, connection, documents)
  else await indexNewDatasets(db, trx, documents)
  // No copies of the rows: until a record changes, its first version is the row itself, and every
  // change records the version it replaced. The copies were a third of what an import wrote.
  await recordAudits(
    trx,
    actor,
    [
      ...datasets.map((row) => ({ organisationId: organisation.id, action: 'dataset.create', entityType: 'dataset', entityId: row.id })),
      ...releases.map((row) => ({ organisationId: organisation.id, action: 'release.create', entityType: 'release', entityId: row.id })),
    ],
    bulk,
  )
  // What was inserted is what is stored: no trigger or default changes these rows.
  return datasets
}
