import { todayInUk } from '../../platform/uk-date.js'
import type { Actor } from '../../platform/actor.js'
import type { Services } from '../../services.js'
import { addMonths } from './dates.js'
import type { DeclarationInput } from './validation.js'

/** What a council typically holds, as the demonstration inventory. */
interface DemoDataset extends DeclarationInput {
  /** Months from today of the next planned release; negative means it is overdue. */
  releaseInMonths?: number
  precision?: 'day' | 'month' | 'quarter'
  /** Already published: a file a harvester can fetch. */
  published?: { format: string; mediaType: string; file: string }
}

const CATALOGUE: DemoDataset[] = [
  { title: 'Gritting routes', description: 'Roads treated with salt in winter, by priority, with the depots that serve them.', keywords: 'roads, winter, gritting, highways', themes: 'TRAN', frequency: 'annual', published: { format: 'GeoJSON', mediaType: 'application/geo+json', file: 'gritting-routes.geojson' }, releaseInMonths: 10 },
  { title: 'Public toilets', description: 'Location, opening hours and accessibility of public toilets the council runs.', keywords: 'toilets, accessibility, facilities', themes: 'SOCI', frequency: 'quarterly', published: { format: 'CSV', mediaType: 'text/csv', file: 'public-toilets.csv' }, releaseInMonths: 2 },
  { title: 'Spending over £500', description: 'Every payment to a supplier of £500 or more, as the Local Government Transparency Code requires.', keywords: 'spending, transparency, payments, suppliers', themes: 'GOVE, ECON', frequency: 'monthly', published: { format: 'CSV', mediaType: 'text/csv', file: 'spend-over-500.csv' }, releaseInMonths: 1 },
  { title: 'Land and building assets', description: 'Every parcel of land and building the council owns or leases, with its tenure and location.', keywords: 'assets, land, property, transparency', themes: 'GOVE, REGI', frequency: 'annual', published: { format: 'CSV', mediaType: 'text/csv', file: 'land-assets.csv' }, releaseInMonths: 5 },
  { title: 'Planning applications', description: 'Planning applications received and decided, with site, proposal and decision.', keywords: 'planning, development, applications', themes: 'REGI', frequency: 'weekly', published: { format: 'CSV', mediaType: 'text/csv', file: 'planning-applications.csv' } },
  { title: 'Street lighting inventory', description: 'Every street light column with lamp type, wattage and the date converted to LED.', keywords: 'street lights, energy, LED', themes: 'ENER, TRAN', frequency: 'annual', releaseInMonths: 3, precision: 'month' },
  { title: 'Air quality monitoring', description: 'Nitrogen dioxide readings from diffusion tubes and automatic monitors.', keywords: 'air quality, pollution, NO2', themes: 'ENVI, HEAL', frequency: 'monthly', releaseInMonths: -2, precision: 'month' },
  { title: 'Household waste collection days', description: 'Bin collection day and round for every property, by waste stream.', keywords: 'waste, bins, recycling', themes: 'ENVI', frequency: 'irregular', releaseInMonths: 4, precision: 'quarter' },
  { title: 'Recycling rates by ward', description: 'Tonnage collected and the share recycled or composted, by ward and quarter.', keywords: 'recycling, waste, tonnage', themes: 'ENVI', frequency: 'quarterly', releaseInMonths: 6, precision: 'quarter' },
  { title: 'Council tax bands and charges', description: 'Charges for each council tax band, including parish precepts.', keywords: 'council tax, finance', themes: 'ECON, GOVE', frequency: 'annual', published: { format: 'CSV', mediaType: 'text/csv', file: 'council-tax-charges.csv' }, releaseInMonths: 4 },
  { title: 'Libraries and opening hours', description: 'Each library with its address, opening hours and services.', keywords: 'libraries, culture', themes: 'EDUC', frequency: 'irregular', published: { format: 'JSON', mediaType: 'application/json', file: 'libraries.json' } },
  { title: 'Parks and green spaces', description: 'Boundaries of parks and green spaces with their facilities.', keywords: 'parks, green space, play areas', themes: 'ENVI, SOCI', frequency: 'annual', releaseInMonths: 8, precision: 'month' },
  { title: 'Road traffic collisions', description: 'Reported road traffic collisions with severity, location and vehicles involved.', keywords: 'road safety, collisions', themes: 'TRAN, JUST', frequency: 'annual', releaseInMonths: 7, precision: 'quarter' },
  { title: 'Adult social care packages', description: 'Care packages commissioned, by type of support and provider.', keywords: 'social care, adults', themes: 'HEAL, SOCI', frequency: 'quarterly', accessLevel: 'non-public', accessReason: 'personal-data', accessExplanation: 'Records describe individual people; an aggregate version is planned.' },
  { title: 'Contracts register', description: 'Contracts over £5,000 with supplier, value and dates.', keywords: 'contracts, procurement, transparency', themes: 'GOVE, ECON', frequency: 'quarterly', releaseInMonths: 1, precision: 'month' },
  { title: 'Leisure centre attendance', description: 'Visits to each leisure centre by activity and month.', keywords: 'leisure, sport, attendance', themes: 'EDUC, HEAL', frequency: 'monthly', accessLevel: 'restricted', accessReason: 'commercial-confidentiality', accessExplanation: 'The leisure operator’s contract treats attendance as commercially confidential until renewal.' },
  { title: 'CCTV camera locations', description: 'Public-space CCTV cameras and what they cover.', keywords: 'CCTV, community safety', themes: 'JUST', frequency: 'irregular', accessLevel: 'non-public', accessReason: 'national-security', accessExplanation: 'Publishing camera positions would help people avoid them.' },
]

const COUNCILS = ['trafford', 'manchester', 'leeds']

/**
 * About fifty declarations across three councils, with schedules, one overdue release and
 * withdrawn and restricted examples. Dates are relative to today, so the demonstration never
 * goes stale. Skips any council that already has datasets.
 */
export async function seedDemoDatasets(services: Services, actor: Actor): Promise<{ created: number }> {
  let created = 0
  const today = todayInUk()
  for (const [councilIndex, slug] of COUNCILS.entries()) {
    const existing = await services.datasets.listForOrganisation(slug, { page: 1, pageSize: 1 })
    if (existing.total > 0) continue
    const council = await services.organisations.getBySlug(slug)
    for (const [index, entry] of CATALOGUE.entries()) {
      // Not every council declares everything, and the overdue one belongs to Trafford only.
      if (councilIndex > 0 && entry.releaseInMonths !== undefined && entry.releaseInMonths < 0) continue
      const { releaseInMonths, precision, published, ...declaration } = entry
      const host = `https://data.${slug}.gov.uk`
      const distributions = published
        ? [{ title: `${entry.title} (${published.format})`, downloadUrl: `${host}/${published.file}`, format: published.format, mediaType: published.mediaType }]
        : []
      const dataset = await services.datasets.declare(actor, slug, { ...declaration, reference: `${slug.slice(0, 3).toUpperCase()}-${String(index + 1).padStart(3, '0')}`, spatial: council.identifier ?? undefined, contactEmail: `opendata@${slug}.gov.uk` }, distributions)
      created++
      if (releaseInMonths !== undefined) {
        const date = addMonths(today, releaseInMonths + councilIndex)
        const planned = precision === 'quarter' ? `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}` : precision === 'month' || releaseInMonths < 0 ? date.slice(0, 7) : date
        const release = await services.datasets.addRelease(actor, dataset.id, { plannedDate: planned, state: releaseInMonths < 0 ? 'confirmed' : 'provisional' })
        if (index === 5 && councilIndex === 0) {
          await services.datasets.updateRelease(actor, release.id, { plannedDate: addMonths(date, 3).slice(0, 7), note: 'The LED conversion survey finishes later than planned.' })
        }
      }
    }
    if (councilIndex === 2) {
      const page = await services.datasets.listForOrganisation(slug, { page: 1, pageSize: 100 })
      const libraries = page.items.find((d) => d.title === 'Libraries and opening hours')
      if (libraries) await services.datasets.withdraw(actor, libraries.id, 'Now published by the county library service.', libraries.version)
    }
  }
  return { created }
}
