import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import { nowIso } from '../../db/dialect.js'
import type { Database } from '../../db/schema.js'
import type { Actor } from '../../platform/actor.js'
import type { AuditEntry } from '../../platform/audit.js'
import type { CsvRecord } from '../../platform/csv-records.js'
import { recordImport, type ImportProblem } from '../../platform/import-report.js'
import type { Organisation } from '../organisations/service.js'
import { registerValue } from './depreciation.js'
import type { AssetImportReport } from './import.js'
import { readHeader, type Header, type ImportField, type ImportFormat } from './import-columns.js'
import { readRow, type RowInput } from './import-row.js'
import { columnsOf, inputOf, LOCATION_FIELDS, sameColumns, type AssetColumns, type AssetRow, type NewAssetRow } from './model.js'
import { textOf } from './parse-values.js'
import { AssetRepository } from './repository.js'
import type { SearchableAsset } from './search/full-text.js'
import { ImportWriter } from './import-writer.js'
import { validateAsset, type AssetField, type AssetInput } from './validation.js'
import { CATEGORISE_THRESHOLD_PENCE, termKey } from './vocabularies.js'

interface PendingUpdate {
  line: number
  stored: AssetRow
  columns: AssetColumns
  parentId: number | null
  /** A parent added earlier in this batch, whose id is known once the batch is inserted. */
  newParentCode: string | null
}

interface PendingInsert {
  row: NewAssetRow
  newParentCode: string | null
}

const MAX_DEPTH = 100

/** One import of one file: what it has seen so far, and each batch of rows applied in turn. */
export class ImportRun {
  private header: Header | undefined
  private headerRead = false
  /** Every asset code in the file so far, with the line it was first on. */
  private readonly seen = new Map<string, number>()
  private readonly uncategorised = { count: 0, firstLine: 0 }
  private readonly repo: AssetRepository
  private readonly writer: ImportWriter

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly actor: Actor,
    private readonly organisation: Organisation,
    private readonly report: AssetImportReport,
    private readonly format: ImportFormat | undefined,
    db: Db,
  ) {
    this.repo = new AssetRepository(trx)
    this.writer = new ImportWriter(trx, db, actor)
  }

  /** Whether the file had a header row, usable or not. */
  get started(): boolean {
    return this.headerRead
  }

  /** Applies a batch of records (the first is the header); false when the file cannot be imported. */
  async apply(records: CsvRecord[]): Promise<boolean> {
    let rows = records
    if (!this.header) {
      const [first, ...rest] = records
      this.headerRead = true
      this.header = readHeader(first!.cells, first!.line, this.format, this.report.warnings, this.report.rejected)
      if (!this.header) {
        this.report.fileRejected = true
        return false
      }
      this.report.format = this.header.format
      rows = rest
    }
    if (rows.length === 0) return true
    this.report.rows += rows.length
    await this.applyRows(rows.map((record) => this.read(record)))
    return true
  }

  /**
   * Says once, at the end, how many assets the £1,000 rule still needs categorising, and logs
   * the import as a whole (an import that is not kept takes its log entry with it).
   */
  async finish(): Promise<void> {
    const { count, firstLine } = this.uncategorised
    if (count > 0) {
      const assets = count === 1 ? 'asset is' : 'assets are'
      this.report.warnings.push({
        line: firstLine,
        column: '',
        reason: `${count.toLocaleString('en-GB')} ${assets} worth £1,000 or more but have no asset class or CPV code (the first on this line): they count as uncategorised until an editor adds them`,
      })
    }
    if (this.header) await recordImport(this.trx, this.actor, this.organisation.id, 'asset.import', this.report)
  }

  private read(record: CsvRecord): RowInput {
    const row = readRow(record.cells, this.header!, record.line)
    const code = textOf(row.input.assetCode)
    if (code) {
      const first = this.seen.get(code)
      if (first === undefined) this.seen.set(code, record.line)
      else row.problems.push({ line: record.line, column: this.columnOf('assetCode'), reason: `The asset code “${code}” is already used on line ${first} of this file` })
    }
    return row
  }

  private async applyRows(rows: RowInput[]): Promise<void> {
    const valid = rows.filter((row) => row.problems.length === 0)
    const codes = new Set<string>()
    for (const row of valid) {
      codes.add(textOf(row.input.assetCode))
      const parent = textOf(row.input.parentAssetCode)
      if (parent) codes.add(parent)
    }
    const stored = new Map((await this.repo.findByCodes(this.organisation.id, [...codes].filter(Boolean))).map((row) => [row.asset_code, row]))
    const parentIds = [...stored.values()].map((row) => row.parent_id).filter((id): id is number => id !== null)
    // The parents stored assets already have: a file without a parent column keeps them.
    const storedParents = await this.repo.codesOf([...new Set(parentIds.map(Number))])
    const parentCodes = new Map(storedParents.map((r) => [Number(r.id), r.asset_code]))
    const parentIdsByCode = new Map(storedParents.map((r) => [r.asset_code, Number(r.id)]))

    const inserts = new Map<string, PendingInsert>()
    const updates: PendingUpdate[] = []
    const now = nowIso()
    for (const row of rows) {
      if (row.problems.length > 0) {
        this.reject(row.problems)
        continue
      }
      const code = textOf(row.input.assetCode)
      const existing = stored.get(code)
      const input = existing ? this.merged(existing, parentCodes, row) : this.fresh(row)
      const checked = validateAsset(input, 'import')
      if (!checked.values) {
        this.reject(checked.errors.list.map((e) => ({ line: row.line, column: this.columnOf(e.name as AssetField), reason: e.message })))
        continue
      }
      const values = checked.values
      const parentCode = values.parentAssetCode
      let parentId: number | null = null
      let newParentCode: string | null = null
      if (parentCode) {
        const parent = stored.get(parentCode)
        if (parent) parentId = Number(parent.id)
        else if (parentIdsByCode.has(parentCode)) parentId = parentIdsByCode.get(parentCode)!
        else if (inserts.has(parentCode)) newParentCode = parentCode
        else {
          this.reject([{ line: row.line, column: this.columnOf('parentAssetCode'), reason: `No asset has the code “${parentCode}” in the register or on an earlier line of this file: list a site before its parts` }])
          continue
        }
        const moved = existing && parentId !== null && parentId !== (existing.parent_id === null ? null : Number(existing.parent_id))
        if (moved && (await this.wouldLoop(Number(existing.id), parentId!))) {
          this.reject([{ line: row.line, column: this.columnOf('parentAssetCode'), reason: 'An asset cannot be part of itself or of one of its own parts' }])
          continue
        }
      }
      this.report.warnings.push(...row.warnings, ...checked.notes.map((n) => ({ line: row.line, column: this.columnOf(n.name), reason: n.message })))
      const value = registerValue(values)
      if (values.status !== 'disposed' && value !== null && value >= CATEGORISE_THRESHOLD_PENCE && !(values.assetClass && values.cpvCode)) {
        if (this.uncategorised.count++ === 0) this.uncategorised.firstLine = row.line
      }
      const columns = columnsOf(values)
      if (existing) {
        if (!newParentCode && sameColumns(existing, columns, parentId)) this.report.unchanged += 1
        else updates.push({ line: row.line, stored: existing, columns, parentId, newParentCode })
      } else {
        inserts.set(code, { row: { organisation_id: this.organisation.id, parent_id: parentId, ...columns, version: 1, created_at: now, updated_at: now }, newParentCode })
      }
    }
    await this.write(inserts, updates, now)
  }

  /** What a row says about an asset already registered: columns the file does not have keep their stored values. */
  private merged(existing: AssetRow, parentCodes: Map<number, string>, row: RowInput): AssetInput {
    const input = inputOf(existing, existing.parent_id === null ? null : (parentCodes.get(Number(existing.parent_id)) ?? null))
    if (row.locates) for (const field of LOCATION_FIELDS) delete input[field]
    return { ...input, ...row.input }
  }

  /**
   * A new asset. A Transparency Code register has no status column, but its tenure detail
   * "Vacant" says the asset is vacant; nothing else is inferred.
   */
  private fresh(row: RowInput): AssetInput {
    const header = this.header!
    if (header.format === 'transparency-code' && !header.columns.has('status') && termKey(textOf(row.input.tenureDetail)) === 'vacant') {
      return { ...row.input, status: 'vacant' }
    }
    return row.input
  }

  private async write(inserts: Map<string, PendingInsert>, updates: PendingUpdate[], now: string): Promise<void> {
    const audits: AuditEntry[] = []
    const pending = [...inserts.values()]
    const ids = await this.writer.insertAssets(pending.map((p) => p.row))
    for (const { row, newParentCode } of pending) {
      const id = ids.get(row.asset_code)!
      if (newParentCode) {
        row.parent_id = ids.get(newParentCode)!
        await this.trx.updateTable('assets').set({ parent_id: row.parent_id }).where('id', '=', id).execute()
      }
      // No copy of the row: until it changes, the asset's first version is the row itself, and
      // every change records the version it replaced. Copies were half of what an import wrote.
      audits.push({ organisationId: this.organisation.id, action: 'asset.create', entityType: 'asset', entityId: String(id) })
    }
    this.report.created += pending.length
    const indexed: SearchableAsset[] = pending.map(({ row }) => ({ ...row, id: ids.get(row.asset_code)! }))
    for (const update of updates) {
      const parentId = update.newParentCode ? ids.get(update.newParentCode)! : update.parentId
      const changes = { ...update.columns, parent_id: parentId, version: update.stored.version + 1, updated_at: now }
      if (!(await this.repo.updateIfVersion(Number(update.stored.id), update.stored.version, changes))) {
        this.reject([{ line: update.line, column: '', reason: 'Someone changed this asset while the file was being imported: import the file again' }])
        continue
      }
      audits.push({ organisationId: this.organisation.id, action: 'asset.update', entityType: 'asset', entityId: String(update.stored.id), before: update.stored, after: { ...update.stored, ...changes } })
      indexed.push({ ...update.stored, ...changes })
      this.report.updated += 1
    }
    await this.writer.index(indexed)
    await this.writer.audit(audits)
  }

  /** Whether making `parentId` the parent of asset `id` would make the asset part of itself. */
  private async wouldLoop(id: number, parentId: number): Promise<boolean> {
    let cursor: number | null = parentId
    for (let depth = 0; cursor !== null && depth < MAX_DEPTH; depth++) {
      if (cursor === id) return true
      const found: { parent_id: number | null } | undefined = (await this.repo.codesOf([cursor]))[0]
      cursor = found?.parent_id === null || found === undefined ? null : Number(found.parent_id)
    }
    return false
  }

  /** The file's own heading for a field, so problems name the column people see. */
  private columnOf(field: AssetField | ImportField): string {
    const names = this.header!.names
    if ((LOCATION_FIELDS as readonly string[]).includes(field)) {
      return names.get('geoX') ?? names.get(field as ImportField) ?? names.get('lat') ?? names.get('easting') ?? field
    }
    return names.get(field as ImportField) ?? field
  }

  private reject(problems: ImportProblem[]): void {
    this.report.rejected.push(...problems)
  }
}
