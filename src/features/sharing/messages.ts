import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { enqueueNotifications } from '../../platform/notifications/outbox.js'
import { memberEmails, userEmail } from '../../platform/notifications/recipients.js'
import { formatDate } from '../../platform/views.js'
import { formatPence } from '../assets/money.js'
import { kindOf, type BodyRef, type ShareRequestRow } from './model.js'

/** What happened to a request, as its messages tell it. */
export type ShareEvent = 'requested' | 'approved' | 'declined' | 'handed-over' | 'returned' | 'withdrawn'

export interface ShareMessageContext {
  baseUrl: string
  request: ShareRequestRow
  asset: { name: string; assetCode: string }
  owner: BodyRef
  requester: BodyRef
}

/**
 * Puts the messages about a step in the outbox, in the step's transaction: to every member of
 * the other side's body, and to the officer who asked (when the request came from a person).
 */
export async function queueShareMessages(k: Kysely<Database>, event: ShareEvent, context: ShareMessageContext): Promise<void> {
  const { request } = context
  const otherSide = event === 'requested' || event === 'withdrawn' ? request.owner_organisation_id : request.requesting_organisation_id
  const [members, requester] = await Promise.all([memberEmails(k, [otherSide]), userEmail(k, request.requested_by)])
  const recipients = [...members, ...(requester ? [requester] : [])]
  const { subject, body } = shareMessage(event, context)
  await enqueueNotifications(
    k,
    recipients.map((recipient) => ({ recipient, subject, body, reference: `share-request:${request.id}` })),
  )
}

/** The subject and plain-text body of a message about a request. */
export function shareMessage(event: ShareEvent, { baseUrl, request, asset, owner, requester }: ShareMessageContext): { subject: string; body: string } {
  const kind = kindOf(request.kind)
  const what = `${asset.name} (${asset.assetCode})`
  const link = `${baseUrl}/share-requests/${request.id}`
  const when = `Needed from ${formatDate(request.needed_from)}${request.needed_until ? ` until ${formatDate(request.needed_until)}` : ''}.`
  switch (event) {
    case 'requested':
      return {
        subject: `${requester.name} asks to ${kind.verb} ${asset.name}`,
        body: [
          `${requester.name} has asked to ${kind.verb} ${what}, owned by ${owner.name} (${kind.label.toLowerCase()}).`,
          when,
          `Why they need it: ${request.purpose}`,
          `Buying one instead would cost about ${formatPence(request.avoided_cost_pence) || 'an amount not given'}.`,
          `See the request and decide: ${link}`,
        ].join('\n\n'),
      }
    case 'approved':
      return {
        subject: `${owner.name} approved the request for ${asset.name}`,
        body: [`${owner.name} has approved ${requester.name}’s request to ${kind.verb} ${what}.`, when, `Arrange the hand-over together; ${owner.name} records it on the platform: ${link}`].join('\n\n'),
      }
    case 'declined':
      return {
        subject: `The request for ${asset.name} was declined`,
        body: [`${requester.name}’s request to ${kind.verb} ${what} has been declined.`, `Reason: ${request.decline_reason ?? 'not given'}`, `See the request: ${link}`].join('\n\n'),
      }
    case 'handed-over':
      return {
        subject: `${asset.name} has been handed over to ${requester.name}`,
        body: [
          request.kind === 'loan'
            ? `${owner.name} has lent ${what} to ${requester.name}. ${owner.name} still owns it and records its return.`
            : `${what} now belongs to ${requester.name}, ${request.kind === 'sale' ? 'bought' : 'transferred'} from ${owner.name}. Its record and history moved with it.`,
          `See the request: ${link}`,
        ].join('\n\n'),
      }
    case 'returned':
      return {
        subject: `${asset.name} has been returned to ${owner.name}`,
        body: [`${owner.name} has recorded that ${requester.name} returned ${what}.`, `See the request: ${link}`].join('\n\n'),
      }
    case 'withdrawn':
      return {
        subject: `${requester.name} withdrew its request for ${asset.name}`,
        body: [`${requester.name} no longer asks to ${kind.verb} ${what}.`, `See the request: ${link}`].join('\n\n'),
      }
  }
}
