import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('configuration', () => {
  it('has working defaults for a first run', () => {
    const config = loadConfig({ NODE_ENV: 'test' })
    expect(config).toMatchObject({ port: 3000, baseUrl: 'http://localhost:3000', databaseUrl: undefined, trustProxy: false })
    expect(config.dataDir).toMatch(/\/data$/)
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32)
  })

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      BASE_URL: 'https://lgds.example.gov.uk/',
      DATABASE_URL: 'postgres://app@db/lgds',
      LGDS_DATA_DIR: '/srv/lgds',
      SESSION_SECRET: 'x'.repeat(40),
      TRUST_PROXY: 'true',
      SIGN_IN_RATE_LIMIT: '5',
    })
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      baseUrl: 'https://lgds.example.gov.uk',
      databaseUrl: 'postgres://app@db/lgds',
      dataDir: '/srv/lgds',
      trustProxy: 'loopback, linklocal, uniquelocal',
      signInRateLimit: { max: 5, windowMs: 900000 },
    })
  })

  it('requires a session secret in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'SESSION_SECRET is required when NODE_ENV=production (at least 32 random characters)',
    ])
  })

  it('names every wrong setting at once', () => {
    const problems = problemsOf({ NODE_ENV: 'staging', PORT: 'eighty', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short', LOG_LEVEL: 'loud', BASE_URL: 'ftp://x' })
    expect(problems).toHaveLength(6)
    expect(problems.join('\n')).toMatch(/NODE_ENV.*staging/)
    expect(problems.join('\n')).toMatch(/PORT must be a whole number from 0 to 65535 \(got "eighty"\)/)
    expect(problems.join('\n')).toMatch(/DATABASE_URL must start with postgres:\/\//)
    expect(problems.join('\n')).toMatch(/SESSION_SECRET must be at least 32 characters/)
    expect(problems.join('\n')).toMatch(/LOG_LEVEL/)
    expect(problems.join('\n')).toMatch(/BASE_URL/)
  })
})
