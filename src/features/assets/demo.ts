import path from 'node:path'
import type { Actor } from '../../platform/actor.js'
import { fileSource } from '../../platform/csv-input.js'
import { sourceRoot } from '../../paths.js'
import type { Services } from '../../services.js'

/** Trafford Council's published land and buildings register (OGL v3), as it was published. */
export const TRAFFORD_REGISTER = path.join(sourceRoot, 'features', 'assets', 'seed', 'trafford_land_and_building_assets.csv')

/**
 * Imports Trafford's real register, so a new installation shows real assets. Importing is
 * idempotent, so running the seed again adds nothing.
 */
export async function seedDemoAssets(services: Services, actor: Actor): Promise<{ created: number }> {
  const report = await services.assetImport.importCsv(actor, 'trafford', fileSource(TRAFFORD_REGISTER), { format: 'transparency-code' })
  return { created: report.created }
}
