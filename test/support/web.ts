import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { createServices } from '../../src/services.js'
import { testConfig, type EngineContext } from './engines.js'

export function buildTestApp(context: EngineContext): Promise<FastifyInstance> {
  return buildApp({ config: context.config, db: context.db, services: context.services })
}

/**
 * The app on the suite's database with settings of its own (a high sign-in limit unless told).
 * The routes read their settings from the services, so those are made with the same config.
 */
export function appWith(
  context: EngineContext,
  overrides: Record<string, string> = {},
  logStream?: { write(line: string): void },
): Promise<FastifyInstance> {
  const config = testConfig({ SIGN_IN_RATE_LIMIT: '1000', ...overrides })
  return buildApp({ config, db: context.db, services: createServices(config, context.db), ...(logStream ? { logStream } : {}) })
}

/**
 * A browser in miniature over `app.inject()`: keeps cookies, and submits forms with the CSRF
 * token the page rendered, as a person's browser would.
 */
export class WebClient {
  private readonly cookies = new Map<string, string>()

  constructor(private readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: this.headers() }))
  }

  /** Posts urlencoded fields as they are, with no CSRF token unless one is among them. */
  async post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      }),
    )
  }

  /** Opens the page holding the form, then posts it with that page's CSRF token. */
  async submit(pageUrl: string, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl)
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1]
    if (!token) throw new Error(`no CSRF token on ${pageUrl} (status ${page.statusCode})`)
    return this.post(action, { _csrf: token, ...fields })
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    const response = await this.submit('/sign-in', '/sign-in', { email, password })
    if (response.statusCode !== 303) throw new Error(`sign-in failed with ${response.statusCode}`)
    return response
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)
  }

  private headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    return cookie ? { cookie } : {}
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      if ((c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0 || c.value === '') this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value)
    }
    return response
  }
}

/** The CSRF token a page's form carries. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  if (!token) throw new Error('no CSRF token on the page')
  return token
}

/** The GOV.UK error summary of a page, or '' when it has none. */
export function errorSummary(html: string): string {
  return /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? ''
}
