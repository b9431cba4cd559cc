import type { ControlledTransaction } from 'kysely'
import type { Database } from './schema.js'

/**
 * Runs `work` inside a savepoint of the transaction: if it throws, only its own writes are undone
 * and the error goes on to the caller, whose transaction can carry on. Imports and harvests run
 * each record this way, so one refused record is reported while the rest are kept.
 */
export async function withinSavepoint<T>(trx: ControlledTransaction<Database>, name: string, work: () => Promise<T>): Promise<T> {
  const savepoint = await trx.savepoint(name).execute()
  try {
    const result = await work()
    await savepoint.releaseSavepoint(name).execute()
    return result
  } catch (error) {
    await savepoint.rollbackToSavepoint(name).execute()
    await savepoint.releaseSavepoint(name).execute()
    throw error
  }
}
