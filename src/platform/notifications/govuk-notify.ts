import notifications from 'notifications-node-client'
import { NotificationFailure, type Notifier, type OutgoingNotification } from './notifier.js'

/** What the notifier needs of GOV.UK Notify's client: tests give a fake one, so nothing reaches the internet. */
export interface NotifyEmailClient {
  sendEmail(templateId: string, emailAddress: string, options: { personalisation: Record<string, string>; reference: string }): Promise<unknown>
}

/** Notify's answer to a refused request (axios error with Notify's JSON body). */
interface NotifyHttpError {
  response?: { status?: number; data?: { errors?: { error?: string; message?: string }[] } }
  code?: string
  message?: string
}

/**
 * Sends through GOV.UK Notify (https://docs.notifications.service.gov.uk/node.html): one email
 * template whose subject line is `((subject))` and whose body is `((body))`, so every message the
 * platform writes goes through the same template.
 */
export class GovukNotifyNotifier implements Notifier {
  readonly name = 'govuk-notify'
  private readonly client: NotifyEmailClient

  constructor(
    apiKey: string,
    private readonly templateId: string,
    client?: NotifyEmailClient,
  ) {
    this.client = client ?? (new notifications.NotifyClient(apiKey) as NotifyEmailClient)
  }

  async send(notification: OutgoingNotification): Promise<void> {
    try {
      await this.client.sendEmail(this.templateId, notification.recipient, {
        personalisation: { subject: notification.subject, body: notification.body },
        reference: notification.reference,
      })
    } catch (error) {
      throw describeNotifyError(error)
    }
  }
}

/**
 * Notify answers 400 when the message itself is wrong (a bad address, a missing placeholder,
 * a trial-mode recipient): sending it again cannot work. Anything else (403 while the key is
 * being fixed, 429 rate limits, 5xx, the network) may work later.
 */
export function describeNotifyError(error: unknown): NotificationFailure {
  const e = (error ?? {}) as NotifyHttpError
  const status = e.response?.status
  const reasons = (e.response?.data?.errors ?? []).map((r) => [r.error, r.message].filter(Boolean).join(': ')).filter(Boolean)
  if (status) return new NotificationFailure(`GOV.UK Notify answered ${status}${reasons.length ? `: ${reasons.join('; ')}` : ''}`, status === 400)
  return new NotificationFailure(`Could not reach GOV.UK Notify: ${e.code ?? e.message ?? String(error)}`, false)
}
