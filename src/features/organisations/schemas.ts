import { Type } from 'typebox'
import { PageSchema } from '../../platform/pagination.js'

export const Organisation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    slug: Type.String({ description: 'The body’s name in web addresses' }),
    name: Type.String(),
    shortName: Type.String(),
    identifier: Type.Union([Type.String(), Type.Null()], { description: 'GSS code or org-id' }),
    type: Type.String(),
    typeLabel: Type.String(),
    nation: Type.Union([Type.String(), Type.Null()]),
    region: Type.Union([Type.String(), Type.Null()]),
    parentId: Type.Union([Type.String(), Type.Null()]),
    website: Type.Union([Type.String(), Type.Null()]),
    lat: Type.Union([Type.Number(), Type.Null()]),
    lon: Type.Union([Type.Number(), Type.Null()]),
    source: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
)

export const OrganisationPage = PageSchema(Organisation)

export const OrganisationListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words in the name, short name, identifier or slug' })),
  type: Type.Optional(Type.String({ maxLength: 50 })),
  nation: Type.Optional(Type.String({ maxLength: 50 })),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

export const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
