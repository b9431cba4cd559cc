import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { canEditFor } from '../../platform/authorisation.js'
import assetApiRoutes from './api-routes.js'
import { searchCpv } from './cpv.js'
import assetFormRoutes from './form-routes.js'
import assetImportRoutes from './import-routes.js'
import { ASSET_ID_PATH } from './paths.js'
import assetSearchRoutes from './search/routes.js'
import { AssetIdParams } from './schemas.js'
import { assetSections, statusTag } from './views.js'

const CpvPageQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) })

/** The register's public pages; the forms, the import and the API are plugins of their own. */
const assetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { assets, sharing } = app.services
  await app.register(assetFormRoutes)
  await app.register(assetImportRoutes)
  await app.register(assetApiRoutes)
  // The search page with facets at /assets, the map, the coverage table and the exports.
  await app.register(assetSearchRoutes)

  app.get('/assets/cpv', { schema: { querystring: CpvPageQuery } }, async (request, reply) => {
    const q = (request.query.q ?? '').trim()
    const found = q ? searchCpv(q, 100) : { total: 0, items: [] }
    return reply.render('assets/templates/cpv.njk', {
      title: 'Find a CPV code',
      q,
      total: found.total,
      items: found.items,
      breadcrumbs: [{ text: 'Home', href: '/' }, { text: 'Public assets', href: '/assets' }],
    })
  })

  app.get(ASSET_ID_PATH, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const detail = await assets.get(request.params.id)
    const { asset, owner } = detail
    return reply.render('assets/templates/show.njk', {
      title: asset.name,
      ...detail,
      statusTag: statusTag(asset.status),
      paragraphs: (asset.description ?? '').split(/\r?\n/).filter((p) => p.trim()),
      sections: assetSections(detail),
      canEdit: canEditFor(request.actor, asset.organisationId),
      sharing: await sharing.assetSharing(request.actor, asset),
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Public assets', href: '/assets' },
        { text: owner.name, href: `/assets?body=${owner.slug}` },
      ],
    })
  })
}

export default assetRoutes
