import { POSTGRES_UP } from '../test/support/engines.js'
import { machine, writeResult } from './support.js'
import { organisationsBench } from './suites/organisations.js'
import { datasetsBench } from './suites/datasets.js'
import { standardsBench } from './suites/standards.js'
import { assetsBench } from './suites/assets.js'
import { sharingBench } from './suites/sharing.js'
import type { Engine } from '../src/db/connection.js'

/** `npm run bench [-- suite…]`: runs the named suites (all by default) on both engines. */
const suites: Record<string, (engine: Engine) => Promise<unknown>> = {
  organisations: organisationsBench,
  datasets: datasetsBench,
  standards: standardsBench,
  assets: assetsBench,
  sharing: sharingBench,
}

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const unknown = requested.filter((name) => !(name in suites))
if (unknown.length > 0) {
  console.error(`Unknown benchmark suite: ${unknown.join(', ')}. Known: ${Object.keys(suites).join(', ')}`)
  process.exit(2)
}
const engines: Engine[] = POSTGRES_UP ? ['sqlite', 'postgres'] : ['sqlite']
if (!POSTGRES_UP) console.warn('PostgreSQL does not answer: measuring SQLite only.')
console.log(machine())
for (const name of requested.length > 0 ? requested : Object.keys(suites)) {
  const result: Record<string, unknown> = {}
  for (const engine of engines) result[engine] = await suites[name]!(engine)
  console.log(`Wrote ${writeResult(name, result)}`)
}
