import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { projectRoot } from './paths.js'

export interface Config {
  env: 'development' | 'test' | 'production'
  port: number
  host: string
  /** The public address of the platform, used to mint stable identifiers. */
  baseUrl: string
  /** `postgres://…` selects PostgreSQL; otherwise the SQLite file in `dataDir`. */
  databaseUrl: string | undefined
  dataDir: string
  sessionSecret: string
  logLevel: string
  /**
   * Which proxies' `X-Forwarded-*` headers to believe, as addresses or named ranges. Trusting
   * every hop would let a client forge its address and escape the sign-in limit.
   */
  trustProxy: false | string
  signInRateLimit: { max: number; windowMs: number }
  /** The asset map's tiles: a `{z}/{x}/{y}` address template (`{s}` for a subdomain), its attribution, and the CSP source that lets pages load them. */
  map: { tileUrl: string; attribution: string; tileSource: string }
  /** GOV.UK Notify: with both set, notifications are emailed through it; otherwise they are only logged. */
  notify: { apiKey: string | undefined; templateId: string | undefined }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

/** Reads and validates settings, reporting every wrong one at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = []
  const nodeEnv = env.NODE_ENV ?? 'development'
  if (!['development', 'test', 'production'].includes(nodeEnv)) {
    problems.push(`NODE_ENV must be development, test or production (got "${nodeEnv}")`)
  }
  const port = integer(env, 'PORT', 3000, problems, 0, 65535)
  const databaseUrl = env.DATABASE_URL?.trim() || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// (leave it unset to use SQLite)')
  }
  const dataDir = path.resolve(env.LGDS_DATA_DIR ?? path.join(projectRoot, 'data'))
  const host = env.HOST ?? '0.0.0.0'
  const baseUrl = (env.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '')
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl)) problems.push(`BASE_URL must be an http(s) address (got "${baseUrl}")`)
  const logLevel = env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info')
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`)
  }
  let sessionSecret = env.SESSION_SECRET ?? ''
  if (sessionSecret && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET must be at least 32 characters long')
  } else if (!sessionSecret && nodeEnv === 'production') {
    problems.push('SESSION_SECRET is required when NODE_ENV=production (at least 32 random characters)')
  }
  const signInMax = integer(env, 'SIGN_IN_RATE_LIMIT', 10, problems, 1, 100000)
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems)
  const map = mapTiles(env, problems)
  const notify = notifySettings(env, problems)
  if (problems.length > 0) throw new ConfigError(problems)
  if (!sessionSecret) sessionSecret = developmentSecret(dataDir, nodeEnv)
  return {
    env: nodeEnv as Config['env'],
    port,
    host,
    baseUrl,
    databaseUrl,
    dataDir,
    sessionSecret,
    logLevel,
    trustProxy,
    signInRateLimit: { max: signInMax, windowMs: 15 * 60 * 1000 },
    map,
    notify,
  }
}

const OPENSTREETMAP_TILES = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
const OPENSTREETMAP_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

/**
 * The tile server of the asset map. The attribution is HTML the operator sets (tile providers
 * say how they must be credited). The page's Content-Security-Policy allows images from the
 * server's origin; `{s}` becomes a wildcard subdomain.
 */
function mapTiles(env: Env, problems: string[]): Config['map'] {
  const tileUrl = env.MAP_TILE_URL?.trim() || OPENSTREETMAP_TILES
  const attribution = env.MAP_TILE_ATTRIBUTION?.trim() || (env.MAP_TILE_URL?.trim() ? '' : OPENSTREETMAP_ATTRIBUTION)
  const origin = /^(https?):\/\/([A-Za-z0-9.{}-]+(?::\d+)?)\//.exec(tileUrl)
  const placeholders = ['{z}', '{x}', '{y}'].every((p) => tileUrl.includes(p))
  if (!origin || !placeholders || /[{}]/.test(tileUrl.replace(/\{[zxysr]\}/g, '')) || /[\s'";]/.test(tileUrl)) {
    problems.push(`MAP_TILE_URL must be an http(s) address with {z}, {x} and {y}, like ${OPENSTREETMAP_TILES} (got "${tileUrl}")`)
    return { tileUrl: OPENSTREETMAP_TILES, attribution: OPENSTREETMAP_ATTRIBUTION, tileSource: 'https://tile.openstreetmap.org' }
  }
  const host = origin[2]!.replace(/^\{s\}\./, '*.')
  if (host.includes('{')) {
    problems.push(`MAP_TILE_URL may use {s} only as the first part of the host name (got "${tileUrl}")`)
  }
  return { tileUrl, attribution, tileSource: `${origin[1]}://${host}` }
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

/**
 * A Notify API key is its name, the service id and the secret (two UUIDs at the end); the
 * template is one email template whose subject is ((subject)) and body ((body)).
 */
function notifySettings(env: Env, problems: string[]): Config['notify'] {
  const apiKey = env.NOTIFY_API_KEY?.trim() || undefined
  const templateId = env.NOTIFY_TEMPLATE_ID?.trim() || undefined
  if (apiKey && !new RegExp(`-${UUID}-${UUID}$`, 'i').test(apiKey)) problems.push('NOTIFY_API_KEY must be a GOV.UK Notify API key (its name followed by two ids)')
  if (apiKey && !templateId) problems.push('NOTIFY_TEMPLATE_ID is required with NOTIFY_API_KEY: the id of an email template with ((subject)) and ((body))')
  if (templateId && !new RegExp(`^${UUID}$`, 'i').test(templateId)) problems.push(`NOTIFY_TEMPLATE_ID must be a template id like 1a2b3c4d-… (got "${templateId}")`)
  return { apiKey, templateId }
}

/** `true` means a proxy on this machine or the private network: never a public client. */
function parseTrustProxy(raw: string | undefined, problems: string[]): false | string {
  const value = (raw ?? '').trim()
  if (!value || value === 'false') return false
  if (value === 'true') return 'loopback, linklocal, uniquelocal'
  if (/^([0-9a-fA-F.:/]+|loopback|linklocal|uniquelocal)(\s*,\s*([0-9a-fA-F.:/]+|loopback|linklocal|uniquelocal))*$/.test(value)) return value
  problems.push(`TRUST_PROXY must be true (a proxy on a private network) or the proxies' addresses, like 10.0.0.5, 10.0.1.0/24 (got "${value}")`)
  return false
}

function integer(env: Env, name: string, fallback: number, problems: string[], min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`)
    return fallback
  }
  return value
}

/**
 * Outside production a secret is generated once and kept beside the database, so sessions
 * survive a restart without anyone having to configure one.
 */
function developmentSecret(dataDir: string, nodeEnv: string): string {
  if (nodeEnv === 'test') return randomBytes(32).toString('hex')
  const file = path.join(dataDir, '.session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
