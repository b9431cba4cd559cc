import { buildApp } from './app.js'
import { openDatabase, seedIfEmpty } from './bootstrap.js'
import type { Config } from './config.js'
import { createServices } from './services.js'
import { notifierFor } from './platform/notifications/factory.js'
import { startDispatcher } from './platform/notifications/outbox.js'

/** How often waiting notifications are sent. */
const NOTIFICATION_INTERVAL_MS = 30_000

/** Starts listening; stops cleanly on SIGINT/SIGTERM so in-flight requests finish. */
export async function serve(config: Config): Promise<void> {
  const db = await openDatabase(config)
  const services = createServices(config, db)
  const app = await buildApp({ config, db, services })
  const seeded = await seedIfEmpty(services)
  if (seeded) app.log.info(seeded, 'seeded an empty database')
  await app.listen({ port: config.port, host: config.host })
  app.log.info(`LGDS is running at ${config.baseUrl} on ${db.engine === 'postgres' ? 'PostgreSQL' : `SQLite (${db.sqliteFile})`}`)
  // The first search would otherwise read every dataset's facets while someone waits.
  const warming = Date.now()
  services.datasetSearch.warmUp().then(
    () => app.log.info({ ms: Date.now() - warming }, 'dataset search index ready'),
    (error: unknown) => app.log.error({ err: error }, 'could not read the dataset search index; searches will try again'),
  )
  const notifications = startDispatcher(db.kysely, notifierFor(config, app.log), { intervalMs: NOTIFICATION_INTERVAL_MS, log: app.log })
  const stop = async (signal: string) => {
    app.log.info(`${signal} received, shutting down`)
    await notifications.stop()
    await app.close()
    await db.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
}
