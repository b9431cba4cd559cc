import { todayInUk } from '../../platform/uk-date.js'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'
import { NotFoundError, ValidationError } from '../../platform/errors.js'
import { RequestRepository, type DataRequestRow } from './repository.js'

export const MAX_TEXT = 5000
/** Ids as the pages and API give them: anything else cannot exist, so it is not looked up. */
export const ID_LIKE = /^[A-Za-z0-9-]{1,100}$/

/** What a request's lifecycle (RequestService) and people's part in it (RequestParticipation) both work from. */
export abstract class RequestServiceBase {
  constructor(
    protected readonly db: Db,
    /** Tests set the date; everything "today" and every timestamp comes from here. */
    protected readonly clock: () => Date = () => new Date(),
  ) {}

  protected repo(k: Kysely<Database> = this.db.kysely) {
    return new RequestRepository(k, this.db.engine)
  }

  protected today(): string {
    return todayInUk(this.clock())
  }

  protected now(): string {
    return this.clock().toISOString()
  }

  protected async requireRequest(repo: RequestRepository, id: string): Promise<DataRequestRow> {
    const row = ID_LIKE.test(id) ? await repo.findById(id) : undefined
    if (!row) throw new NotFoundError('There is no data request with that id')
    return row
  }
}

/** One field's error, as the forms show it. */
export function fieldError(name: string, message: string): ValidationError {
  return new ValidationError([{ name, message }])
}
