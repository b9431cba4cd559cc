import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import { isUniqueViolation, nowIso } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import type { Organisation, OrganisationService } from '../organisations/service.js'
import { columnsOf, inputOf, LOCATION_FIELDS, sameColumns, toAsset, type Asset, type AssetRow } from './model.js'
import { textOf } from './parse-values.js'
import { AssetRepository } from './repository.js'
import { indexAssets } from './search/full-text.js'
import { validateAsset, type AssetInput, type AssetValues } from './validation.js'

export interface AssetRef {
  id: number
  assetCode: string
  name: string
}

export interface AssetDetail {
  asset: Asset
  owner: Organisation
  parent: AssetRef | null
  /** The first parts of the asset (rooms, items), and how many it has. */
  children: AssetRef[]
  childCount: number
}

export interface DisposalInput {
  disposalDate?: unknown
  disposalMethod?: unknown
  disposalProceedsPence?: unknown
}

const CHILDREN_SHOWN = 50
/** Deeper than any real site → building → room → item chain; stops a corrupt loop. */
const MAX_DEPTH = 100

/**
 * The register of public assets: one body's assets are changed only by that body's editors and
 * write tokens (checked here, whichever way the change came in), every change is audited, and a
 * stale edit is refused rather than silently overwriting someone else's.
 */
export class AssetService {
  constructor(
    private readonly db: Db,
    private readonly organisations: OrganisationService,
  ) {}

  private repo(k: Kysely<Database> = this.db.kysely) {
    return new AssetRepository(k)
  }

  // ---- reading ----

  /** Pass the caller's transaction when inside one (SQLite has a single connection). */
  async find(id: number, executor: Kysely<Database> = this.db.kysely): Promise<Asset> {
    return toAsset(await this.requireRow(this.repo(executor), id))
  }

  /** The assets with these ids that exist, in no particular order. */
  async findMany(ids: readonly number[]): Promise<Asset[]> {
    const wanted = [...new Set(ids)].filter((id) => Number.isSafeInteger(id))
    const rows: AssetRow[] = []
    for (let i = 0; i < wanted.length; i += 500) rows.push(...(await this.repo().findByIds(wanted.slice(i, i + 500))))
    return rows.map((row) => toAsset(row))
  }

  /** The body's asset with this code, if it has one. */
  async findByCode(organisationId: string, assetCode: string): Promise<Asset | undefined> {
    const row = await this.repo().findByCode(organisationId, assetCode)
    return row && toAsset(row)
  }

  async get(id: number): Promise<AssetDetail> {
    const repo = this.repo()
    const row = await this.requireRow(repo, id)
    const [owner, parents, children] = await Promise.all([
      this.organisations.findById(row.organisation_id),
      row.parent_id === null ? Promise.resolve([]) : repo.codesOf([Number(row.parent_id)]),
      repo.childrenOf(Number(row.id), CHILDREN_SHOWN),
    ])
    const ref = (r: { id: number; asset_code: string; name: string }): AssetRef => ({ id: Number(r.id), assetCode: r.asset_code, name: r.name })
    return { asset: toAsset(row), owner: owner!, parent: parents[0] ? ref(parents[0]) : null, children: children.items.map(ref), childCount: children.total }
  }

  /** A page of the register, optionally one body's. */
  async list(filters: { body?: string }, page: PageRequest): Promise<Page<Asset>> {
    const organisation = filters.body ? await this.organisations.getBySlug(filters.body) : undefined
    const result = await this.repo().list({ organisationId: organisation?.id }, page)
    return { ...result, items: result.items.map((row) => toAsset(row)) }
  }

  /** The code of an asset's parent, as forms and files name it. */
  async parentCodeOf(asset: Asset): Promise<string | null> {
    if (asset.parentId === null) return null
    return (await this.repo().codesOf([asset.parentId]))[0]?.asset_code ?? null
  }

  // ---- changing ----

  /** Records a new asset of a body. A new asset is in use unless the input says otherwise. */
  async create(actor: Actor, organisationSlug: string, input: AssetInput): Promise<Asset> {
    const organisation = await this.organisations.getBySlug(organisationSlug)
    requireEditFor(actor, organisation.id)
    const values = checked({ ...input, status: textOf(input.status) || 'in-use' })
    try {
      return await this.db.kysely.transaction().execute(async (trx) => {
        const repo = this.repo(trx)
        if (await repo.findByCode(organisation.id, values.assetCode)) throw codeTaken(organisation, values.assetCode)
        const parentId = await resolveParent(repo, organisation, values.parentAssetCode, null)
        const now = nowIso()
        const row = await repo.insert({ organisation_id: organisation.id, parent_id: parentId, ...columnsOf(values), version: 1, created_at: now, updated_at: now })
        await indexAssets(trx, this.db.engine, [row])
        await recordAudit(trx, actor, { organisationId: organisation.id, action: 'asset.create', entityType: 'asset', entityId: String(row.id), after: row })
        return toAsset(row)
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw codeTaken(organisation, values.assetCode)
      throw error
    }
  }

  /**
   * Changes the fields given and keeps the rest (a form gives them all; an API PATCH some).
   * Giving any coordinate replaces the whole location. `expectedVersion` is the version the
   * editor read: a stale change is refused. Giving status `disposed` with the disposal's date
   * and method disposes of the asset.
   */
  async update(actor: Actor, id: number, changes: AssetInput, expectedVersion: number): Promise<Asset> {
    await this.authorise(actor, id)
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await this.requireRow(repo, id)
      requireEditFor(actor, before.organisation_id)
      if (before.version !== expectedVersion) throw staleEdit()
      const parentCode = before.parent_id === null ? null : ((await repo.codesOf([Number(before.parent_id)]))[0]?.asset_code ?? null)
      const stored = inputOf(before, parentCode)
      const movesLocation = LOCATION_FIELDS.some((field) => changes[field] !== undefined)
      if (movesLocation) for (const field of LOCATION_FIELDS) delete stored[field]
      const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as AssetInput
      const merged = { ...stored, ...given }
      // A postcode registers published badly is kept until someone changes it.
      const values = checked(merged, textOf(merged.postcode).toUpperCase() === (before.postcode ?? ''))
      const organisation = (await this.organisations.findById(before.organisation_id, trx))!
      if (values.assetCode !== before.asset_code && (await repo.findByCode(organisation.id, values.assetCode))) throw codeTaken(organisation, values.assetCode)
      const parentId = await resolveParent(repo, organisation, values.parentAssetCode, Number(before.id))
      const columns = columnsOf(values)
      if (sameColumns(before, columns, parentId)) return toAsset(before)
      const changed = { ...columns, parent_id: parentId, version: before.version + 1, updated_at: nowIso() }
      try {
        if (!(await repo.updateIfVersion(id, expectedVersion, changed))) throw staleEdit()
      } catch (error) {
        if (isUniqueViolation(error)) throw codeTaken(organisation, values.assetCode)
        throw error
      }
      const after: AssetRow = { ...before, ...changed }
      await indexAssets(trx, this.db.engine, [after])
      const action = before.status !== 'disposed' && after.status === 'disposed' ? 'asset.dispose' : 'asset.update'
      await recordAudit(trx, actor, { organisationId: before.organisation_id, action, entityType: 'asset', entityId: String(id), before, after })
      return toAsset(after)
    })
  }

  /** Records that the asset has left public ownership. It stays in the register with its history. */
  async dispose(actor: Actor, id: number, disposal: DisposalInput, expectedVersion: number): Promise<Asset> {
    await this.authorise(actor, id)
    const current = await this.requireRow(this.repo(), id)
    if (current.status === 'disposed') throw new ConflictError('This asset has already been disposed of')
    return this.update(actor, id, { ...disposal, status: 'disposed' }, expectedVersion)
  }

  // ---- sharing: called by the sharing service inside its transaction, by the owner's editors ----

  /** Flags the asset available to share or not, as an offer opens or closes. */
  async setAvailableToShare(k: Kysely<Database>, actor: Actor, id: number, available: boolean): Promise<Asset> {
    return this.shareChange(k, actor, id, 'asset.share-availability', (before) => ((before.available_to_share === 1) === available ? undefined : { available_to_share: available ? 1 : 0 }))
  }

  /**
   * Hands the asset to another body for good (a transfer or sale between public bodies). It keeps
   * its id and history; it leaves any site it was part of (that stays with the old owner), and
   * nobody holds it on loan. Its code is kept unless the new owner already uses it: then the old
   * owner's slug is added (`IT-0001-trafford`), and failing that the asset's id as well. Whoever
   * held it on loan no longer does (the sharing service lets only the borrower itself take it over).
   */
  async changeOwner(k: Kysely<Database>, actor: Actor, id: number, change: { from: string; to: string }): Promise<Asset> {
    const repo = this.repo(k)
    const current = await this.requireRow(repo, id)
    if (change.to === change.from) throw new ConflictError('The asset already belongs to that body')
    if ((await repo.childrenOf(id, 1)).total > 0) throw new ConflictError('This asset has parts recorded under it, so it cannot be transferred: move or transfer its parts first')
    const [from, existing] = await Promise.all([this.organisations.findById(current.organisation_id, k), repo.findByCode(change.to, current.asset_code)])
    let assetCode = current.asset_code
    if (existing) {
      assetCode = `${current.asset_code.slice(0, 80)}-${from?.slug ?? 'transferred'}`.slice(0, 100)
      if (await repo.findByCode(change.to, assetCode)) assetCode = `${assetCode.slice(0, 85)}-${id}`
    }
    return this.shareChange(k, actor, id, 'asset.transfer', (before) => {
      if (before.organisation_id !== change.from) throw new ConflictError('This asset has changed hands since the request was made')
      return { organisation_id: change.to, asset_code: assetCode, parent_id: null, holder_organisation_id: null }
    })
  }

  /** Records the body holding the asset on loan, or (null) that it is back with its owner. */
  async setHolder(k: Kysely<Database>, actor: Actor, id: number, change: { expected: string | null; holder: string | null }): Promise<Asset> {
    return this.shareChange(k, actor, id, change.holder === null ? 'asset.return' : 'asset.lend', (before) => {
      if (before.holder_organisation_id !== change.expected) {
        throw new ConflictError(before.holder_organisation_id ? 'This asset is already out on loan: record its return first' : 'This asset is not out on loan')
      }
      return { holder_organisation_id: change.holder }
    })
  }

  /** One sharing change: authorised against the current owner, version bumped, re-indexed and audited. */
  private async shareChange(
    k: Kysely<Database>,
    actor: Actor,
    id: number,
    action: string,
    changesOf: (before: AssetRow) => Partial<AssetRow> | undefined,
  ): Promise<Asset> {
    const repo = this.repo(k)
    const before = await this.requireRow(repo, id)
    requireEditFor(actor, before.organisation_id)
    if (before.status === 'disposed') throw new ConflictError('This asset has been disposed of')
    const changes = changesOf(before)
    if (!changes) return toAsset(before)
    const changed = { ...changes, version: before.version + 1, updated_at: nowIso() }
    if (!(await repo.updateIfVersion(id, before.version, changed))) throw staleEdit()
    const after: AssetRow = { ...before, ...changed }
    await indexAssets(k, this.db.engine, [after])
    await recordAudit(k, actor, { organisationId: before.organisation_id, action, entityType: 'asset', entityId: String(id), before, after })
    return toAsset(after)
  }

  // ---- internals ----

  /** Refuses a caller who may not change the asset before their input is even looked at. */
  private async authorise(actor: Actor, id: number): Promise<void> {
    const row = await this.requireRow(this.repo(), id)
    requireEditFor(actor, row.organisation_id)
  }

  private async requireRow(repo: AssetRepository, id: number): Promise<AssetRow> {
    const row = Number.isSafeInteger(id) ? await repo.findById(id) : undefined
    if (!row) throw new NotFoundError('There is no asset with that id')
    return row
  }
}

function checked(input: AssetInput, postcodeUnchanged = false): AssetValues {
  const result = validateAsset(input, 'strict', { postcodeUnchanged })
  result.errors.throwIfAny()
  return result.values!
}

/** The parent named by its code, refusing one of another body or one that would make a loop. */
async function resolveParent(repo: AssetRepository, organisation: Organisation, code: string | null, selfId: number | null): Promise<number | null> {
  if (!code) return null
  const parent = await repo.findByCode(organisation.id, code)
  if (!parent) throw new ValidationError([{ name: 'parentAssetCode', message: `${organisation.shortName} has no asset with the code “${code}”` }])
  let cursor: { id: number; parent_id: number | null } | undefined = { id: Number(parent.id), parent_id: parent.parent_id === null ? null : Number(parent.parent_id) }
  for (let depth = 0; cursor && selfId !== null && depth < MAX_DEPTH; depth++) {
    if (cursor.id === selfId) throw new ValidationError([{ name: 'parentAssetCode', message: 'An asset cannot be part of itself or of one of its own parts' }])
    cursor = cursor.parent_id === null ? undefined : (await repo.codesOf([cursor.parent_id]))[0]
  }
  return Number(parent.id)
}

function codeTaken(organisation: Organisation, code: string): ValidationError {
  return new ValidationError([{ name: 'assetCode', message: `${organisation.shortName} already has an asset with the code “${code}”` }])
}

function staleEdit(): ConflictError {
  return new ConflictError('Someone else changed this asset after you opened it. Reload the page to see their changes, then make yours again')
}
