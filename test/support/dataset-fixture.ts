import { todayInUk } from '../../src/platform/uk-date.js'
import { seedCouncils, system } from './fixtures.js'
import type { Services } from '../../src/services.js'
import { addMonths } from '../../src/features/datasets/dates.js'
import type { DeclarationInput, DistributionInput } from '../../src/features/datasets/validation.js'

export interface FixtureDataset extends DeclarationInput {
  org: string
  distributions?: DistributionInput[]
  /** Planned releases, as entered (`2027-03`, `2027-Q1`, `2027-03-15`). */
  releases?: string[]
  withdraw?: boolean
}

const csv = (name: string): DistributionInput => ({ downloadUrl: `https://data.example.gov.uk/${name}.csv`, format: 'csv' })
export const today = todayInUk()
export const inMonths = (n: number) => addMonths(today, n)
export const quarterOf = (iso: string) => `${iso.slice(0, 4)}-Q${Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1}`

/** The shared fixture: three councils, fifteen declarations. Both engines must agree on all of it. */
export const FIXTURE: FixtureDataset[] = [
  { org: 'trafford', title: 'Gritting routes', description: 'The roads the council grits in winter, with priority.', keywords: 'roads, winter, gritting', themes: 'TRAN', frequency: 'annual', distributions: [csv('gritting')], releases: [inMonths(2)] },
  { org: 'manchester', title: 'Bus route changes', description: 'Changes to bus routes and stops.', keywords: 'buses, transport', themes: 'TRAN', frequency: 'monthly', releases: [inMonths(5)] },
  { org: 'leeds', title: 'Cycle route network', description: 'Cycle lanes and routes across the city.', keywords: 'cycling', themes: 'TRAN, ENVI', frequency: 'annual', distributions: [{ downloadUrl: 'https://data.leeds.gov.uk/cycle.geojson', format: 'GeoJSON' }] },
  { org: 'trafford', title: 'Air quality monitoring', description: 'Nitrogen dioxide readings from diffusion tubes.', keywords: 'air quality, pollution', themes: 'ENVI, HEAL', frequency: 'monthly', releases: ['2020-Q1'] },
  { org: 'manchester', title: 'Household waste collection days', description: 'Bin collection day for every property.', keywords: 'waste, bins, recycling', themes: 'ENVI', frequency: 'irregular', releases: [today] },
  { org: 'leeds', title: 'Recycling rates by ward', description: 'Tonnage collected and recycled, by ward.', keywords: 'recycling, waste', themes: 'ENVI', frequency: 'quarterly', distributions: [csv('recycling'), { downloadUrl: 'https://data.leeds.gov.uk/recycling.xlsx', format: 'XLSX' }] },
  { org: 'trafford', title: 'Spending over £500', description: 'Every payment to a supplier of £500 or more.', keywords: 'spending, transparency', themes: 'GOVE, ECON', frequency: 'monthly', distributions: [csv('spending')] },
  { org: 'manchester', title: 'Contracts register', description: 'Contracts over £5,000 with supplier and value.', keywords: 'contracts, procurement, transparency', themes: 'GOVE, ECON', frequency: 'quarterly', licence: 'CC-BY-4.0', distributions: [{ downloadUrl: 'https://data.manchester.gov.uk/contracts.json', format: 'JSON' }] },
  { org: 'leeds', title: 'Libraries and opening hours', description: 'Each library with its address and opening hours.', keywords: 'libraries, culture', themes: 'EDUC', frequency: 'irregular', licence: 'CC0-1.0', distributions: [{ downloadUrl: 'https://data.leeds.gov.uk/libraries.json', format: 'json' }] },
  { org: 'trafford', title: 'Car parks and parking charges', description: 'Council car parks with spaces and tariffs.', keywords: 'parking, car parks', themes: 'TRAN', frequency: 'annual', releases: [quarterOf(inMonths(8))] },
  { org: 'manchester', title: 'Adult social care packages', description: 'Care packages commissioned, by type of support.', keywords: 'social care', themes: 'HEAL, SOCI', frequency: 'quarterly', accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'Records describe individual people.' },
  { org: 'leeds', title: 'CCTV camera locations', description: 'Public-space cameras and what they cover.', keywords: 'CCTV, community safety', themes: 'JUST', frequency: 'irregular', accessLevel: 'non-public', accessReason: 'national-security', accessExplanation: 'Publishing positions would help people avoid them.' },
  { org: 'trafford', title: 'Leisure centre attendance', description: 'Visits to each leisure centre by activity.', keywords: 'leisure, sport', themes: 'EDUC, HEAL', frequency: 'monthly', accessLevel: 'restricted', accessReason: 'commercial-confidentiality', accessExplanation: 'The operator’s contract treats it as confidential.' },
  { org: 'manchester', title: 'Street lighting inventory', description: 'Every street light column with lamp type.', keywords: 'street lights, energy', themes: 'ENER', frequency: 'annual', releases: [inMonths(3)], withdraw: true },
  { org: 'leeds', title: 'Planning applications', description: 'Applications received and decided, including routes of public footpaths diverted.', keywords: 'planning', themes: 'REGI', frequency: 'weekly', releases: [inMonths(14)] },
]

/** Declares the fixture through the service, as people would; returns dataset ids by title. */
export async function seedFixture(services: Services, fixture: FixtureDataset[] = FIXTURE): Promise<Map<string, string>> {
  await seedCouncils(services)
  const ids = new Map<string, string>()
  for (const { org, distributions, releases, withdraw, ...declaration } of fixture) {
    const dataset = await services.datasets.declare(system, org, declaration, distributions)
    for (const plannedDate of releases ?? []) await services.datasets.addRelease(system, dataset.id, { plannedDate, state: 'confirmed' })
    if (withdraw) {
      const { dataset: current } = await services.datasets.get(dataset.id)
      await services.datasets.withdraw(system, dataset.id, 'Replaced by the county inventory', current.version)
    }
    ids.set(declaration.title!, dataset.id)
  }
  return ids
}

