import type { Config } from './config.js'
import type { Db } from './db/connection.js'
import { AccountService } from './features/accounts/service.js'
import { AuditService } from './features/audit/service.js'
import { DatasetService } from './features/datasets/service.js'
import { OrganisationService } from './features/organisations/service.js'

/** Every feature's service, wired once and shared by the web app, the API and the `lgds` command. */
export interface Services {
  config: Config
  db: Db
  organisations: OrganisationService
  accounts: AccountService
  audit: AuditService
  datasets: DatasetService
}

export function createServices(config: Config, db: Db): Services {
  const organisations = new OrganisationService(db)
  const accounts = new AccountService(db, organisations)
  const audit = new AuditService(db)
  const datasets = new DatasetService(db, organisations, config.baseUrl)
  return { config, db, organisations, accounts, audit, datasets }
}
