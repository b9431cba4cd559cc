import { Migrator, sql, type CreateTableBuilder, type DatabaseIntrospector, type Kysely, type Migration, type MigrationResultSet } from 'kysely'
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
import * as m0010 from './migrations/0010_postgres_search_rowids.js'

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
  '0010_postgres_search_rowids': m0010,
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  // Without a schema Kysely looks for its lock table in every schema, so one schema's migrations
  // would wrongly skip creating it when another schema in the database already has it.
  const schema = db.engine === 'postgres' ? (db.pgSchema ?? (await currentSchema(db))) : undefined
  const migrator = new Migrator({
    db: schema === undefined ? db.kysely : lookingInto(db.kysely, schema),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
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

/**
 * The database, with Kysely's question of which tables exist asked of one schema only. Kysely
 * lists every column of every table of every schema to answer it, calling functions on each
 * (pg_get_serial_sequence): when another schema was dropped meanwhile, the listing failed
 * ("column … does not exist"). Tests each have a schema, made and dropped side by side.
 */
function lookingInto(kysely: Kysely<any>, schema: string): Kysely<any> {
  const introspection: DatabaseIntrospector = {
    getSchemas: () => kysely.introspection.getSchemas(),
    getTables: async () => {
      const { rows } = await sql<{ name: string }>`
        select c.relname as name from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(kysely)
      return rows.map((r) => ({ name: r.name, schema, isView: false, columns: [] }))
    },
    getMetadata: async () => ({ tables: await introspection.getTables() }),
  }
  // Kysely keeps its state in private fields: its methods must run on the instance itself.
  return new Proxy(kysely, {
    get(target, property) {
      if (property === 'introspection') return introspection
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
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
