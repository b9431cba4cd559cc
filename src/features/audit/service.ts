import type { Db } from '../../db/connection.js'
import { auditHistory, type AuditEvent } from '../../platform/audit.js'
import { NotFoundError } from '../../platform/errors.js'
import type { Page, PageRequest } from '../../platform/pagination.js'

/** Entities whose history is public. Accounts and tokens are people's own business. */
const PUBLIC_ENTITIES = new Set(['organisation', 'dataset', 'release', 'asset', 'request'])

export class AuditService {
  constructor(private readonly db: Db) {}

  isPublic(entityType: string): boolean {
    return PUBLIC_ENTITIES.has(entityType)
  }

  async history(entityType: string, entityId: string, page: PageRequest): Promise<Page<AuditEvent>> {
    if (!this.isPublic(entityType)) throw new NotFoundError(`There is no public history for “${entityType}”`)
    return auditHistory(this.db.kysely, entityType, entityId, page)
  }
}
