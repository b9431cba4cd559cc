import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../../src/paths.js'

const run = promisify(execFile)
const BIN = path.join(projectRoot, 'bin', 'lgds.js')

export interface CommandResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the real, compiled `lgds` entry point, the one `npx lgds` runs (`npm test` builds it first). */
export async function lgds(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
