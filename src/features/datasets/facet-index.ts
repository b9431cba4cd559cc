import { sql } from 'kysely'
import { changeStamp } from '../../db/change-stamp.js'
import type { Db } from '../../db/connection.js'
import { ACCESS_LEVELS, DATASET_STATUSES, LICENCES, THEMES } from './vocabularies.js'

/*
 * Every dataset's facet values, held in memory as columns. Counting facets over a search's
 * matches is then a loop over arrays instead of one scan of the datasets table per facet, which
 * is what made searching 200,000 declarations take seconds.
 *
 * Each process keeps its own copy and catches up with the database before every search: the
 * latest `updated_at` (an index lookup) says whether anything changed, and only the datasets
 * changed since are read again. On SQLite it is only looked up when the database's
 * {@link changeStamp} has moved. Every write to a dataset, its releases or its distributions moves
 * that column (DatasetService.touch). Datasets are never deleted, so positions never move.
 */

export interface IndexedOrganisation {
  id: string
  slug: string
  name: string
}

/**
 * Re-read datasets changed up to this long before the latest change seen: on PostgreSQL a
 * transaction can commit after another that stamped a later time.
 */
const LATE_COMMIT_MARGIN_MS = 10 * 60_000
/** Beyond this many changed datasets, reading everything again is quicker. */
const MAX_DELTA = 20_000
const LOAD_BATCH = 2_000
const NO_FORMATS: readonly number[] = Object.freeze([])

export const THEME_BIT = new Map(THEMES.map((t, i) => [t.code, 1 << i]))
export const STATUS_CODE = new Map(DATASET_STATUSES.map((s, i) => [s.code as string, i]))
export const ACCESS_CODE = new Map(ACCESS_LEVELS.map((a, i) => [a.code as string, i]))
export const LICENCE_CODE = new Map(LICENCES.map((l, i) => [l.code, i]))

/** An ISO date as a number in the same order (2027-03-31 is 20270331); 0 for none. */
export function dayNumber(iso: string | null): number {
  if (iso === null) return 0
  return Number(iso.slice(0, 4)) * 10_000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10))
}

interface IndexRow {
  id: string
  organisation_id: string
  title: string
  themes: string
  status: string
  access_level: string
  licence: string
  next_release_date: string | null
  updated_at: string
  search_rowid: number | null
}

/*
 * Numbers live in typed arrays and repeated values (next release dates, lists of formats) are
 * held once: at 200,000 declarations the index was most of a server's memory.
 */
export class DatasetFacetIndex {
  readonly ids: string[] = []
  readonly position = new Map<string, number>()
  /** Index into {@link organisations}; -1 for none. */
  organisation = new Int16Array(0)
  /** Bits of {@link THEME_BIT}. */
  themes = new Int16Array(0)
  status = new Int8Array(0)
  access = new Int8Array(0)
  /** -1 for a licence outside the list. */
  licence = new Int8Array(0)
  /** Indexes into {@link formatNames}; datasets with the same formats share one list. */
  readonly formats: (readonly number[])[] = []
  /** ISO date, or null when no release is planned. */
  readonly nextRelease: (string | null)[] = []
  /** The same as a {@link dayNumber}, 0 for none: compared as a number when counting. */
  nextReleaseDay = new Int32Array(0)
  /** Milliseconds since 1970, for sorting. */
  updated = new Float64Array(0)
  /** The title lower-cased, for sorting. */
  readonly titleKey: string[] = []
  /** Position by full-text row number (SQLite's FTS5 rowid, PostgreSQL's from a sequence); -1 where none. */
  private positionByRowid = new Int32Array(0)
  private capacity = 0
  private readonly dates = new Map<string, string>()
  private readonly formatLists = new Map<string, readonly number[]>()

  readonly organisations: IndexedOrganisation[] = []
  private readonly organisationPosition = new Map<string, number>()
  private readonly organisationBySlugMap = new Map<string, number>()
  readonly formatNames: string[] = []
  private readonly formatPosition = new Map<string, number>()

  private datasetsVersion: string | null = null
  private organisationsVersion: string | null = null
  private catchingUp: Promise<string> | null = null
  /** The database's {@link changeStamp} when last caught up, and the version it gave. */
  private stamp: string | undefined
  private version = ''

  constructor(private readonly db: Db) {}

  get size(): number {
    return this.ids.length
  }

  organisationBySlug(slug: string): number | undefined {
    return this.organisationBySlugMap.get(slug)
  }

  /** The position of the dataset in a row of SQLite's full-text index. */
  positionOfSearchRowid(rowid: number): number | undefined {
    const at = rowid >= 0 && rowid < this.positionByRowid.length ? this.positionByRowid[rowid]! : -1
    return at >= 0 ? at : undefined
  }

  /**
   * Brings the index up to date with the database; resolves to a version that changes whenever
   * anything searched changes. Concurrent callers share one catch-up.
   */
  catchUp(): Promise<string> {
    this.catchingUp ??= this.readChanges().finally(() => {
      this.catchingUp = null
    })
    return this.catchingUp
  }

  private async readChanges(): Promise<string> {
    const stamp = changeStamp(this.db)
    if (stamp !== undefined && stamp === this.stamp) return this.version
    const latest = (
      await sql<{ d: string | null; o: string | null }>`
        select (select max(updated_at) from datasets) as d, (select max(updated_at) from organisations) as o`.execute(this.db.kysely)
    ).rows[0]!
    const datasets = latest.d ?? ''
    const organisations = latest.o ?? ''
    if (organisations !== this.organisationsVersion) {
      await this.readOrganisations()
      this.organisationsVersion = organisations
    }
    if (datasets !== this.datasetsVersion) {
      if (this.datasetsVersion === null || this.datasetsVersion === '') await this.readAll()
      else await this.readSince(new Date(Date.parse(this.datasetsVersion) - LATE_COMMIT_MARGIN_MS).toISOString())
      this.datasetsVersion = datasets
    }
    this.stamp = stamp
    return (this.version = `${datasets}|${organisations}|${this.size}`)
  }

  private async readOrganisations(): Promise<void> {
    const rows = await this.db.kysely.selectFrom('organisations').select(['id', 'slug', 'name']).execute()
    this.organisationBySlugMap.clear()
    for (const row of rows) {
      let at = this.organisationPosition.get(row.id)
      if (at === undefined) {
        at = this.organisations.length
        this.organisationPosition.set(row.id, at)
      }
      this.organisations[at] = { id: row.id, slug: row.slug, name: row.name }
      this.organisationBySlugMap.set(row.slug, at)
    }
  }

  private async readAll(): Promise<void> {
    let after = ''
    for (;;) {
      const rows = await this.selectRows().where('id', '>', after).orderBy('id').limit(LOAD_BATCH).execute()
      await this.store(rows)
      if (rows.length < LOAD_BATCH) return
      after = rows[rows.length - 1]!.id
    }
  }

  private async readSince(since: string): Promise<void> {
    const changed = await this.db.kysely.selectFrom('datasets').select('id').where('updated_at', '>=', since).limit(MAX_DELTA + 1).execute()
    if (changed.length > MAX_DELTA) return this.readAll()
    for (let i = 0; i < changed.length; i += 500) {
      const ids = changed.slice(i, i + 500).map((r) => r.id)
      await this.store(await this.selectRows().where('id', 'in', ids).execute())
    }
  }

  private selectRows() {
    return this.db.kysely
      .selectFrom('datasets')
      .select(['id', 'organisation_id', 'title', 'themes', 'status', 'access_level', 'licence', 'next_release_date', 'updated_at', 'search_rowid'])
  }

  private async store(rows: IndexRow[]): Promise<void> {
    if (rows.length === 0) return
    const formats = await this.db.kysely
      .selectFrom('distributions')
      .select(['dataset_id', 'format'])
      .where('dataset_id', 'in', rows.map((r) => r.id))
      .where('format', 'is not', null)
      .execute()
    const formatsOf = new Map<string, number[]>()
    for (const { dataset_id, format } of formats) {
      const list = formatsOf.get(dataset_id) ?? []
      const code = this.formatCode(format!)
      if (!list.includes(code)) list.push(code)
      formatsOf.set(dataset_id, list)
    }
    for (const row of rows) {
      let at = this.position.get(row.id)
      if (at === undefined) {
        at = this.ids.length
        this.ensureCapacity(at + 1)
        this.ids.push(row.id)
        this.position.set(row.id, at)
      }
      if (row.search_rowid !== null) this.rememberRowid(Number(row.search_rowid), at)
      this.organisation[at] = this.organisationPosition.get(row.organisation_id) ?? -1
      let bits = 0
      for (const code of JSON.parse(row.themes) as string[]) bits |= THEME_BIT.get(code) ?? 0
      this.themes[at] = bits
      this.status[at] = STATUS_CODE.get(row.status) ?? -1
      this.access[at] = ACCESS_CODE.get(row.access_level) ?? -1
      this.licence[at] = LICENCE_CODE.get(row.licence) ?? -1
      this.formats[at] = this.formatList(formatsOf.get(row.id))
      this.nextRelease[at] = this.date(row.next_release_date)
      this.nextReleaseDay[at] = dayNumber(row.next_release_date)
      this.updated[at] = Date.parse(row.updated_at)
      this.titleKey[at] = row.title.toLowerCase()
    }
  }

  private ensureCapacity(size: number): void {
    if (size <= this.capacity) return
    const capacity = Math.max(1024, this.capacity * 2, size)
    const grow = <T extends Float64Array | Int32Array | Int16Array | Int8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity)
      next.set(old)
      return next
    }
    this.organisation = grow(this.organisation, (n) => new Int16Array(n))
    this.themes = grow(this.themes, (n) => new Int16Array(n))
    this.status = grow(this.status, (n) => new Int8Array(n))
    this.access = grow(this.access, (n) => new Int8Array(n))
    this.licence = grow(this.licence, (n) => new Int8Array(n))
    this.updated = grow(this.updated, (n) => new Float64Array(n))
    this.nextReleaseDay = grow(this.nextReleaseDay, (n) => new Int32Array(n))
    this.capacity = capacity
  }

  private rememberRowid(rowid: number, at: number): void {
    if (rowid >= this.positionByRowid.length) {
      const next = new Int32Array(Math.max(1024, rowid + 1, this.positionByRowid.length * 2)).fill(-1)
      next.set(this.positionByRowid)
      this.positionByRowid = next
    }
    this.positionByRowid[rowid] = at
  }

  private date(iso: string | null): string | null {
    if (iso === null) return null
    let held = this.dates.get(iso)
    if (held === undefined) this.dates.set(iso, (held = iso))
    return held
  }

  private formatList(codes: number[] | undefined): readonly number[] {
    if (!codes) return NO_FORMATS
    const key = codes.sort((a, b) => a - b).join(',')
    let held = this.formatLists.get(key)
    if (held === undefined) this.formatLists.set(key, (held = Object.freeze(codes)))
    return held
  }

  private formatCode(format: string): number {
    let code = this.formatPosition.get(format)
    if (code === undefined) {
      code = this.formatNames.length
      this.formatNames.push(format)
      this.formatPosition.set(format, code)
    }
    return code
  }

  formatCodeOf(format: string): number | undefined {
    return this.formatPosition.get(format)
  }
}
