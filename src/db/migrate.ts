import { Migrator, sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationResultSet } from 'kysely'
import type { Db, Engine } from './connection.js'
import * as m0001 from './migrations/0001_platform.js'
import * as m0002 from './migrations/0002_datasets.js'
import * as m0003 from './migrations/0003_assets.js'
import * as m0004 from './migrations/0004_asset_search.js'
import * as m0005 from './migrations/0005_sharing.js'
import * as m0006 from './migrations/0006_asset_write_indexes.js'
import * as m0007 from './migrations/0007_sharing_rules.js'
import * as m0008 from './migrations/0008_unread_indexes.js'
import * as m0009 from './migrations/0009_search_rowid_where_set.js'

interface EngineMigration {
  up(db: Kysely<any>, engine: Engine): Promise<void>
}

/** Every migration, in order. One list serves both engines. */
const migrations: Record<string, EngineMigration> = {
  '0001_platform': m0001,
  '0002_datasets': m0002,
  '0003_assets': m0003,
  '0004_asset_search': m0004,
  '0005_sharing': m0005,
  '0006_asset_write_indexes': m0006,
  '0007_sharing_rules': m0007,
  '0008_unread_indexes': m0008,
  '0009_search_rowid_where_set': m0009,
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: db.kysely,
    // Without this Kysely looks for its lock table in every schema, so one schema's migrations
    // would wrongly skip creating it when another schema in the database already has it.
    ...(db.engine === 'postgres' ? { migrationTableSchema: db.pgSchema ?? (await currentSchema(db)) } : {}),
    provider: {
      async getMigrations() {
        const bound: Record<string, Migration> = {}
        for (const [name, migration] of Object.entries(migrations)) {
          bound[name] = { up: (k) => migration.up(k, db.engine) }
        }
        return bound
      },
    },
  })
  const result = await migrator.migrateToLatest()
  if (result.error) throw result.error
  return result
}

async function currentSchema(db: Db): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)
  return rows[0]!.schema
}

/** An integer primary key the database numbers itself: the audit log's order of events. */
export function autoIncrementId<T extends string>(table: CreateTableBuilder<T, never>, engine: Engine) {
  return engine === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}
