import type { Config } from '../../config.js'
import { GovukNotifyNotifier } from './govuk-notify.js'
import { LogNotifier } from './log-notifier.js'
import type { NotificationLog, Notifier } from './notifier.js'

/** GOV.UK Notify when a key is configured; otherwise the log. */
export function notifierFor(config: Config, log: NotificationLog): Notifier {
  const { apiKey, templateId } = config.notify
  return apiKey && templateId ? new GovukNotifyNotifier(apiKey, templateId) : new LogNotifier(log)
}
