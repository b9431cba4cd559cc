import { sql } from 'kysely'
import { buildApp } from '../../src/app.js'
import type { Engine } from '../../src/db/connection.js'
import { readLocalAuthorityRegister } from '../../src/features/organisations/register.js'
import { systemActor } from '../../src/platform/actor.js'
import { createServices } from '../../src/services.js'
import { openTestDatabase, testConfig } from '../../test/support/engines.js'
import { compare, measure, printComparison, type Comparison } from '../support.js'

/**
 * Searching the organisations register: the service and the whole page, each against its floor
 * (the bare SQL of the same search, and the service call the page is built on).
 */
export async function organisationsBench(engine: Engine): Promise<Comparison[]> {
  const { db, drop } = await openTestDatabase(engine)
  try {
    const config = testConfig()
    const services = createServices(config, db)
    await services.organisations.importRegister(systemActor('bench'), readLocalAuthorityRegister())
    const app = await buildApp({ config, db, services })
    const filters = { q: 'man', nation: 'England' }
    const page = { page: 1, pageSize: 20 }
    const like = engine === 'postgres' ? sql`ilike` : sql`like`

    const service = await measure('service: search "man" in England', 300, () => services.organisations.list(filters, page))
    const bareSql = await measure('bare SQL', 300, () =>
      Promise.all([
        sql`select * from organisations where search_text ${like} ${'%man%'} and nation = ${'England'} order by name, id limit 20 offset 0`.execute(db.kysely),
        sql`select count(*) as n from organisations where search_text ${like} ${'%man%'} and nation = ${'England'}`.execute(db.kysely),
      ]),
    )
    const pageView = await measure('page: GET /organisations?q=man&nation=England', 200, () =>
      app.inject({ method: 'GET', url: '/organisations?q=man&nation=England' }),
    )
    const serviceFloor = await measure('service call', 200, async () => {
      await services.organisations.list(filters, page)
      await services.organisations.filterOptions()
    })
    const api = await measure('API: GET /api/v1/organisations?q=man', 200, () => app.inject({ method: 'GET', url: '/api/v1/organisations?q=man' }))
    await app.close()
    const results = [compare(service, bareSql), compare(pageView, serviceFloor), compare(api, service)]
    for (const r of results) printComparison(engine, r)
    return results
  } finally {
    await drop()
  }
}
