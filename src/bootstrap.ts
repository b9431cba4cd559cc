import path from 'node:path'
import type { Config } from './config.js'
import { connect, type Db } from './db/connection.js'
import { migrateToLatest } from './db/migrate.js'
import { readLocalAuthorityRegister } from './features/organisations/register.js'
import { systemActor } from './platform/actor.js'
import type { Services } from './services.js'
import { seedDemo } from './demo.js'

export function sqliteFileFor(config: Config): string {
  return path.join(config.dataDir, 'lgds.sqlite')
}

/** Connects to the configured engine and brings its schema up to date. */
export async function openDatabase(config: Config): Promise<Db> {
  const db = connect({ databaseUrl: config.databaseUrl, sqliteFile: sqliteFileFor(config) })
  await migrateToLatest(db)
  return db
}

export interface SeedReport {
  organisations: { created: number; updated: number; unchanged: number }
}

/** Loads the reference registers. Safe to run again: nothing is duplicated. */
export async function seed(services: Services, onProgress?: (done: number, total: number) => void): Promise<SeedReport> {
  const organisations = await services.organisations.importRegister(systemActor('lgds seed'), readLocalAuthorityRegister(), onProgress)
  return { organisations }
}

/**
 * On first start the database is empty: fill it so the platform is useful at once, with the
 * demonstration content too unless this is production.
 */
export async function seedIfEmpty(services: Services): Promise<SeedReport | undefined> {
  if ((await services.organisations.count()) > 0) return undefined
  const report = await seed(services)
  if (services.config.env !== 'production') await seedDemo(services)
  return report
}
