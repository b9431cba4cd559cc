import { Type, type TSchema } from 'typebox'
import { Organisation } from '../organisations/schemas.js'
import { ACCESS_LEVELS, ACCESS_REASONS, DATASET_STATUSES, FREQUENCIES, LICENCES, RELEASE_STATES, THEMES } from './vocabularies.js'

/*
 * The API's shapes for declarations. Request fields are deliberately loose strings: the service
 * checks them and answers 422 with every failing field named as the page forms name them, so a
 * publisher's script gets the same messages as a person (a schema failure would be a terse 400).
 */

const codes = (list: { code: string }[]) => list.map((e) => e.code).join(', ')
const nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) => Type.Union([schema, Type.Null()], options)

export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
export const DatasetReleaseParams = Type.Object({ id: Type.String({ maxLength: 100 }), releaseId: Type.String({ maxLength: 100 }) })
export const OrganisationSlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })

export const Dataset = Type.Object({
  id: Type.String(),
  identifier: Type.String({ description: 'The dataset’s stable URI' }),
  organisationId: Type.String(),
  reference: nullable(Type.String(), { description: 'The body’s own reference' }),
  title: Type.String(),
  description: Type.String(),
  keywords: Type.Array(Type.String()),
  themes: Type.Array(Type.String(), { description: `EU data-theme codes: ${codes(THEMES)}` }),
  accessLevel: Type.String({ description: codes(ACCESS_LEVELS) }),
  accessReason: nullable(Type.String()),
  accessExplanation: nullable(Type.String()),
  licence: Type.String(),
  frequency: Type.String(),
  temporalStart: nullable(Type.String()),
  temporalEnd: nullable(Type.String()),
  spatial: nullable(Type.String({ description: 'GSS code of the area covered' })),
  contactName: nullable(Type.String()),
  contactEmail: nullable(Type.String()),
  status: Type.String({ description: codes(DATASET_STATUSES) }),
  withdrawnReason: nullable(Type.String()),
  nextReleaseDate: nullable(Type.String({ description: 'First day of the next planned release' })),
  version: Type.Integer({ description: 'Send it back with a change: a stale version is refused with 409' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  publishedAt: nullable(Type.String()),
})

export const ReleaseChange = Type.Object({
  changedAt: Type.String(),
  actor: Type.String(),
  fromDate: nullable(Type.String()),
  fromPrecision: nullable(Type.String()),
  toDate: nullable(Type.String()),
  toPrecision: nullable(Type.String()),
  fromState: nullable(Type.String()),
  toState: nullable(Type.String()),
  note: nullable(Type.String()),
  summary: Type.String(),
})

export const Release = Type.Object({
  id: Type.String(),
  datasetId: Type.String(),
  plannedDate: Type.String({ description: 'First day of the planned period' }),
  precision: Type.String({ description: 'day, month or quarter' }),
  label: Type.String({ description: 'The planned date for people, like “June 2027”' }),
  firstPlannedDate: Type.String(),
  firstPrecision: Type.String(),
  firstLabel: Type.String(),
  state: Type.String({ description: codes(RELEASE_STATES) }),
  changeNote: nullable(Type.String()),
  releasedAt: nullable(Type.String()),
  overdue: Type.Boolean({ description: 'The whole planned period has passed and it is still unreleased' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  changes: Type.Array(ReleaseChange),
})

export const Distribution = Type.Object({
  id: Type.String(),
  datasetId: Type.String(),
  title: Type.String(),
  accessUrl: nullable(Type.String()),
  downloadUrl: nullable(Type.String()),
  format: nullable(Type.String()),
  mediaType: nullable(Type.String()),
  byteSize: nullable(Type.Integer()),
  releaseId: nullable(Type.String()),
  createdAt: Type.String(),
})

export const DatasetDetail = Type.Object({
  dataset: Dataset,
  publisher: Organisation,
  releases: Type.Array(Release),
  distributions: Type.Array(Distribution),
})

const loose = (description: string, maxLength = 10_000) => Type.Optional(Type.String({ description, maxLength }))

export const DistributionInput = Type.Object({
  title: loose('Like “Gritting routes 2027 (CSV)”; defaults to the format', 1000),
  accessUrl: loose('A page where the data can be found (this or downloadUrl)', 2000),
  downloadUrl: loose('A direct download (this or accessUrl)', 2000),
  format: loose('Like CSV, GeoJSON, XLSX', 100),
  mediaType: loose('Like text/csv', 200),
  byteSize: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 30 })], { description: 'Size in bytes' })),
})

const declarationFields = {
  title: loose('Required'),
  description: loose('Required'),
  reference: loose('The body’s own reference, unique within the body', 200),
  keywords: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 200 })),
  themes: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 20, description: `At least one of ${codes(THEMES)}` })),
  accessLevel: loose(`${codes(ACCESS_LEVELS)} (default open)`, 50),
  accessReason: loose(`When not open: ${codes(ACCESS_REASONS)}`, 100),
  accessExplanation: loose('When not open: why, in plain words'),
  licence: loose(`${codes(LICENCES)}, or the licence’s URL (default OGL-UK-3.0)`, 500),
  frequency: loose(`Required: ${codes(FREQUENCIES)}`, 50),
  temporalStart: loose('Start of the period covered, like 2024-04-01', 50),
  temporalEnd: loose('End of the period covered, like 2025-03-31', 50),
  spatial: loose('GSS code of the area covered, like E08000009', 50),
  contactName: loose('Who to ask about the data', 1000),
  contactEmail: loose('Like opendata@council.gov.uk', 1000),
}

export const DeclarationBody = Type.Object({
  organisation: Type.Optional(Type.String({ maxLength: 100, description: 'The body’s slug. Optional: it can only be the token’s own body' })),
  ...declarationFields,
  distributions: Type.Optional(Type.Array(DistributionInput, { maxItems: 100, description: 'Distributions already published' })),
})

export const UpdateBody = Type.Object({
  ...declarationFields,
  version: Type.Integer({ minimum: 1, description: 'The version you read: a stale one is refused with 409' }),
})

export const WithdrawBody = Type.Object({
  reason: loose('Required: why it is withdrawn', 10_000),
  version: Type.Integer({ minimum: 1, description: 'The version you read: a stale one is refused with 409' }),
})

export const ReleaseBody = Type.Object({
  plannedDate: loose('A day (2027-03-15), a month (2027-03) or a quarter (2027-Q1)', 50),
  state: loose('provisional (default) or confirmed', 50),
  note: loose('Why, for people reading the schedule', 10_000),
})

export const ReleaseChangeBody = Type.Object({
  plannedDate: loose('Move it: a day (2027-03-15), a month (2027-03) or a quarter (2027-Q1)', 50),
  state: loose('provisional, confirmed or cancelled (mark it released through /released)', 50),
  note: loose('Why it changed', 10_000),
})

export const ReleasedBody = Type.Object({
  distribution: DistributionInput,
})
