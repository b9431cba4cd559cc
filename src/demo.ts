import { systemActor } from './platform/actor.js'
import type { OrganisationInput } from './features/organisations/service.js'
import type { Services } from './services.js'
import { seedDemoAssets } from './features/assets/demo.js'
import { seedDemoDatasets } from './features/datasets/demo.js'
import { seedDemoRequests } from './features/requests/demo.js'
import { seedDemoSharing } from './features/sharing/demo.js'

const actor = systemActor('lgds seed --demo')

/**
 * Public bodies other than councils, so a new installation shows the whole coalition. Real
 * bodies, but no identifiers are invented: an admin adds the official org-id.
 */
const DEMO_BODIES: OrganisationInput[] = [
  { name: 'Local Government Association', shortName: 'LGA', type: 'supporting-body', nation: 'England', website: 'https://www.local.gov.uk/' },
  { name: 'Society of Local Authority Chief Executives', shortName: 'SOLACE', type: 'supporting-body', website: 'https://solace.org.uk/' },
  { name: 'Ministry of Housing, Communities and Local Government', shortName: 'MHCLG', type: 'central-department', website: 'https://www.gov.uk/government/organisations/ministry-of-housing-communities-local-government' },
  { name: 'Greater Manchester Police', type: 'police', nation: 'England', region: 'North West', website: 'https://www.gmp.police.uk/' },
  { name: 'Greater Manchester Fire and Rescue Service', type: 'fire', nation: 'England', region: 'North West', website: 'https://www.manchesterfire.gov.uk/' },
]

/** Adds the demonstration content. Running it twice adds nothing the second time. */
export async function seedDemo(services: Services): Promise<{ created: number; unchanged: number; datasets: number; requests: number; assets: number }> {
  let created = 0
  let unchanged = 0
  for (const body of DEMO_BODIES) {
    const found = (await services.organisations.list({ q: body.name }, { page: 1, pageSize: 5 })).items.some((o) => o.name === body.name)
    if (found) {
      unchanged++
      continue
    }
    await services.organisations.create(actor, body)
    created++
  }
  const datasets = await seedDemoDatasets(services, actor)
  const requests = await seedDemoRequests(services, actor)
  const assets = await seedDemoAssets(services, actor)
  await seedDemoSharing(services, actor)
  return { created, unchanged, datasets: datasets.created, requests: requests.created, assets: assets.created }
}
