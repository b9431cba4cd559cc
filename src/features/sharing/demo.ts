import { todayInUk } from '../../platform/uk-date.js'
import { randomBytes } from 'node:crypto'
import type { Actor } from '../../platform/actor.js'
import type { Organisation } from '../organisations/service.js'
import type { Services } from '../../services.js'
import { SharingService } from './service.js'

/** Officers of Greater Manchester bodies who share equipment. Random passwords: nobody signs in as them. */
const OFFICERS = [
  { body: 'trafford', name: 'Sam Patel', email: 'sam.patel@trafford.example.org' },
  { body: 'manchester', name: 'Grace Mensah', email: 'grace.mensah@manchester.example.org' },
  { body: 'Greater Manchester Fire and Rescue Service', name: 'Owen Hughes', email: 'owen.hughes@manchesterfire.example.org' },
  { body: 'stockport', name: 'Aisha Khan', email: 'aisha.khan@stockport.example.org' },
] as const

type Body = (typeof OFFICERS)[number]['body']

const equipment = (fields: Record<string, string>) => ({ assetClass: 'vehicles-plant-equipment', depreciationMethod: 'straight-line', condition: 'B', ...fields })

/** Equipment of each body, some of it idle: what the sharing journeys start from. */
const ASSETS: { body: Body; fields: Record<string, string> }[] = [
  { body: 'trafford', fields: equipment({ assetCode: 'TRF-VEH-0107', name: 'Wheelchair-accessible minibus (17 seats)', cpvCode: '34114400-3', acquisitionDate: '2019-03-15', acquisitionCostPence: '62500', usefulLifeYears: '10', status: 'underused', utilisationPercent: '22', streetName: 'Talbot Road', postTown: 'Stretford', postcode: 'M32 0TH', lat: '53.4463', lon: '-2.3087' }) },
  { body: 'trafford', fields: equipment({ assetCode: 'TRF-IT-0450', name: 'Laptops from Partington library (15)', cpvCode: '30213100-6', acquisitionDate: '2022-06-01', acquisitionCostPence: '10500', usefulLifeYears: '4', status: 'surplus', utilisationPercent: '0', condition: 'A' }) },
  { body: 'trafford', fields: equipment({ assetCode: 'TRF-FUR-0212', name: 'Conference tables and chairs, Sale Waterside', cpvCode: '39130000-2', acquisitionDate: '2018-09-01', acquisitionCostPence: '8400', usefulLifeYears: '15', status: 'vacant', utilisationPercent: '0', postTown: 'Sale', postcode: 'M33 7ZF', lat: '53.4239', lon: '-2.3224' }) },
  { body: 'trafford', fields: equipment({ assetCode: 'TRF-VEH-0088', name: 'Spare gritter lorry', cpvCode: '34144440-4', acquisitionDate: '2016-10-01', acquisitionCostPence: '115000', usefulLifeYears: '12', status: 'underused', utilisationPercent: '15', condition: 'C' }) },
  { body: 'manchester', fields: equipment({ assetCode: 'MCC-IT-2031', name: 'Video projectors for Central Library events (6)', cpvCode: '38652120-7', acquisitionDate: '2021-01-10', acquisitionCostPence: '7200', usefulLifeYears: '6', status: 'underused', utilisationPercent: '30', streetName: 'St Peter’s Square', postTown: 'Manchester', postcode: 'M2 5PD', lat: '53.4780', lon: '-2.2445' }) },
  { body: 'manchester', fields: equipment({ assetCode: 'MCC-VEH-0330', name: 'Electric pool van', cpvCode: '34144900-7', acquisitionDate: '2023-04-01', acquisitionCostPence: '34000', usefulLifeYears: '8', status: 'in-use', utilisationPercent: '85', condition: 'A' }) },
  { body: 'manchester', fields: equipment({ assetCode: 'MCC-FUR-0915', name: 'Sit-stand desks (40)', cpvCode: '39121100-7', acquisitionDate: '2020-02-01', acquisitionCostPence: '18000', usefulLifeYears: '10', status: 'surplus', utilisationPercent: '0' }) },
  { body: 'Greater Manchester Fire and Rescue Service', fields: equipment({ assetCode: 'GMFRS-VEH-0041', name: 'Reserve fire engine (Volvo FL)', cpvCode: '34144213-4', acquisitionDate: '2012-05-01', acquisitionCostPence: '240000', usefulLifeYears: '15', status: 'underused', utilisationPercent: '10', condition: 'C' }) },
  { body: 'Greater Manchester Fire and Rescue Service', fields: equipment({ assetCode: 'GMFRS-EQ-0112', name: 'Portable generators (4)', cpvCode: '31120000-3', acquisitionDate: '2019-07-01', acquisitionCostPence: '9600', usefulLifeYears: '10', status: 'underused', utilisationPercent: '20' }) },
  { body: 'stockport', fields: equipment({ assetCode: 'SMBC-VEH-0201', name: 'Road-sweeping vehicle', cpvCode: '34144430-1', acquisitionDate: '2017-06-01', acquisitionCostPence: '155000', usefulLifeYears: '10', status: 'in-use', utilisationPercent: '90' }) },
]

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/**
 * Sharing between Greater Manchester bodies: idle equipment, open offers, and shares in every
 * state (a transfer completed last year, a sale, a loan still out, one returned, one asked for,
 * one declined), so the journeys and the savings page have something to show. Skipped once its
 * first asset exists; skipped too when a body it needs is missing.
 */
export async function seedDemoSharing(services: Services, operator: Actor): Promise<{ created: number }> {
  const bodies = new Map<Body, Organisation>()
  for (const officer of OFFICERS) {
    const found = officer.body.includes(' ')
      ? (await services.organisations.list({ q: officer.body }, { page: 1, pageSize: 5 })).items.find((o) => o.name === officer.body)
      : await services.organisations.getBySlug(officer.body).catch(() => undefined)
    if (!found) return { created: 0 }
    bodies.set(officer.body, found)
  }
  if (await services.assets.findByCode(bodies.get('trafford')!.id, ASSETS[0]!.fields.assetCode!)) return { created: 0 }

  const people = new Map<Body, Actor>()
  for (const officer of OFFICERS) {
    const slug = bodies.get(officer.body)!.slug
    const user = (await services.accounts.findUserByEmail(officer.email)) ?? (await services.accounts.signUp(operator, { name: officer.name, email: officer.email, password: randomBytes(24).toString('base64url') }))
    await services.accounts.addMember(operator, slug, { email: officer.email, role: 'editor' }).catch(() => undefined)
    people.set(officer.body, (await services.accounts.actorForUser(user.id))!)
  }
  const today = todayInUk()
  const ids = new Map<string, number>()
  for (const { body, fields } of ASSETS) {
    const asset = await services.assets.create(people.get(body)!, bodies.get(body)!.slug, { ...fields, utilisationMeasuredOn: addDays(today, -30) })
    ids.set(fields.assetCode!, asset.id)
  }
  const id = (code: string) => ids.get(code)!
  const [trafford, manchester, fire, stockport] = [people.get('trafford')!, people.get('manchester')!, people.get('Greater Manchester Fire and Rescue Service')!, people.get('stockport')!]
  const sharing = services.sharing

  // Last year: Trafford's surplus library laptops went to Manchester instead of Manchester buying new.
  const lastYear = new SharingService(services.db, services.organisations, services.assets, services.purchaseChecks, { baseUrl: services.config.baseUrl, clock: () => new Date(`${new Date().getUTCFullYear() - 1}-09-15T10:00:00Z`) })
  await lastYear.offer(trafford, id('TRF-IT-0450'), { kind: 'transfer', availableFrom: `${new Date().getUTCFullYear() - 1}-09-01`, windowWorkingDays: 0, terms: 'Wiped and reimaged; collect from Partington.' })
  const laptops = await lastYear.request(manchester, id('TRF-IT-0450'), { neededFrom: `${new Date().getUTCFullYear() - 1}-10-01`, purpose: 'Digital inclusion loans for residents at Longsight library.', avoidedCostPence: 900_000 })
  await lastYear.step(trafford, laptops.id, 'approve', { version: 1 })
  await lastYear.step(trafford, laptops.id, 'hand-over', { version: 2 })

  // Manchester sells its surplus desks to Stockport; the Fire Service asked first and was turned down.
  await sharing.offer(manchester, id('MCC-FUR-0915'), { kind: 'sale', pricePence: 400_000, availableFrom: today, windowWorkingDays: 0 })
  const fireDesks = await sharing.request(fire, id('MCC-FUR-0915'), { neededFrom: addDays(today, 14), purpose: 'Hot-desking at the Bury training centre.', avoidedCostPence: 1_500_000 })
  await sharing.step(manchester, fireDesks.id, 'decline', { version: 1, reason: 'Stockport asked for all forty; we will offer the next batch to you first.' })
  const desks = await sharing.request(stockport, id('MCC-FUR-0915'), { neededFrom: addDays(today, 7), purpose: 'Fitting out the new Stockport Exchange office.', avoidedCostPence: 1_600_000 })
  await sharing.step(manchester, desks.id, 'approve', { version: 1 })
  await sharing.step(manchester, desks.id, 'hand-over', { version: 2 })

  // Manchester lends its idle projectors to Trafford for the summer events (still out).
  const projectors = await sharing.request(trafford, id('MCC-IT-2031'), { kind: 'loan', neededFrom: today, neededUntil: addDays(today, 60), purpose: 'Outdoor film nights in Trafford parks.', avoidedCostPence: 180_000 })
  await sharing.step(manchester, projectors.id, 'approve', { version: 1 })
  await sharing.step(manchester, projectors.id, 'hand-over', { version: 2 })

  // Trafford lent Stockport its spare gritter through a cold snap, and has it back.
  const gritter = await sharing.request(stockport, id('TRF-VEH-0088'), { kind: 'loan', neededFrom: today, neededUntil: addDays(today, 21), purpose: 'Cover while our gritter is repaired.', avoidedCostPence: 350_000 })
  await sharing.step(trafford, gritter.id, 'approve', { version: 1 })
  await sharing.step(trafford, gritter.id, 'hand-over', { version: 2 })
  await sharing.step(trafford, gritter.id, 'return', { version: 3 })

  // Open offers: Trafford's minibus to everyone now; the Fire Service's generators to everyone, its engine to its own people first.
  await sharing.offer(trafford, id('TRF-VEH-0107'), { kind: 'loan', availableFrom: today, availableUntil: addDays(today, 180), windowWorkingDays: 0, terms: 'Driver with a D1 licence needed. Fuel at cost.' })
  await sharing.offer(fire, id('GMFRS-EQ-0112'), { kind: 'transfer', availableFrom: today, windowWorkingDays: 0 })
  await sharing.offer(fire, id('GMFRS-VEH-0041'), { kind: 'sale', pricePence: 1_800_000, availableFrom: addDays(today, 30), windowWorkingDays: 20 })

  // Waiting for Trafford: Stockport asks for the vacant conference furniture.
  await sharing.request(stockport, id('TRF-FUR-0212'), { kind: 'transfer', neededFrom: addDays(today, 30), purpose: 'Furnishing the new community hub in Brinnington.', avoidedCostPence: 650_000 })
  return { created: ASSETS.length }
}
