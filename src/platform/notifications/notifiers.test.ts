import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.js'
import { notifierFor } from './factory.js'
import { describeNotifyError, GovukNotifyNotifier, type NotifyEmailClient } from './govuk-notify.js'
import { LogNotifier } from './log-notifier.js'
import { NotificationFailure } from './notifier.js'

const KEY = 'lgds_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0'
const TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a'
const MESSAGE = { recipient: 'tara@trafford.gov.uk', subject: 'Manchester asks to borrow your minibus', body: 'Why: the summer scheme.', reference: 'share-request:abc' }

function config(env: Record<string, string>) {
  return loadConfig({ NODE_ENV: 'test', LGDS_DATA_DIR: '/tmp/lgds-test-unused', ...env })
}

class FakeClient implements NotifyEmailClient {
  calls: unknown[][] = []
  error: unknown
  async sendEmail(...args: Parameters<NotifyEmailClient['sendEmail']>) {
    this.calls.push(args)
    if (this.error) throw this.error
    return { data: { id: 'n-1' } }
  }
}

describe('notifiers', () => {
  it('sends through GOV.UK Notify’s one template, the subject and body as its personalisation', async () => {
    const client = new FakeClient()
    await new GovukNotifyNotifier(KEY, TEMPLATE, client).send(MESSAGE)
    expect(client.calls).toEqual([[TEMPLATE, 'tara@trafford.gov.uk', { personalisation: { subject: MESSAGE.subject, body: MESSAGE.body }, reference: 'share-request:abc' }]])
  })

  it('treats a 400 from Notify as final and anything else as worth another try, never quoting the key', async () => {
    const client = new FakeClient()
    const notifier = new GovukNotifyNotifier(KEY, TEMPLATE, client)
    client.error = { response: { status: 400, data: { errors: [{ error: 'ValidationError', message: 'email_address Not a valid email address' }] } } }
    const refused = await notifier.send(MESSAGE).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(NotificationFailure)
    expect(refused).toMatchObject({ permanent: true, message: 'GOV.UK Notify answered 400: ValidationError: email_address Not a valid email address' })
    expect(describeNotifyError({ response: { status: 429, data: { errors: [{ error: 'RateLimitError', message: 'Exceeded rate limit' }] } } })).toMatchObject({ permanent: false })
    expect(describeNotifyError({ response: { status: 500 } })).toMatchObject({ permanent: false, message: 'GOV.UK Notify answered 500' })
    expect(describeNotifyError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toMatchObject({ permanent: false, message: 'Could not reach GOV.UK Notify: ECONNREFUSED' })
    expect(String(refused)).not.toContain(KEY)
  })

  it('logs only who would be told and the subject when no key is set', async () => {
    const lines: [object, string][] = []
    const log = { info: (details: object, message: string) => lines.push([details, message]), warn: () => {} }
    await new LogNotifier(log).send(MESSAGE)
    expect(lines).toEqual([[{ recipient: 'tara@trafford.gov.uk', subject: MESSAGE.subject }, 'notification (not sent: no NOTIFY_API_KEY)']])
  })

  it('chooses GOV.UK Notify when NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID are set, the log otherwise', () => {
    const log = { info: () => {}, warn: () => {} }
    expect(notifierFor(config({}), log).name).toBe('log')
    expect(notifierFor(config({ NOTIFY_API_KEY: KEY, NOTIFY_TEMPLATE_ID: TEMPLATE }), log).name).toBe('govuk-notify')
  })

  it('refuses a key that is not a Notify key, or a key without its template', () => {
    expect(() => config({ NOTIFY_API_KEY: 'secret' })).toThrow(ConfigError)
    expect(() => config({ NOTIFY_API_KEY: KEY })).toThrow(/NOTIFY_TEMPLATE_ID is required/)
    expect(() => config({ NOTIFY_API_KEY: KEY, NOTIFY_TEMPLATE_ID: 'welcome' })).toThrow(/NOTIFY_TEMPLATE_ID must be a template id/)
    expect(config({ NOTIFY_API_KEY: KEY, NOTIFY_TEMPLATE_ID: TEMPLATE }).notify).toEqual({ apiKey: KEY, templateId: TEMPLATE })
  })
})
