import { sql, type Kysely } from 'kysely'

/**
 * Indexes a dataset's full-text row only where it has one. On PostgreSQL, whose full-text index
 * is keyed by dataset id, the column is always empty, and every dataset an import declared still
 * added an entry for that empty value. A query asking for a row number implies it is set, so both
 * engines still use the index for it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('datasets_search_rowid').execute()
  await db.schema.createIndex('datasets_search_rowid').on('datasets').column('search_rowid').where(sql.ref('search_rowid'), 'is not', null).execute()
}
