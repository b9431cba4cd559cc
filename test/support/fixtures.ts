import { systemActor, type Actor } from '../../src/platform/actor.js'
import { readLocalAuthorityRegister } from '../../src/features/organisations/register.js'
import type { Services } from '../../src/services.js'

export const system = systemActor('test')
export const PASSWORD = 'correct horse battery staple'

/** A few real councils from the register: enough to test with, quick to load. */
export async function seedCouncils(services: Services, slugs = ['trafford', 'manchester', 'leeds']) {
  const entries = readLocalAuthorityRegister().filter((e) => slugs.includes(e.slug))
  await services.organisations.importRegister(system, entries)
  return Object.fromEntries(await Promise.all(slugs.map(async (s) => [s, await services.organisations.getBySlug(s)] as const)))
}

let counter = 0

/** A new account, optionally a member of a body, and the actor services see for it. */
export async function makeUser(
  services: Services,
  options: { org?: string; role?: 'editor' | 'admin'; platformAdmin?: boolean; name?: string } = {},
): Promise<{ email: string; userId: string; actor: Actor }> {
  counter += 1
  const email = `person${counter}.${Date.now()}@example.gov.uk`
  const user = await services.accounts.signUp(system, { email, name: options.name ?? `Person ${counter}`, password: PASSWORD }, { platformAdmin: options.platformAdmin })
  if (options.org) await services.accounts.addMember(system, options.org, { email, role: options.role ?? 'editor' })
  const actor = (await services.accounts.actorForUser(user.id))!
  return { email, userId: user.id, actor }
}
