import { Kysely, PostgresDialect, type ControlledTransaction, type PostgresPoolClient } from 'kysely'
import type { PoolClient } from 'pg'
import type { Db } from './connection.js'
import { send, type Statement } from './pg-copy.js'
import type { Database } from './schema.js'

/**
 * The connection under a transaction begun by {@link startOwnTransaction}. Kysely's queries and
 * the bulk writers' statements all go through it, one query at a time in the order given (the pg
 * client is not to be handed a query while one is running).
 *
 * Bulk writes can be held back ({@link hold}) and sent together as one query ({@link flush}), which
 * the caller does not wait for: PostgreSQL stores a batch while Node reads and checks the next.
 * Held statements are sent before anything else runs, so every later query sees them; the
 * transaction waits for them before committing, and a failure among them is reported then.
 */
export class OwnConnection {
  private tail: Promise<unknown> = Promise.resolve()
  private held: Statement[] = []
  private readonly inFlight = new Set<Promise<unknown>>()
  /** The first write that failed in flight: every statement after it failed because of it. */
  private failed?: { error: unknown }

  constructor(private readonly client: PoolClient) {}

  /** Runs `work` on the connection once everything given before it, held statements included, has run. */
  run<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.flush()
    return this.queue(work)
  }

  /** Keeps statements to send with the next ones (see {@link flush}). */
  hold(statements: readonly Statement[]): void {
    // Encoded now: rows kept as text, built up piece by piece, were copied by every minor
    // collection until sent (a third of an import's time in Node went on collecting them).
    for (const statement of statements) this.held.push(typeof statement.rows === 'string' ? { sql: statement.sql, rows: Buffer.from(statement.rows, 'utf8') } : statement)
  }

  /** Sends the statements held back as one query, and goes on without waiting for it. */
  flush(): void {
    if (this.held.length === 0) return
    const statements = this.held
    this.held = []
    const write = this.queue((client) => send(client, statements))
    this.inFlight.add(write)
    write.then(
      () => this.inFlight.delete(write),
      (error: unknown) => {
        this.inFlight.delete(write)
        this.failed ??= { error }
      },
    )
  }

  /**
   * Forgets the statements held back and not yet sent: the transaction is being rolled back, or
   * the writer found a fault in what it held before sending it.
   */
  discard(): void {
    this.held = []
  }

  /**
   * Waits until at most `count` writes are in flight, so that a writer which never waits on the
   * connection does not run ahead of PostgreSQL with every batch in memory.
   */
  async inFlightAtMost(count: number): Promise<void> {
    while (this.inFlight.size > count) await Promise.race([...this.inFlight]).catch(() => {})
  }

  /** Sends what is held and waits for every write in flight; answers the first that failed, if one did. */
  async settle(): Promise<{ error: unknown } | undefined> {
    this.flush()
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    return this.failed
  }

  private queue<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const start = () => work(this.client)
    const result = this.tail.then(start, start)
    this.tail = result.catch(() => {})
    return result
  }
}

const connections = new WeakMap<Kysely<Database>, OwnConnection>()

/** The connection of a transaction begun by {@link startOwnTransaction} on PostgreSQL, for COPY. */
export function ownConnection(trx: Kysely<Database>): OwnConnection | undefined {
  return connections.get(trx)
}

export interface OwnTransaction {
  trx: ControlledTransaction<Database>
  /** Waits for the writes in flight (sending those held back), then commits; a write that failed is thrown here instead. */
  commit(): Promise<void>
  /**
   * Rolls back (unless already ended), never throwing. Answers the error of a write that failed
   * in flight, if one did: it is the cause of whatever failed after it ("current transaction is
   * aborted").
   */
  rollback(): Promise<unknown>
}

/**
 * Begins a transaction that bulk writers can COPY into. Kysely cannot run COPY, and the pool would
 * lend it a connection of its own: so on PostgreSQL the transaction runs on one connection checked
 * out here, under a Kysely whose pool is that connection alone, and COPY goes to the same
 * connection ({@link ownConnection}). On SQLite, an ordinary transaction.
 */
export async function startOwnTransaction(db: Db): Promise<OwnTransaction> {
  if (!db.pg) {
    const trx = await db.kysely.startTransaction().execute()
    let ended = false
    return {
      trx,
      commit: async () => {
        await trx.commit().execute()
        ended = true
      },
      rollback: async () => {
        if (!ended) await trx.rollback().execute().catch(() => {})
        ended = true
        return undefined
      },
    }
  }
  const client = await db.pg.pool.connect()
  const connection = new OwnConnection(client)
  let trx: ControlledTransaction<Database>
  try {
    // Kysely gives the connection back after commit or rollback: the release is ours, below.
    // Kysely only sends statements through it, never a cursor.
    const query = (text: string, parameters: readonly unknown[]) => connection.run((c) => c.query(text, [...parameters]))
    const lent = { query: query as unknown as PostgresPoolClient['query'], release: () => {} }
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: async () => lent, end: async () => {} } }), ...(db.pg.log ? { log: db.pg.log } : {}) })
    trx = await kysely.startTransaction().execute()
  } catch (error) {
    client.release(true)
    throw error
  }
  connections.set(trx, connection)
  let ended = false
  return {
    trx,
    async commit() {
      const failed = await connection.settle()
      if (failed) throw failed.error
      await trx.commit().execute()
      ended = true
      client.release()
    },
    async rollback() {
      if (!ended) {
        ended = true
        connection.discard()
        let broken = false
        await trx.rollback().execute().catch(() => (broken = true))
        client.release(broken)
      }
      return (await connection.settle())?.error
    },
  }
}
