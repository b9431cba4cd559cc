import type { NotificationLog, Notifier, OutgoingNotification } from './notifier.js'

/**
 * The notifier when no GOV.UK Notify key is set: it writes who would have been told what to the
 * log. Only the recipient and subject: the body may quote what officers wrote.
 */
export class LogNotifier implements Notifier {
  readonly name = 'log'

  constructor(private readonly log: NotificationLog) {}

  async send(notification: OutgoingNotification): Promise<void> {
    this.log.info({ recipient: notification.recipient, subject: notification.subject }, 'notification (not sent: no NOTIFY_API_KEY)')
  }
}
