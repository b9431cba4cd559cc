import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder holding package.json, whether running from `src/` (tsx) or `dist/` (compiled). */
export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)))

/** Templates and seed files stay in `src/`, so the compiled code reads them from there too. */
export const sourceRoot = path.join(projectRoot, 'src')

function findRoot(start: string): string {
  let dir = start
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`package.json not found above ${start}`)
    dir = parent
  }
  return dir
}
