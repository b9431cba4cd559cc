import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Actor } from '../../platform/actor.js'
import { requireEditFor } from '../../platform/authorisation.js'
import { ConflictError, ValidationError } from '../../platform/errors.js'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import type { Organisation } from '../organisations/service.js'
import { DISPOSAL_OPTIONS, filledSections, formInput, formSections, formValuesOf } from './form.js'
import type { Asset } from './model.js'
import { ASSET_ID_PATH } from './paths.js'
import { AssetIdParams } from './schemas.js'
import type { AssetDetail } from './service.js'

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })

/*
 * The forms where a body's editors record, correct and dispose of its assets. The service decides
 * who may change what; these routes refuse early only so that someone who may not edit sees
 * "sign in" or "forbidden" rather than the form.
 */
const assetFormRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { assets, organisations } = app.services

  app.get('/organisations/:slug/assets/new', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    return reply.render('assets/templates/form.njk', formContext(organisation, undefined, { status: 'in-use' }))
  })

  app.post('/organisations/:slug/assets/new', { schema: { params: SlugParams } }, async (request, reply) => {
    const organisation = await organisations.getBySlug(request.params.slug)
    requireEditFor(request.actor, organisation.id)
    const values = formBody(request)
    let created: Asset | undefined
    const ok = await submitForm(
      reply,
      async () => {
        refuseDisposalHere(values)
        created = await assets.create(request.actor, organisation.slug, formInput(values, allFields(false)))
      },
      { template: 'assets/templates/form.njk', context: formContext(organisation, undefined, values) },
    )
    if (!ok) return reply
    flash(request, `${created!.name} has been recorded`)
    return reply.redirect(`/assets/${created!.id}`, 303)
  })

  app.get(`${ASSET_ID_PATH}/edit`, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const { asset, owner } = await editable(request.actor, request.params.id)
    const values = formValuesOf(asset, await assets.parentCodeOf(asset))
    return reply.render('assets/templates/form.njk', formContext(owner, asset, values))
  })

  app.post(`${ASSET_ID_PATH}/edit`, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const { asset, owner } = await editable(request.actor, request.params.id)
    const values = formBody(request)
    const disposed = asset.status === 'disposed'
    const ok = await submitForm(
      reply,
      async () => {
        if (!disposed) refuseDisposalHere(values)
        await assets.update(request.actor, asset.id, formInput(values, allFields(disposed)), versionOf(values.version))
      },
      { template: 'assets/templates/form.njk', context: formContext(owner, asset, values) },
    )
    if (!ok) return reply
    flash(request, 'Your changes have been saved')
    return reply.redirect(`/assets/${asset.id}`, 303)
  })

  app.get(`${ASSET_ID_PATH}/dispose`, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const { asset, owner } = await editable(request.actor, request.params.id)
    if (asset.status === 'disposed') throw new ConflictError('This asset has already been disposed of')
    return reply.render('assets/templates/dispose.njk', disposeContext(owner, asset, { version: String(asset.version) }))
  })

  app.post(`${ASSET_ID_PATH}/dispose`, { schema: { params: AssetIdParams } }, async (request, reply) => {
    const { asset, owner } = await editable(request.actor, request.params.id)
    const values = formBody(request)
    const ok = await submitForm(
      reply,
      () => assets.dispose(request.actor, asset.id, { disposalDate: values.disposalDate, disposalMethod: values.disposalMethod, disposalProceedsPence: values.disposalProceedsPence }, versionOf(values.version)),
      { template: 'assets/templates/dispose.njk', context: disposeContext(owner, asset, values) },
    )
    if (!ok) return reply
    flash(request, `${asset.name} has been recorded as disposed of`)
    return reply.redirect(`/assets/${asset.id}`, 303)
  })

  /** The asset, once the actor is known to be allowed to change it. */
  async function editable(actor: Actor, id: number): Promise<AssetDetail> {
    const detail = await assets.get(id)
    requireEditFor(actor, detail.asset.organisationId)
    return detail
  }
}

function allFields(disposed: boolean) {
  return formSections({ disposed }).flatMap((section) => section.fields)
}

/** Disposal has its own page, which asks for the date, method and proceeds. */
function refuseDisposalHere(values: FormBody): void {
  if (values.status === 'disposed') throw new ValidationError([{ name: 'status', message: 'Record a disposal with “Record its disposal” on the asset’s page' }])
}

/** A version that is not a number can never match, so the change is refused as stale. */
function versionOf(value: string | undefined): number {
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : 0
}

function breadcrumbs(organisation: Organisation, asset?: Asset) {
  return [
    { text: 'Home', href: '/' },
    { text: 'Public assets', href: '/assets' },
    { text: organisation.name, href: `/assets?body=${organisation.slug}` },
    ...(asset ? [{ text: asset.name, href: `/assets/${asset.id}` }] : []),
  ]
}

function formContext(organisation: Organisation, asset: Asset | undefined, values: FormBody) {
  return {
    title: asset ? `Change ${asset.name}` : 'Record an asset',
    organisation,
    asset,
    values,
    sections: filledSections(values, asset?.status === 'disposed'),
    action: asset ? `/assets/${asset.id}/edit` : `/organisations/${organisation.slug}/assets/new`,
    breadcrumbs: breadcrumbs(organisation, asset),
  }
}

function disposeContext(organisation: Organisation, asset: Asset, values: FormBody) {
  return {
    title: `Record the disposal of ${asset.name}`,
    asset,
    values,
    methodItems: DISPOSAL_OPTIONS.map((o) => ({ ...o, selected: (values.disposalMethod ?? '') === o.value })),
    breadcrumbs: breadcrumbs(organisation, asset),
  }
}

export default assetFormRoutes
