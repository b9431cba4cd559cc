import { Type } from 'typebox'

/** RFC 9457 problem details, as every API error is answered. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ name: Type.String(), message: Type.String() }))),
  },
  { description: 'application/problem+json' },
)
