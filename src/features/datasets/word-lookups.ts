import { existsSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Db } from '../../db/connection.js'
import { projectRoot } from '../../paths.js'

/**
 * One word's matches in SQLite's full-text index, with their relevance (bm25 is better when
 * lower; negated so that both engines sort the same way). The rowid, unlike the dataset id, is
 * read without touching each match's stored text.
 */
export const WORD_MATCHES_SQL = 'select rowid, -bm25(datasets_fts, 0.0, 10.0, 1.0, 5.0, 3.0) as score from datasets_fts where datasets_fts match ?'

/** What a look-up answers: the matching index rows and their scores, in the same order. */
export interface WordMatches {
  rowids: Int32Array
  scores: Float64Array
}

/** The compiled worker (the tests run the TypeScript sources, after a build). */
const WORKER_SCRIPT = path.join(projectRoot, 'dist', 'features', 'datasets', 'word-lookup-worker.js')

/**
 * Looks words up in SQLite's full-text index on a worker thread with a read-only connection of
 * its own. better-sqlite3 answers on the thread that asks, and a common word matches most of the
 * catalogue: scoring 120,000 matches took 150 ms, during which the server answered no one else.
 * On the worker, other searches go on meanwhile. A database in memory (the tests) cannot be
 * opened twice, so its words are looked up on the calling thread.
 */
export class WordLookups {
  private worker: Worker | undefined
  private next = 0
  private readonly waiting = new Map<number, { resolve: (matches: WordMatches) => void; reject: (error: Error) => void }>()

  private constructor(
    private readonly db: Db,
    /** Whether look-ups go to the worker (a database in a file) or run on the calling thread. */
    readonly onWorker: boolean,
  ) {}

  static for(db: Db): WordLookups {
    const file = db.sqliteFile
    return new WordLookups(db, file !== undefined && file !== ':memory:' && existsSync(WORKER_SCRIPT))
  }

  /** The matches of one FTS5 phrase (`"word"` or `"word"*`). */
  lookup(phrase: string): Promise<WordMatches> {
    if (!this.onWorker) return Promise.resolve(lookUp(this.db.sqlite!, phrase))
    const worker = this.started()
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      worker.postMessage({ id, phrase })
    })
  }

  private started(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(WORKER_SCRIPT, { workerData: { file: this.db.sqliteFile } })
    // It serves while the server does; it must not keep a process that is done from exiting.
    worker.unref()
    worker.on('message', (answer: { id: number; error?: string } & Partial<WordMatches>) => {
      const waiting = this.waiting.get(answer.id)
      this.waiting.delete(answer.id)
      if (answer.error !== undefined) waiting?.reject(new Error(answer.error))
      else waiting?.resolve({ rowids: answer.rowids!, scores: answer.scores! })
    })
    const fail = (error: Error) => {
      // Started again by the next look-up.
      this.worker = undefined
      for (const { reject } of this.waiting.values()) reject(error)
      this.waiting.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`The full-text look-up worker stopped (exit code ${code})`)))
    return (this.worker = worker)
  }
}

/** The look-up itself, on whichever thread holds the connection. */
export function lookUp(sqlite: import('better-sqlite3').Database, phrase: string): WordMatches {
  const rows = sqlite.prepare(WORD_MATCHES_SQL).raw().all(phrase) as [number, number][]
  const rowids = new Int32Array(rows.length)
  const scores = new Float64Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    rowids[i] = rows[i]![0]
    scores[i] = rows[i]![1]
  }
  return { rowids, scores }
}
