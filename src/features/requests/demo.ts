import { randomBytes } from 'node:crypto'
import type { Actor } from '../../platform/actor.js'
import type { Services } from '../../services.js'

/** People asking, as the demonstration shows them. Their passwords are random: nobody signs in as them. */
const PEOPLE = [
  { name: 'Priya Shah', email: 'priya.shah@example.org' },
  { name: 'Tom Okafor', email: 'tom.okafor@example.org' },
  { name: 'Local Cycling Campaign', email: 'hello@cycling-campaign.example.org' },
]

/**
 * Requests in every state, with supporters and comments, against the demonstration councils.
 * Skipped when any request already exists.
 */
export async function seedDemoRequests(services: Services, actor: Actor): Promise<{ created: number }> {
  if ((await services.requests.list({}, { page: 1, pageSize: 1 })).total > 0) return { created: 0 }
  const people = []
  for (const person of PEOPLE) {
    const existing = await services.accounts.findUserByEmail(person.email)
    const user = existing ?? (await services.accounts.signUp(actor, { ...person, password: randomBytes(24).toString('base64url') }))
    people.push((await services.accounts.actorForUser(user.id))!)
  }
  const [priya, tom, cyclists] = people as [Actor, Actor, Actor]
  const trafford = await services.datasets.listForOrganisation('trafford', { page: 1, pageSize: 100 })
  const byTitle = (title: string) => trafford.items.find((d) => d.title === title)

  const cycleParking = await services.requests.create(cyclists, {
    kind: 'new',
    title: 'Cycle parking locations',
    description: 'Where the council’s cycle stands and lockers are, with how many bikes each holds.',
    reason: 'We are mapping safe places to leave a bike near stations and shops.',
    organisation: 'trafford',
  })
  await services.requestParticipation.support(priya, cycleParking.id)
  await services.requestParticipation.support(tom, cycleParking.id)
  await services.requestParticipation.comment(tom, cycleParking.id, 'Lockers at the tram stops would be especially useful.')

  const potholes = await services.requests.create(tom, {
    kind: 'new',
    title: 'Pothole reports and repairs',
    description: 'Reported potholes with the date reported and the date repaired.',
    reason: 'To see how long repairs take in each ward.',
    organisation: 'trafford',
  })
  await services.requests.answer(actor, potholes.id, { status: 'acknowledged', response: 'Thank you. We are checking what our highways system can export.' })

  const lighting = byTitle('Street lighting inventory')
  const lightingRelease = lighting ? (await services.datasets.get(lighting.id)).releases.find((r) => r.state === 'provisional' || r.state === 'confirmed') : undefined
  if (lighting && lightingRelease) {
    const early = await services.requests.create(priya, { kind: 'early-release', dataset: lighting.id, reason: 'Residents’ groups want to check which streets are still waiting for LED lamps.' })
    await services.requests.answer(actor, early.id, { status: 'scheduled', release: lightingRelease.id, response: 'This is now in our release schedule.' })
  }

  const care = await services.requests.create(tom, {
    kind: 'new',
    title: 'Named care home residents',
    description: 'Names of residents in each council-funded care home.',
    reason: 'Research.',
    organisation: 'trafford',
  })
  await services.requests.answer(actor, care.id, { status: 'declined', declineReason: 'personal-data', response: 'This would identify individual people. The adult social care packages dataset gives counts by type of support.' })

  const toilets = byTitle('Public toilets')
  const accessible = await services.requests.create(cyclists, {
    kind: 'new',
    title: 'Accessible toilets with changing places',
    description: 'Which public toilets have a Changing Places facility.',
    reason: 'Families plan days out around them.',
    organisation: 'trafford',
  })
  if (toilets) await services.requests.answer(actor, accessible.id, { status: 'fulfilled', dataset: toilets.id, response: 'The public toilets dataset now includes a Changing Places column.' })

  await services.requests.create(priya, {
    kind: 'new',
    title: 'School streets timetable',
    description: 'Streets closed to traffic at school opening and closing times, with the hours.',
    reason: 'To plan walking routes to school.',
  })
  return { created: 6 }
}
