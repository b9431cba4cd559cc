import { Type } from 'typebox'
import { PageSchema } from '../../platform/pagination.js'

/* The API's shapes for sharing. Amounts are integer pence; dates ISO `YYYY-MM-DD`. */

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {})
const Kind = Type.Union([Type.Literal('loan'), Type.Literal('transfer'), Type.Literal('sale')])
const Body = Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() })

export const Offer = Type.Object({
  id: Type.String(),
  asset: Type.Object({
    id: Type.Integer(),
    assetCode: Type.String(),
    name: Type.String(),
    assetClass: nullable(Type.String()),
    assetClassLabel: nullable(Type.String()),
    cpvCode: nullable(Type.String()),
    cpvLabel: nullable(Type.String()),
    status: nullable(Type.String()),
    condition: nullable(Type.String()),
  }),
  organisation: Body,
  kind: Kind,
  kindLabel: Type.String(),
  pricePence: nullable(Type.Integer(), 'For a sale: the price'),
  availableFrom: Type.String({ format: 'date' }),
  availableUntil: nullable(Type.String({ format: 'date' }), 'For a loan: the last day it can be lent until'),
  windowWorkingDays: Type.Integer({ description: 'Working days during which only the owner’s own body sees the offer' }),
  openToAllOn: Type.String({ format: 'date', description: 'From this day every public body sees the offer' }),
  openToAll: Type.Boolean(),
  terms: nullable(Type.String()),
  state: Type.Union([Type.Literal('open'), Type.Literal('withdrawn'), Type.Literal('closed')]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  closedAt: nullable(Type.String()),
})

export const OfferPage = PageSchema(Offer)

export const OfferListQuery = Type.Object({
  kind: Type.Optional(Kind),
  body: Type.Optional(Type.String({ maxLength: 100, description: 'The slug of the offering body' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

export const CreateOfferBody = Type.Object(
  {
    kind: Kind,
    pricePence: Type.Optional(nullable(Type.Integer({ minimum: 0 }), 'Required for a sale')),
    availableFrom: Type.String({ maxLength: 30 }),
    availableUntil: Type.Optional(nullable(Type.String({ maxLength: 30 }), 'For a loan, optional')),
    windowWorkingDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 250, default: 20, description: 'Working days during which only your own body sees the offer (0: everyone at once)' })),
    terms: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
  },
  { additionalProperties: false },
)

export const OfferIdParams = Type.Object({ offerId: Type.String({ maxLength: 100 }) })

export const ShareRequest = Type.Object({
  id: Type.String(),
  asset: Type.Object({ id: Type.Integer(), assetCode: Type.String(), name: Type.String() }),
  offerId: nullable(Type.String()),
  searchId: nullable(Type.String(), 'The “check before you buy” search it came from'),
  owner: Type.Object(Body.properties, { description: 'The owner when the request was made: it decides' }),
  requester: Type.Object(Body.properties, { description: 'The body asking' }),
  requestedBy: Type.String(),
  kind: Kind,
  kindLabel: Type.String(),
  neededFrom: Type.String({ format: 'date' }),
  neededUntil: nullable(Type.String({ format: 'date' })),
  purpose: Type.String(),
  avoidedCostPence: nullable(Type.Integer(), 'The estimated cost of the purchase the share avoids'),
  pricePence: nullable(Type.Integer(), 'For a sale: the offer’s price'),
  savingPence: Type.Integer({ description: 'What the share saves the requesting body: the avoided cost, less the price of a sale, never below 0' }),
  state: Type.Union([Type.Literal('requested'), Type.Literal('approved'), Type.Literal('declined'), Type.Literal('withdrawn'), Type.Literal('handed-over'), Type.Literal('returned')]),
  stateLabel: Type.String(),
  declineReason: nullable(Type.String()),
  decidedBy: nullable(Type.String()),
  decidedAt: nullable(Type.String()),
  handedOverAt: nullable(Type.String()),
  returnedAt: nullable(Type.String()),
  version: Type.Integer({ description: 'Send it with the next step: a step on a request changed since is refused (409)' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

export const CreateShareRequestBody = Type.Object(
  {
    assetId: Type.Integer({ minimum: 1 }),
    organisation: Type.Optional(Type.String({ maxLength: 100, description: 'The slug of the body asking: the token’s own' })),
    kind: Type.Optional(Type.Union([Kind], { description: 'The offer’s kind when the asset is on offer; otherwise `loan` or `transfer`' })),
    neededFrom: Type.String({ maxLength: 30 }),
    neededUntil: Type.Optional(nullable(Type.String({ maxLength: 30 }), 'Required for a loan')),
    purpose: Type.String({ maxLength: 2000 }),
    avoidedCostPence: Type.Optional(nullable(Type.Integer({ minimum: 0 }), 'Default: the asset’s acquisition cost, else its value')),
    searchId: Type.Optional(Type.String({ maxLength: 100, description: 'The “check before you buy” search that found the asset' })),
  },
  { additionalProperties: false },
)

export const ShareRequestParams = Type.Object({ id: Type.String({ maxLength: 100 }) })

export const StepBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'The version you read' }),
    reason: Type.Optional(Type.String({ maxLength: 2000, description: 'Required to decline' })),
  },
  { additionalProperties: false },
)

const SavingsLine = { shares: Type.Integer(), avoidedPence: Type.Integer({ description: 'Avoided spend, in pence' }) }

export const SavingsSchema = Type.Object({
  total: Type.Object(SavingsLine),
  byBody: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), ...SavingsLine })),
  byClass: Type.Array(Type.Object({ assetClass: nullable(Type.String(), 'CIPFA class; null when not recorded'), label: Type.String(), ...SavingsLine })),
  byYear: Type.Array(Type.Object({ year: Type.Integer(), ...SavingsLine })),
})
