import { Migrator, type CreateTableBuilder, type Kysely, type Migration, type MigrationResultSet } from 'kysely'
import type { Db, Engine } from './connection.js'
import * as m0001 from './migrations/0001_platform.js'

interface EngineMigration {
  up(db: Kysely<any>, engine: Engine): Promise<void>
}

/** Every migration, in order. One list serves both engines. */
const migrations: Record<string, EngineMigration> = {
  '0001_platform': m0001,
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: db.kysely,
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

/** An integer primary key the database numbers itself: the audit log's order of events. */
export function autoIncrementId<T extends string>(table: CreateTableBuilder<T, never>, engine: Engine) {
  return engine === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}
