import type { Config } from './config.js'
import type { Db } from './db/connection.js'
import { AccountService } from './features/accounts/service.js'
import { AssetImport } from './features/assets/import.js'
import { AssetService } from './features/assets/service.js'
import { PurchaseCheckService } from './features/assets/check/service.js'
import { AuditService } from './features/audit/service.js'
import { AuditRoundService } from './features/datasets/audit-rounds.js'
import { DatasetCatalogue } from './features/datasets/catalogue.js'
import { DatasetService } from './features/datasets/service.js'
import { DatasetImport } from './features/datasets/import.js'
import { DatasetSearch } from './features/datasets/search.js'
import { HarvestService } from './features/harvest/service.js'
import { OrganisationService } from './features/organisations/service.js'
import { RequestParticipation } from './features/requests/participation.js'
import { RequestService } from './features/requests/service.js'
import { SharingService } from './features/sharing/service.js'

/** Every feature's service, wired once and shared by the web app, the API and the `lgds` command. */
export interface Services {
  config: Config
  db: Db
  organisations: OrganisationService
  accounts: AccountService
  audit: AuditService
  datasets: DatasetService
  datasetImport: DatasetImport
  datasetSearch: DatasetSearch
  datasetCatalogue: DatasetCatalogue
  harvest: HarvestService
  requests: RequestService
  requestParticipation: RequestParticipation
  auditRounds: AuditRoundService
  assets: AssetService
  assetImport: AssetImport
  purchaseChecks: PurchaseCheckService
  sharing: SharingService
}

export function createServices(config: Config, db: Db): Services {
  const organisations = new OrganisationService(db)
  const accounts = new AccountService(db, organisations)
  const audit = new AuditService(db)
  const datasets = new DatasetService(db, organisations, config.baseUrl)
  const datasetImport = new DatasetImport(db, organisations, datasets)
  const datasetSearch = new DatasetSearch(db)
  const datasetCatalogue = new DatasetCatalogue(db, organisations)
  const harvest = new HarvestService(db, organisations, datasets)
  const requests = new RequestService(db, organisations)
  const requestParticipation = new RequestParticipation(db)
  const auditRounds = new AuditRoundService(db, organisations)
  const assets = new AssetService(db, organisations)
  const assetImport = new AssetImport(db, organisations)
  const purchaseChecks = new PurchaseCheckService(db, organisations)
  const sharing = new SharingService(db, organisations, assets, purchaseChecks, { baseUrl: config.baseUrl })
  return { config, db, organisations, accounts, audit, datasets, datasetImport, datasetSearch, datasetCatalogue, harvest, requests, requestParticipation, auditRounds, assets, assetImport, purchaseChecks, sharing }
}
