import type { FastifyInstance } from 'fastify'
import { type EngineContext } from '../support/engines.js'
import { makeUser, PASSWORD } from '../support/fixtures.js'
import { WebClient } from '../support/web.js'

/* What the security tests share: people, signed-in clients, and the body's edit form. */

export type Person = Awaited<ReturnType<typeof makeUser>>

export async function signedIn(app: FastifyInstance, person: { email: string }, password = PASSWORD): Promise<WebClient> {
  const client = new WebClient(app)
  await client.signIn(person.email, password)
  return client
}

/** The fields the "Change details" form posts for a body, as its page fills them in. */
export async function editFields(context: EngineContext, slug: string, changes: Record<string, string> = {}) {
  const o = await context.services.organisations.getBySlug(slug)
  return {
    name: o.name,
    shortName: o.shortName,
    slug: o.slug,
    type: o.type,
    identifier: o.identifier ?? '',
    parentSlug: '',
    nation: o.nation ?? '',
    region: o.region ?? '',
    website: o.website ?? '',
    ...changes,
  }
}
