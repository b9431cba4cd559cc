import { sql, type Kysely, type Selectable, type Insertable, type Updateable } from 'kysely'
import type { Database, OrganisationTable } from '../../db/schema.js'
import type { Engine } from '../../db/connection.js'
import { containsIgnoringCase } from '../../db/dialect.js'
import type { Page, PageRequest } from '../../platform/pagination.js'

export type OrganisationRow = Selectable<OrganisationTable>

export interface OrganisationFilters {
  q?: string
  type?: string
  nation?: string
  region?: string
}

export function searchTextOf(o: { name: string; short_name: string; identifier: string | null; slug: string }): string {
  return [o.name, o.short_name, o.identifier ?? '', o.slug].join(' ').toLowerCase()
}

export class OrganisationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  async list(filters: OrganisationFilters, page: PageRequest): Promise<Page<OrganisationRow>> {
    let query = this.db.selectFrom('organisations')
    const words = (filters.q ?? '').trim().split(/\s+/).filter(Boolean)
    for (const word of words) query = query.where(containsIgnoringCase(this.engine, sql.ref('search_text'), word))
    if (filters.type) query = query.where('type', '=', filters.type)
    if (filters.nation) query = query.where('nation', '=', filters.nation)
    if (filters.region) query = query.where('region', '=', filters.region)
    const [items, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('name')
        .orderBy('id')
        .limit(page.pageSize)
        .offset((page.page - 1) * page.pageSize)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items, total: Number(count.n), ...page }
  }

  findBySlug(slug: string): Promise<OrganisationRow | undefined> {
    return this.db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst()
  }

  findById(id: string): Promise<OrganisationRow | undefined> {
    return this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst()
  }

  findByIdentifier(identifier: string): Promise<OrganisationRow | undefined> {
    return this.db.selectFrom('organisations').selectAll().where('identifier', '=', identifier).executeTakeFirst()
  }

  findByIds(ids: string[]): Promise<OrganisationRow[]> {
    if (ids.length === 0) return Promise.resolve([])
    return this.db.selectFrom('organisations').selectAll().where('id', 'in', ids).orderBy('name').execute()
  }

  async insert(row: Insertable<OrganisationTable>): Promise<void> {
    await this.db.insertInto('organisations').values(row).execute()
  }

  async update(id: string, changes: Updateable<OrganisationTable>): Promise<void> {
    await this.db.updateTable('organisations').set(changes).where('id', '=', id).execute()
  }

  /** The values present in the register, for the filter lists. */
  async distinctValues(column: 'type' | 'nation' | 'region'): Promise<string[]> {
    const rows = await this.db
      .selectFrom('organisations')
      .select(column)
      .distinct()
      .where(column, 'is not', null)
      .orderBy(column)
      .execute()
    return rows.map((r) => r[column] as string).filter(Boolean)
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('organisations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
}
