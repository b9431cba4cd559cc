import { Worker } from 'node:worker_threads'
import type { Db } from '../../db/connection.js'
import { compiledWorker } from '../../platform/workers.js'

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
    /** The worker's script, for a database in a file; without one, look-ups run on the calling thread. */
    private readonly script: string | undefined,
  ) {}

  get onWorker(): boolean {
    return this.script !== undefined
  }

  static for(db: Db): WordLookups {
    const file = db.sqliteFile
    const script = file !== undefined && file !== ':memory:' ? compiledWorker('features/datasets/word-lookup-worker') : undefined
    return new WordLookups(db, script)
  }

  /** The matches of one FTS5 phrase (`"word"` or `"word"*`). */
  lookup(phrase: string): Promise<WordMatches> {
    if (!this.script) return Promise.resolve(lookUp(this.db.sqlite!, phrase))
    const worker = this.started(this.script)
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      worker.postMessage({ id, phrase })
    })
  }

  private started(script: string): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(script, { workerData: { file: this.db.sqliteFile } })
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
