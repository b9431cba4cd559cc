import { existsSync } from 'node:fs'
import path from 'node:path'
import { projectRoot } from '../paths.js'

/**
 * The compiled script of a worker thread, by its path under `src/` without the extension
 * (`platform/csv-records-worker`), or undefined when it has not been built. Worker threads run
 * JavaScript, so the TypeScript sources (the tests, `npm run dev`) start the compiled one, and
 * without a build the work is done on the calling thread instead.
 */
export function compiledWorker(name: string): string | undefined {
  const script = path.join(projectRoot, 'dist', `${name}.js`)
  return existsSync(script) ? script : undefined
}
