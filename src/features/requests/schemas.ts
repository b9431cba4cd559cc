import { Type } from 'typebox'
import { PageSchema } from '../../platform/pagination.js'
import { DECLINE_REASONS } from './model.js'

// The status and decline-reason literals repeat model.ts's lists so the API's types name them;
// the service tests check the two agree.
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const DataRequest = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('new'), Type.Literal('early-release')], { description: '`new`: data not declared; `early-release`: of a declared, unpublished dataset' }),
  title: Type.String(),
  description: Type.String(),
  reason: Nullable(Type.String({ description: 'Why the requester needs the data' })),
  status: Type.Union([Type.Literal('submitted'), Type.Literal('acknowledged'), Type.Literal('scheduled'), Type.Literal('declined'), Type.Literal('fulfilled')]),
  statusLabel: Type.String(),
  organisation: Nullable(Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), shortName: Type.String() }, { description: 'The body asked (null until one is suggested or assigned)' })),
  dataset: Nullable(Type.Object({ id: Type.String(), title: Type.String(), status: Type.String() }, { description: 'For an early release: the dataset asked for' })),
  requesterName: Type.String(),
  declineReason: Nullable(Type.String({ description: DECLINE_REASONS.map((r) => r.code).join(', ') })),
  declineReasonLabel: Nullable(Type.String()),
  response: Nullable(Type.String({ description: 'The body’s explanation or message with its answer' })),
  release: Nullable(
    Type.Object(
      {
        id: Type.String(),
        datasetId: Type.String(),
        datasetTitle: Type.String(),
        plannedDate: Type.String({ format: 'date' }),
        precision: Type.String(),
        label: Type.String(),
        state: Type.String(),
      },
      { description: 'When scheduled: the planned release that will answer it' },
    ),
  ),
  fulfilledDataset: Nullable(Type.Object({ id: Type.String(), title: Type.String() }, { description: 'When fulfilled: the dataset that answers it' })),
  dueDate: Type.String({ format: 'date', description: '20 working days (England and Wales) after the request reached the body' }),
  answeredAt: Nullable(Type.String({ description: 'When the body first answered' })),
  answeredOnTime: Nullable(Type.Boolean()),
  overdue: Type.Boolean({ description: 'Still unanswered after the due date' }),
  supportCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

export const RequestComment = Type.Object({
  id: Type.String(),
  authorName: Type.String(),
  body: Nullable(Type.String({ description: 'Null when hidden' })),
  createdAt: Type.String(),
  hidden: Nullable(Type.Object({ at: Type.String(), by: Type.String(), reason: Type.String() })),
})

export const DataRequestDetail = Type.Object({
  ...DataRequest.properties,
  comments: Type.Array(RequestComment),
})

export const DataRequestPage = PageSchema(DataRequest)

export const RequestListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words in the title or description' })),
  status: Type.Optional(
    Type.Union([Type.Literal('submitted'), Type.Literal('acknowledged'), Type.Literal('scheduled'), Type.Literal('declined'), Type.Literal('fulfilled'), Type.Literal('overdue')], {
      description: 'A status, or `overdue` (unanswered after the due date)',
    }),
  ),
  body: Type.Optional(Type.String({ maxLength: 100, description: 'The slug of the body asked' })),
  sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('supported')], { default: 'newest' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

export const RequestParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
export const CommentParams = Type.Object({ id: Type.String({ maxLength: 100 }), commentId: Type.String({ maxLength: 100 }) })

export const AnswerBody = Type.Object(
  {
    status: Type.Union([Type.Literal('acknowledged'), Type.Literal('scheduled'), Type.Literal('declined'), Type.Literal('fulfilled')]),
    release: Type.Optional(Type.String({ maxLength: 100, description: 'For `scheduled`: a planned release of one of the body’s datasets' })),
    declineReason: Type.Optional(
      Type.Union(
        [Type.Literal('already-published'), Type.Literal('not-held'), Type.Literal('personal-data'), Type.Literal('commercial-confidentiality'), Type.Literal('disproportionate-cost'), Type.Literal('other')],
        { description: 'For `declined`' },
      ),
    ),
    response: Type.Optional(Type.String({ maxLength: 5000, description: 'The explanation (required when declining) or a message' })),
    dataset: Type.Optional(Type.String({ maxLength: 100, description: 'For `fulfilled`: the body’s dataset that answers the request' })),
  },
  { additionalProperties: false },
)
