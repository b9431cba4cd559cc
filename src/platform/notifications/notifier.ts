/** One message to one person, as the outbox holds it and a notifier sends it. */
export interface OutgoingNotification {
  /** An email address. */
  recipient: string
  subject: string
  body: string
  /** What the message is about (`share-request:{id}`), so it can be traced in the sender's records. */
  reference: string
}

/** Sends messages. The outbox calls it; nothing else does, so a failure is always retried. */
export interface Notifier {
  readonly name: string
  send(notification: OutgoingNotification): Promise<void>
}

/**
 * A send that failed. `permanent` means trying again cannot help (the address is not valid,
 * the message was refused): the outbox then stops retrying it and keeps the reason.
 */
export class NotificationFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message)
    this.name = 'NotificationFailure'
  }
}

/** The little of a logger the notifications use (pino's and Fastify's loggers fit). */
export interface NotificationLog {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}
