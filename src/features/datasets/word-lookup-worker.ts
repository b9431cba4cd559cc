import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'
import { lookUp } from './word-lookups.js'

/** The worker of {@link WordLookups}: answers each phrase with its matches, handing the arrays over rather than copying them. */
const sqlite = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true })
parentPort!.on('message', ({ id, phrase }: { id: number; phrase: string }) => {
  try {
    const { rowids, scores } = lookUp(sqlite, phrase)
    parentPort!.postMessage({ id, rowids, scores }, [rowids.buffer as ArrayBuffer, scores.buffer as ArrayBuffer])
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) })
  }
})
