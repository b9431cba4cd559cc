import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import type { EngineContext } from './engines.js'
import { makeUser, PASSWORD, seedCouncils } from './fixtures.js'
import { appWith, WebClient } from './web.js'

/* What the dataset page tests share: the app, the people who use it, and a way to sign them in. */

export type Person = Awaited<ReturnType<typeof makeUser>>

export interface DatasetPages {
  app: FastifyInstance
  editor: Person
  traffordAdmin: Person
  person: Person
  manchesterAdmin: Person
  manchesterEditor: Person
  signedIn(email: string): Promise<WebClient>
}

/** Seeds the councils and their people, and opens the app with a sign-in limit high enough for many sign-ins. */
export async function openDatasetPages(context: EngineContext): Promise<DatasetPages> {
  const { services } = context
  await seedCouncils(services)
  const editor = await makeUser(services, { org: 'trafford', role: 'editor', name: 'Eddie Editor' })
  const traffordAdmin = await makeUser(services, { org: 'trafford', role: 'admin', name: 'Tess Trafford' })
  const person = await makeUser(services, { name: 'Pat Public' })
  const manchesterAdmin = await makeUser(services, { org: 'manchester', role: 'admin', name: 'Max Manchester' })
  const manchesterEditor = await makeUser(services, { org: 'manchester', role: 'editor', name: 'Mo Manchester' })
  const app = await appWith(context, { SIGN_IN_RATE_LIMIT: '10000' })
  async function signedIn(email: string): Promise<WebClient> {
    const client = new WebClient(app)
    await client.signIn(email, PASSWORD)
    return client
  }
  return { app, editor, traffordAdmin, person, manchesterAdmin, manchesterEditor, signedIn }
}

/**
 * Opens the pages before a suite's tests and closes the app after them; `take` hands the suite
 * the parts it uses, so each test file names only those.
 */
export function withDatasetPages(context: () => EngineContext, take: (pages: DatasetPages) => void): void {
  let pages: DatasetPages | undefined
  beforeAll(async () => {
    pages = await openDatasetPages(context())
    take(pages)
  })
  afterAll(async () => {
    await pages?.app.close()
  })
}
